// fast-check generators for the differential tests: random valid GAMMA routes on one parent Service
// and requests derived from their matches (so most requests hit something), plus the comparison
// that decides whether translate + evaluateNs means what evaluateGamma says.
import fc from 'fast-check';
import { stringify } from 'yaml';
import type {
  GRPCRoute,
  GRPCRouteMatch,
  GRPCRouteRule,
  HTTPBackendRef,
  HTTPRoute,
  HTTPRouteFilter,
  HTTPRouteMatch,
  HTTPRouteRule,
  HeaderModifier,
  Service,
} from '../../shared/gamma/types.ts';
import { translate } from '../../shared/translate/index.ts';
import {
  DEFAULT_CONTROLLER_NAME,
  type Desired,
  type TranslateOptions,
} from '../../shared/translate/types.ts';
import { evaluateGamma, type GammaObjects } from './evaluate-gamma.ts';
import { evaluateNs } from './evaluate-ns.ts';
import { diffOutcomes, type MeshRequest, type Outcome } from './request.ts';

export const NS = 'd';
export const DIFF_OPTIONS: TranslateOptions = {
  project: 'p',
  location: 'global',
  mesh: 'm',
  clusterId: 'c',
  controllerName: DEFAULT_CONTROLLER_NAME,
  clusterDomain: 'cluster.local',
};

const svc = (name: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: {
    ports: [
      { name: 'http', port: 80 },
      { name: 'alt', port: 8080 },
      { name: 'grpc', port: 7070 },
    ],
  },
});
export const SERVICES: Service[] = ['svc', 'b1', 'b2', 'b3'].map(svc);

// ---------- vocabularies (small, so matches and requests collide often) ----------

const PATHS = ['/', '/a', '/a/b', '/ab', '/c', '/c/d'];
const REGEXES = ['/a.*', '/[ab]+', '/c/[0-9]+', '/(a|c)/.*'];
const HEADER_NAMES = ['x-a', 'X-B'];
const VALUES = ['1', '2'];
const MOD_NAMES = ['x-s', 'x-t', 'x-u'];
const BACKENDS = ['b1', 'b2', 'b3', 'gone'];

const headerMatch = fc.record({
  name: fc.constantFrom(...HEADER_NAMES),
  type: fc.constantFrom('Exact', 'RegularExpression'),
  value: fc.constantFrom(...VALUES),
});
const queryMatch = fc.record({
  name: fc.constantFrom('q', 'Q'),
  type: fc.constantFrom('Exact', 'RegularExpression'),
  value: fc.constantFrom(...VALUES, '[0-9]'),
});

const pathMatch = fc.oneof(
  fc.record({ type: fc.constant('Exact'), value: fc.constantFrom(...PATHS) }),
  fc.record({ type: fc.constant('PathPrefix'), value: fc.constantFrom(...PATHS) }),
  fc.record({ type: fc.constant('RegularExpression'), value: fc.constantFrom(...REGEXES) }),
);

const httpMatch: fc.Arbitrary<HTTPRouteMatch> = fc.record(
  {
    path: pathMatch,
    // Names are unique as the CRD list-map requires, but may differ only in case: only the first counts.
    headers: fc.uniqueArray(
      fc
        .tuple(headerMatch, fc.boolean())
        .map(([h, upper]) => (upper ? { ...h, name: h.name.toUpperCase() } : h)),
      { maxLength: 2, selector: (h) => h.name },
    ),
    queryParams: fc.uniqueArray(queryMatch, { maxLength: 1, selector: (q) => q.name }),
    method: fc.constantFrom('GET', 'POST'),
  },
  { requiredKeys: [] },
);

/** One action per header name across set/add/remove (a Gateway API rule). */
function headerModifier(names: string[]): fc.Arbitrary<HeaderModifier> {
  return fc
    .array(
      fc.tuple(fc.constantFrom(...names), fc.constantFrom('set', 'add', 'remove'), fc.constantFrom('v', 'w')),
      { maxLength: 3 },
    )
    .map((ops) => {
      const seen = new Set<string>();
      const mod: Required<HeaderModifier> = { set: [], add: [], remove: [] };
      for (const [name, op, value] of ops) {
        if (seen.has(name)) continue;
        seen.add(name);
        if (op === 'remove') mod.remove.push(name);
        else mod[op].push({ name, value });
      }
      return mod;
    });
}

const backendRef: fc.Arbitrary<HTTPBackendRef> = fc.record(
  {
    name: fc.constantFrom(...BACKENDS),
    port: fc.constantFrom(80, 8080),
    weight: fc.constantFrom(0, 1, 2, 3),
    filters: fc.constant(undefined),
  },
  { requiredKeys: ['name', 'port'] },
);

const backendWithFilter: fc.Arbitrary<HTTPBackendRef> = fc
  .tuple(backendRef, fc.option(headerModifier(['x-bk']), { nil: undefined }))
  .map(([ref, mod]) =>
    mod ? { ...ref, filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: mod }] } : ref,
  );

const pathModifier = fc.oneof(
  fc.record({
    type: fc.constant('ReplaceFullPath' as const),
    replaceFullPath: fc.constantFrom('/new', '/n/m'),
  }),
  fc.record({
    type: fc.constant('ReplacePrefixMatch' as const),
    replacePrefixMatch: fc.constantFrom('/new', '/', '/n/'),
  }),
);

const redirect = fc.record(
  {
    scheme: fc.constantFrom('http' as const, 'https' as const),
    hostname: fc.constantFrom('example.org', 'other.example'),
    port: fc.constantFrom(8083, 443, 80),
    statusCode: fc.constantFrom(301, 302, 303, 307, 308),
    path: pathModifier,
  },
  { requiredKeys: [] },
);

const rewrite = fc.record(
  { hostname: fc.constantFrom('rewritten.example'), path: pathModifier },
  { requiredKeys: [] },
);

/** A valid rule: honours the CEL rules (redirect excludes backendRefs and rewrite; ReplacePrefixMatch needs one PathPrefix match). */
const httpRule: fc.Arbitrary<HTTPRouteRule> = fc
  .record({
    matches: fc.array(httpMatch, { maxLength: 2 }),
    reqMod: fc.option(headerModifier(MOD_NAMES), { nil: undefined }),
    respMod: fc.option(headerModifier(['x-r']), { nil: undefined }),
    redirect: fc.option(redirect, { nil: undefined, freq: 5 }),
    rewrite: fc.option(rewrite, { nil: undefined, freq: 4 }),
    backendRefs: fc.array(backendWithFilter, { maxLength: 3 }),
  })
  .map(({ matches, reqMod, respMod, redirect: rd, rewrite: rw, backendRefs }) => {
    const onePrefix = matches.length === 1 && matches[0].path?.type === 'PathPrefix';
    const filters: HTTPRouteFilter[] = [];
    if (reqMod) filters.push({ type: 'RequestHeaderModifier', requestHeaderModifier: reqMod });
    if (respMod) filters.push({ type: 'ResponseHeaderModifier', responseHeaderModifier: respMod });
    const usable = <T extends { path?: { type: string } }>(f: T | undefined) =>
      f && (f.path?.type !== 'ReplacePrefixMatch' || onePrefix) ? f : undefined;
    const rdOk = usable(rd);
    const rwOk = rdOk ? undefined : usable(rw);
    if (rdOk) filters.push({ type: 'RequestRedirect', requestRedirect: rdOk });
    if (rwOk) filters.push({ type: 'URLRewrite', urlRewrite: rwOk });
    const rule: HTTPRouteRule = { matches };
    if (filters.length) rule.filters = filters;
    if (!rdOk) rule.backendRefs = backendRefs;
    return rule;
  });

const parentPort = fc.constantFrom<number | undefined>(undefined, 80, 8080);

/** Mostly producer routes; sometimes a consumer route (another namespace), which must be rejected visibly. */
const routeNamespace = fc.constantFrom(...Array<string>(9).fill(NS), 'elsewhere');

export const httpRoutes: fc.Arbitrary<HTTPRoute[]> = fc
  .tuple(
    fc.array(fc.tuple(fc.array(httpRule, { minLength: 1, maxLength: 3 }), parentPort, routeNamespace), {
      minLength: 1,
      maxLength: 3,
    }),
    fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 3, maxLength: 3 }),
  )
  .map(([defs, days]) =>
    defs.map(([rules, port, namespace], i) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute' as const,
      metadata: { name: `r${i}`, namespace, creationTimestamp: `2024-01-0${days[i]}T00:00:00Z` },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'svc', namespace: NS, ...(port ? { port } : {}) }],
        rules,
      },
    })),
  );

// ---------- requests derived from the matches ----------

const SAMPLE_PATHS = ['/', '/a', '/a/b', '/ab', '/abab', '/c', '/c/12', '/c/d', '/x', '/a/', '/ac'];

function pathsNear(m: HTTPRouteMatch | undefined): string[] {
  const value = m?.path?.value ?? '/';
  if (m?.path?.type === 'RegularExpression') return SAMPLE_PATHS;
  if (value === '/') return ['/', '/z', '/a', '/a/b'];
  return [value, `${value}/z`, `${value}z`, `${value}/`, ...SAMPLE_PATHS.slice(0, 3)];
}

/** Request knobs drawn independently of the routes (so fast-check can shrink them), applied by `aimRequest`. */
export const requestKnobs = fc.record({
  pick: fc.nat(),
  aim: fc.integer({ min: 0, max: 6 }), // 0: ignore the matches
  pathChoice: fc.nat(),
  consumerClient: fc.boolean(),
  host: fc.constantFrom('svc', 'svc.d', 'svc.d.svc.cluster.local'),
  port: fc.constantFrom(80, 80, 8080),
  matchQuery: fc.boolean(),
  query: fc.array(fc.tuple(fc.constantFrom('q', 'Q'), fc.constantFrom(...VALUES)), { maxLength: 2 }),
  method: fc.constantFrom<string | undefined>(undefined, 'GET', 'POST'),
  matchHeaders: fc.boolean(),
  headers: fc.dictionary(
    fc.constantFrom('x-a', 'X-A', 'x-b', 'x-s', 'x-t', 'x-bk', 'x-other'),
    fc.constantFrom(...VALUES),
    {
      maxKeys: 3,
    },
  ),
});
export type RequestKnobs = typeof requestKnobs extends fc.Arbitrary<infer K> ? K : never;

export function aimRequest(routes: HTTPRoute[], k: RequestKnobs): MeshRequest {
  const matches = routes.flatMap((r) => (r.spec.rules ?? []).flatMap((rule) => rule.matches ?? []));
  const m = k.aim > 0 && matches.length > 0 ? matches[k.pick % matches.length] : undefined;
  const paths = pathsNear(m);
  const clientNamespace = k.consumerClient ? 'elsewhere' : NS;
  return {
    protocol: 'http',
    clientNamespace,
    host: k.consumerClient && k.host === 'svc' ? 'svc.d' : k.host,
    port: k.port,
    path: paths[k.pathChoice % paths.length],
    query:
      k.matchQuery && m ? (m.queryParams ?? []).map((q) => [q.name, q.value] as [string, string]) : k.query,
    method: k.method ?? m?.method ?? 'GET',
    headers: {
      ...k.headers,
      ...(k.matchHeaders ? Object.fromEntries((m?.headers ?? []).map((h) => [h.name, h.value])) : {}),
    },
  };
}

// ---------- comparison ----------

/** Routes/rules translate says it dropped: Accepted=False drops the route, PartiallyInvalid names rules. */
export function droppedByStatus(desired: Desired): { routes: Set<string>; rules: Map<string, Set<number>> } {
  const routes = new Set<string>();
  const rules = new Map<string, Set<number>>();
  for (const s of desired.statuses) {
    const key = `${s.kind}/${s.name}`;
    for (const p of s.parents) {
      for (const c of p.conditions) {
        if (c.type === 'Accepted' && c.status === 'False') routes.add(key);
        if (c.type === 'PartiallyInvalid' && c.status === 'True') {
          const set = rules.get(key) ?? new Set<number>();
          for (const m of c.message.matchAll(/spec\.rules\[(\d+)\]/g)) set.add(Number(m[1]));
          rules.set(key, set);
        }
      }
    }
  }
  return { routes, rules };
}

/** The GAMMA objects minus what status says was dropped: what the translation claims to implement. */
export function acceptedPart(objects: GammaObjects, desired: Desired): GammaObjects {
  const dropped = droppedByStatus(desired);
  const keep = <R extends HTTPRoute | GRPCRoute>(r: R): R | undefined => {
    const key = `${r.kind}/${r.metadata.name}`;
    if (dropped.routes.has(key)) return undefined;
    const drop = dropped.rules.get(key);
    if (!drop || drop.size === 0) return r;
    // A dropped rule becomes a rule that can never match (keeps indices for tie-breaking).
    const never = { path: { type: 'Exact', value: '/\u0000never' } };
    const rules = (r.spec.rules ?? []).map((rule, i) => (drop.has(i) ? { ...rule, matches: [never] } : rule));
    return { ...r, spec: { ...r.spec, rules } } as R;
  };
  return {
    services: objects.services,
    httpRoutes: objects.httpRoutes.map(keep).filter((r): r is HTTPRoute => !!r),
    grpcRoutes: objects.grpcRoutes.map(keep).filter((r): r is GRPCRoute => !!r),
  };
}

export interface DiffCase {
  objects: GammaObjects;
  request: MeshRequest;
}

export interface DiffResult {
  diffs: string[];
  rejected: boolean;
  ns?: Outcome;
  gamma?: Outcome;
}

export function compareCase({ objects, request }: DiffCase): DiffResult {
  const desired = translate(
    { services: objects.services, httpRoutes: objects.httpRoutes, grpcRoutes: objects.grpcRoutes },
    DIFF_OPTIONS,
  );
  const dropped = droppedByStatus(desired);
  const rejected = dropped.routes.size > 0 || [...dropped.rules.values()].some((s) => s.size > 0);
  const ns = evaluateNs(desired, request);
  const gamma = evaluateGamma(rejected ? acceptedPart(objects, desired) : objects, request);
  return { diffs: diffOutcomes(ns, gamma), rejected, ns, gamma };
}

/** fast-check failure report: the shrunk routes and request as YAML, plus both outcomes. */
export function describeCase(c: DiffCase): string {
  const r = compareCase(c);
  return stringify({
    routes: [...c.objects.httpRoutes, ...c.objects.grpcRoutes],
    request: c.request,
    differences: r.diffs,
    evaluateNs: r.ns,
    evaluateGamma: r.gamma,
  });
}

// ---------- gRPC ----------

const SERVICES_G = ['pkg.Echo', 'pkg.Other'];
const METHODS_G = ['Call', 'Stream'];

const grpcMatch: fc.Arbitrary<GRPCRouteMatch> = fc
  .record(
    {
      method: fc.oneof(
        fc.record(
          {
            type: fc.constant('Exact'),
            service: fc.constantFrom(...SERVICES_G),
            method: fc.constantFrom(...METHODS_G),
          },
          { requiredKeys: ['type'] },
        ),
        fc.record(
          {
            type: fc.constant('RegularExpression'),
            service: fc.constantFrom('pkg\\..*', 'pkg\\.E.*'),
            method: fc.constantFrom('C.*', '.*m'),
          },
          { requiredKeys: ['type'] },
        ),
      ),
      headers: fc.uniqueArray(headerMatch, { maxLength: 2, selector: (h) => h.name.toLowerCase() }),
    },
    { requiredKeys: [] },
  )
  .filter((m) => !m.method || m.method.service !== undefined || m.method.method !== undefined);

const grpcFilters: fc.Arbitrary<HTTPRouteFilter[]> = fc
  .record({
    reqMod: fc.option(headerModifier(MOD_NAMES), { nil: undefined }),
    respMod: fc.option(headerModifier(['x-r']), { nil: undefined }),
    mirror: fc.option(
      fc.record({ backendRef: fc.constant({ name: 'b3', port: 7070 }), percent: fc.constantFrom(10, 100) }),
      {
        nil: undefined,
        freq: 4,
      },
    ),
  })
  .map(({ reqMod, respMod, mirror }) => [
    ...(reqMod ? [{ type: 'RequestHeaderModifier', requestHeaderModifier: reqMod }] : []),
    ...(respMod ? [{ type: 'ResponseHeaderModifier', responseHeaderModifier: respMod }] : []),
    ...(mirror ? [{ type: 'RequestMirror', requestMirror: mirror }] : []),
  ]);

const grpcRule: fc.Arbitrary<GRPCRouteRule> = fc
  .record({
    matches: fc.array(grpcMatch, { maxLength: 2 }),
    filters: grpcFilters,
    backendRefs: fc.array(
      backendRef.map((b) => ({ ...b, port: 7070 })),
      { maxLength: 3 },
    ),
  })
  .map((r) => (r.filters.length ? r : { matches: r.matches, backendRefs: r.backendRefs }));

export const grpcRoutes: fc.Arbitrary<GRPCRoute[]> = fc
  .array(fc.array(grpcRule, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 })
  .map((defs) =>
    defs.map((rules, i) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute' as const,
      metadata: { name: `g${i}`, namespace: NS, creationTimestamp: `2024-02-0${i + 1}T00:00:00Z` },
      spec: { parentRefs: [{ group: '', kind: 'Service', name: 'svc', port: 7070 }], rules },
    })),
  );

export function grpcRequestFor(): fc.Arbitrary<MeshRequest> {
  return fc.record({
    protocol: fc.constant('grpc' as const),
    clientNamespace: fc.constant(NS),
    host: fc.constantFrom('svc', 'svc.d.svc.cluster.local'),
    port: fc.constant(7070),
    grpc: fc.record({
      service: fc.constantFrom(...SERVICES_G, 'pkg.Echoes'),
      method: fc.constantFrom(...METHODS_G, 'Cm'),
    }),
    headers: fc.dictionary(fc.constantFrom('x-a', 'X-B', 'x-s', 'x-t'), fc.constantFrom(...VALUES), {
      maxKeys: 3,
    }),
  });
}
