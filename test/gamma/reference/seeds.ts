// Seed objects and a mutation arbitrary for the fast-path equivalence properties: realistic routes
// (the benchmark's, the examples', the fixtures') plus hand-written ones touching every field the
// defaults and the quick check know, then random edits that break them in small ways.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { generateObjects } from '../../../bench/generate.ts';
import { parseManifestText } from '../../../shared/gamma/index.ts';
import type { KubeObject } from '../../../shared/gamma/index.ts';
import { applyDefaultsReference } from './defaults-reference.ts';

type Obj = Record<string, unknown>;
const ROOT = path.resolve(import.meta.dirname, '../../..');
const GW = 'gateway.networking.k8s.io/v1';
const meta = { name: 'r', namespace: 'ns', generation: 2, labels: { a: 'b' }, annotations: { c: 'd' } };
const parent = { group: '', kind: 'Service', name: 'svc', port: 80 };
const ref = (name: string, extra: Obj = {}) => ({ name, port: 8080, ...extra });

/** Routes that use every field the quick check and the defaults handle (valid as written). */
const RICH: Obj[] = [
  {
    apiVersion: GW,
    kind: 'HTTPRoute',
    metadata: { ...meta, uid: 'u', managedFields: [{ manager: 'm', fieldsV1: { f: { g: {} } } }] },
    spec: {
      parentRefs: [parent, { ...parent, port: 81 }],
      hostnames: ['a.example.com', '*.b.example.com'],
      rules: [
        {
          name: 'one',
          matches: [
            { path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-a', value: '1' }] },
            { path: { type: 'Exact', value: '/x' }, queryParams: [{ type: 'Exact', name: 'q', value: '2' }] },
            { path: { type: 'RegularExpression', value: '/r/[0-9]+' }, method: 'POST' },
            { path: { value: '/v' } },
            {},
          ],
          filters: [
            {
              type: 'RequestHeaderModifier',
              requestHeaderModifier: {
                set: [{ name: 'a', value: 'b' }],
                add: [{ name: 'c', value: 'd' }],
                remove: ['e'],
              },
            },
            { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['f', 'g'] } },
            { type: 'RequestMirror', requestMirror: { backendRef: ref('m'), fraction: { numerator: 1 } } },
          ],
          backendRefs: [
            ref('a', { weight: 3 }),
            ref('b', {
              filters: [{ type: 'RequestMirror', requestMirror: { backendRef: ref('m'), percent: 5 } }],
            }),
          ],
          timeouts: { request: '10s', backendRequest: '2s' },
          retry: { codes: [500, 503], attempts: 2, backoff: '100ms' },
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
          filters: [
            {
              type: 'URLRewrite',
              urlRewrite: {
                hostname: 'new.example.com',
                path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' },
              },
            },
          ],
          backendRefs: [ref('c')],
        },
        {
          matches: [{ path: { type: 'Exact', value: '/moved' } }],
          filters: [
            {
              type: 'RequestRedirect',
              requestRedirect: {
                scheme: 'https',
                hostname: 'h.example.com',
                port: 443,
                path: { type: 'ReplaceFullPath', replaceFullPath: '/here' },
              },
            },
          ],
        },
      ],
    },
    status: { parents: [{ conditions: [{ type: 'Accepted', status: 'True' }] }] },
  },
  {
    apiVersion: GW,
    kind: 'HTTPRoute',
    metadata: { name: 'rare' },
    spec: {
      rules: [
        {
          sessionPersistence: { sessionName: 's', cookieConfig: {} },
          filters: [{ type: 'CORS', cors: { allowOrigins: ['https://a.example.com'] } }],
          backendRefs: [ref('d')],
        },
      ],
    },
  },
  {
    apiVersion: GW,
    kind: 'HTTPRoute',
    metadata: { name: 'bare' },
    spec: { parentRefs: [{ name: 'svc' }] },
  },
  {
    apiVersion: GW,
    kind: 'GRPCRoute',
    metadata: meta,
    spec: {
      parentRefs: [parent],
      hostnames: ['g.example.com'],
      rules: [
        {
          name: 'g',
          matches: [
            { method: { service: 'pkg.Svc', method: 'Get' } },
            { method: { type: 'RegularExpression', service: 'pkg\\..*' } },
            {
              headers: [
                { name: 'x-g', value: 'v' },
                { type: 'RegularExpression', name: 'x-h', value: 'a.*' },
              ],
            },
          ],
          filters: [
            { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'a', value: 'b' }] } },
            {
              type: 'RequestMirror',
              requestMirror: { backendRef: ref('m'), fraction: { numerator: 1, denominator: 4 } },
            },
          ],
          backendRefs: [
            ref('g1', { weight: 1 }),
            ref('g2', {
              filters: [
                {
                  type: 'ResponseHeaderModifier',
                  responseHeaderModifier: { add: [{ name: 'z', value: 'y' }] },
                },
              ],
            }),
          ],
        },
        {},
      ],
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'svc', namespace: 'ns' },
    spec: {
      ports: [
        { name: 'http', port: 80 },
        { name: 'grpc', port: 9090, targetPort: 'grpc', protocol: 'TCP' },
      ],
    },
  },
];

function manifests(dir: string): Obj[] {
  const out: Obj[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.push(...(parseManifestText(readFileSync(file, 'utf8'), file).objects as unknown as Obj[]));
  }
  return out;
}

/** Few, feature-rich seeds for the exhaustive single-edit test (each edit of these is checked). */
export function richSeeds(): Obj[] {
  const bench = generateObjects({ routes: 20, services: 4 });
  return [
    ...RICH,
    ...(bench.httpRoutes as unknown as Obj[]).slice(0, 3),
    ...(bench.grpcRoutes as unknown as Obj[]).slice(0, 1),
  ].map((o) => JSON.parse(JSON.stringify(o)) as Obj);
}

export function seedObjects(): Obj[] {
  const bench = generateObjects({ routes: 60, services: 12 });
  return [
    ...RICH,
    // Already defaulted (every default present): nothing may be copied.
    ...RICH.map((o) => applyDefaultsReference(o as unknown as KubeObject) as unknown as Obj),
    ...(bench.httpRoutes as unknown as Obj[]).slice(0, 30),
    ...(bench.grpcRoutes as unknown as Obj[]),
    ...(bench.services as unknown as Obj[]).slice(0, 3),
    ...manifests(path.join(ROOT, 'examples')),
    ...manifests(path.join(ROOT, 'test/fixtures')),
  ].map((o) => JSON.parse(JSON.stringify(o)) as Obj);
}

/** Every path (list of keys) to a value inside `root`, the root itself included. */
function paths(root: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const visit = (v: unknown, p: (string | number)[]) => {
    out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...p, i]));
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) visit((v as Obj)[k], [...p, k]);
  };
  visit(root, []);
  return out;
}

const PALETTE: unknown[] = [
  null,
  '',
  'x',
  'Exact',
  'PathPrefix',
  'RegularExpression',
  'ReplacePrefixMatch',
  'ReplaceFullPath',
  'RequestRedirect',
  'URLRewrite',
  'RequestMirror',
  'Service',
  'Gateway',
  '/a//b',
  '/',
  'UPPER',
  'a.b',
  '10s',
  '0s',
  '1h',
  'x'.repeat(300),
  0,
  -1,
  1,
  80,
  302,
  1.5,
  70_000,
  true,
  [],
  {},
  ['x'],
  [{}],
  { type: 'Exact' },
  { name: 'svc' },
];

type Edit =
  | { op: 'set'; at: number; value: number }
  | { op: 'nudge'; at: number; value: number }
  | { op: 'delete'; at: number }
  | { op: 'addKey'; at: number; key: string; value: number }
  | { op: 'dup'; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.nat() }),
  fc.record({ op: fc.constant('nudge' as const), at: fc.nat(), value: fc.nat() }),
  fc.record({ op: fc.constant('nudge' as const), at: fc.nat(), value: fc.nat() }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('addKey' as const),
    at: fc.nat(),
    key: fc.constantFrom('__proto__', 'matchs', 'type', 'group', 'weight', 'filters', 'path', 'constructor'),
    value: fc.nat(),
  }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat() }),
);

function applyEdit(root: Obj, e: Edit): Obj {
  const all = paths(root).filter((p) => p.length > 0);
  if (all.length === 0) return root;
  const p = all[e.at % all.length];
  const parentValue = p.slice(0, -1).reduce<unknown>((v, k) => (v as Obj)[k as string], root) as Obj;
  const key = p[p.length - 1] as string;
  const value = (i: number) => structuredClone(PALETTE[i % PALETTE.length]);
  if (e.op === 'set') parentValue[key] = value(e.value);
  else if (e.op === 'nudge') parentValue[key] = nudged(parentValue[key], e.value);
  else if (e.op === 'delete') {
    if (Array.isArray(parentValue)) parentValue.splice(Number(key), 1);
    else delete parentValue[key];
  } else if (e.op === 'dup') {
    if (Array.isArray(parentValue)) parentValue.push(structuredClone(parentValue[Number(key)]));
    else parentValue[key] = structuredClone(parentValue[key]);
  } else {
    const target = parentValue[key];
    if (target && typeof target === 'object' && !Array.isArray(target)) {
      // An own data property, as JSON.parse makes it (a plain assignment would set the prototype).
      Object.defineProperty(target, e.key, {
        value: value(e.value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return root;
}

/** A value just across a likely limit from `v`: a boundary number, a bent string. */
function nudged(v: unknown, i: number): unknown {
  if (typeof v === 'number') return [v - 1, v + 1, 0, -1, 65_535, 65_536, 1_000_001, 99, 101, v / 2][i % 10];
  if (typeof v === 'string') {
    const bent = [
      '',
      v.toUpperCase(),
      `${v}/`,
      `/${v}`,
      `${v}.`,
      `${v}-`,
      `${v}//x`,
      `${v}%2f`,
      `${v}#`,
      `${v}/..`,
      v.repeat(80),
      `${v} x`,
      `${v}_`,
      `*.${v}`,
      `${v}:`,
    ];
    return bent[i % bent.length];
  }
  return v;
}

/** A seed object with 0..3 random edits (often still valid, often not). */
export function mutatedObject(seeds: Obj[]): fc.Arbitrary<Obj> {
  return fc
    .record({ seed: fc.nat({ max: seeds.length - 1 }), edits: fc.array(edit, { maxLength: 3 }) })
    .map(({ seed, edits }) => edits.reduce(applyEdit, structuredClone(seeds[seed])));
}

/** Keys an edit adds (as `{}`): unknown ones, and known ones that clash with a sibling. */
const ADDED_KEYS = [
  '__proto__',
  'matchs',
  'replacePrefixMatch',
  'replaceFullPath',
  'urlRewrite',
  'percent',
  'port',
  'sectionName',
];

/**
 * Every object one small edit away from `seed`: each value deleted, nulled, retyped, or nudged
 * across a likely limit; each object given an unknown or `__proto__` key. Exhaustive, so a limit
 * the fast path gets wrong by one shows up here rather than by chance.
 */
export function* singleEdits(seed: Obj): Generator<Obj> {
  const count = paths(seed).length - 1;
  for (let at = 0; at < count; at++) {
    yield applyEdit(structuredClone(seed), { op: 'delete', at });
    for (const value of [0, 17, 19, 29, 30, 31])
      yield applyEdit(structuredClone(seed), { op: 'set', at, value });
    for (let value = 0; value < 15; value++)
      yield applyEdit(structuredClone(seed), { op: 'nudge', at, value });
    yield applyEdit(structuredClone(seed), { op: 'dup', at });
    for (const key of ADDED_KEYS)
      yield applyEdit(structuredClone(seed), { op: 'addKey', at, key, value: 30 });
  }
}
