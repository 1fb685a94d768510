// The translator's shortcuts agree with the plain definitions they replace: the memoizing backend
// resolver with resolveBackendRef, sameAction with canonical JSON equality, the by-path shadow
// search with a brute-force scan of every earlier entry, and the literal common actions and matches
// with the ones built field by field.
import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import fc from 'fast-check';
import type { Service } from '../../shared/gamma/types.ts';
import { backendResolver, resolveBackendRef } from '../../shared/translate/backends.ts';
import { sameAction } from '../../shared/translate/model.ts';
import type { NsHttpMatch } from '../../shared/translate/model.ts';
import type { ActionParts } from '../../shared/translate/http-action.ts';
import { anyAction, buildAction } from '../../shared/translate/http-action.ts';
import { Scratch, canonicalJson, compareStrings, sortList } from '../../shared/translate/util.ts';
import { uniqueSorted } from '../../shared/translate/routes.ts';
import type { KubeObject } from '../../shared/gamma/types.ts';
import type { Entry, RuleRef } from '../../shared/translate/state.ts';
import { sortEntries } from '../../shared/translate/rules.ts';
import { findShadowedRules, httpFirstCovering } from '../../shared/translate/shadow.ts';
import { httpMatchCovers, normalizeHttpMatch, nsMatch } from '../../shared/translate/match.ts';
import type { NormalMatch } from '../../shared/translate/match.ts';
import { compareHttpMatches, compareOrderKeys } from '../../shared/translate/precedence.ts';
import { OPTIONS } from './support.ts';

const services: Service[] = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'a', namespace: 'ns' },
    spec: { ports: [{ port: 80 }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'b', namespace: 'other', annotations: { 'gamma-csm.dev/backend-service.80': 'BAD!' } },
    spec: { ports: [{ port: 80 }, { port: 0 }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'x', namespace: 'ns' },
    spec: { type: 'ExternalName' },
  },
];
const index = {
  find: (ns: string, name: string) =>
    services.find((s) => s.metadata.namespace === ns && s.metadata.name === name),
};

const refArb = fc.record(
  {
    name: fc.oneof(fc.constantFrom('a', 'b', 'x', 'zzz'), fc.constant(5)),
    namespace: fc.oneof(fc.constantFrom('', 'ns', 'other'), fc.constant(7)),
    // Small integers: more distinct ports per Service name than the resolver remembers (8).
    port: fc.oneof(
      fc.constantFrom(80, 81, 0, -0, 80.5),
      fc.integer({ min: 1, max: 12 }),
      fc.constant('80'),
      fc.constant(Number.NaN),
    ),
    group: fc.constantFrom('', 'core', 'example.com'),
    kind: fc.constantFrom('Service', 'Pod'),
  },
  { requiredKeys: [] },
);

test('the memoizing resolver answers exactly as resolveBackendRef, in any order and repeated', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(refArb, fc.constantFrom('ns', 'other')), { maxLength: 60 }), (calls) => {
      const resolve = backendResolver(index, OPTIONS);
      return [...calls, ...calls].every(([ref, routeNs]) => {
        const expected = resolveBackendRef(ref as never, routeNs, index, OPTIONS);
        // A fresh object with the same fields hits the (namespace, name, port) memory instead.
        return (
          isDeepStrictEqual(resolve(ref as never, routeNs, 'HTTPRoute'), expected) &&
          isDeepStrictEqual(resolve({ ...ref } as never, routeNs, 'HTTPRoute'), expected)
        );
      });
    }),
    { numRuns: 200 },
  );
  t.pass();
});

test('the resolver answers refs to many ports of one Service exactly, past the ports it remembers', (t) => {
  const many: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'many', namespace: 'ns' },
    spec: { ports: Array.from({ length: 10 }, (_, i) => ({ port: i + 1 })) },
  };
  const manyIndex = {
    find: (ns: string, name: string) => (ns === 'ns' && name === 'many' ? many : undefined),
  };
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 14 }), { minLength: 20, maxLength: 60 }), (ports) => {
      const resolve = backendResolver(manyIndex, OPTIONS);
      return [...ports, ...ports].every((port) =>
        isDeepStrictEqual(
          resolve({ name: 'many', port } as never, 'ns', 'HTTPRoute'),
          resolveBackendRef({ name: 'many', port } as never, 'ns', manyIndex, OPTIONS),
        ),
      );
    }),
    { numRuns: 200 },
  );
  t.pass();
});

const actionArb = fc.record(
  {
    destinations: fc.array(
      fc.record(
        {
          serviceName: fc.constantFrom('s1', 's2'),
          weight: fc.constantFrom(0, -0, 1, 2, Number.NaN, undefined),
        },
        { requiredKeys: ['serviceName'] },
      ),
      { maxLength: 2 },
    ),
    timeout: fc.constantFrom('1s', '2s', undefined),
    directResponse: fc.record({ status: fc.constantFrom(404, 500) }),
  },
  { requiredKeys: [] },
);

test('sameAction is canonical JSON equality', (t) => {
  fc.assert(
    fc.property(
      actionArb,
      actionArb,
      (a, b) =>
        sameAction(a, b) === (canonicalJson(a) === canonicalJson(b)) &&
        // A structural copy (NaN and -0 kept) always serializes alike.
        sameAction(a, structuredClone(a)),
    ),
    { numRuns: 1000 },
  );
  t.pass();
});

const matchArb = fc.record(
  {
    path: fc.record({
      type: fc.constantFrom('Exact', 'PathPrefix', 'RegularExpression'),
      value: fc.constantFrom('/', '/a', '/a/', '/a/b', '/a//b', '/ab', '/b', '/a/b/c'),
    }),
    headers: fc.array(fc.record({ name: fc.constantFrom('x-a', 'x-b'), value: fc.constantFrom('1', '2') }), {
      maxLength: 1,
    }),
    method: fc.constantFrom('GET', 'POST'),
  },
  { requiredKeys: [] },
);

type HttpEntry = Entry<NormalMatch>;

/** The definition: an entry's rule is shadowed when each of its entries has an earlier covering entry. */
function bruteForceShadowed(sorted: HttpEntry[]): [RuleRef, RuleRef][] {
  const by = new Map<RuleRef, RuleRef | null>();
  sorted.forEach((entry, i) => {
    const earlier = sorted
      .slice(0, i)
      .find((c) => c.rule !== entry.rule && httpMatchCovers(c.normal, entry.normal));
    if (!earlier) by.set(entry.rule, null);
    else if (by.get(entry.rule) === undefined) by.set(entry.rule, earlier.rule);
  });
  return [...by].filter((e): e is [RuleRef, RuleRef] => e[1] !== null);
}

// Fillers: PathPrefix entries of a rule of their own, some covering others ('/a', '/a/b'), enough
// of them to take both the pairwise search (up to 32 entries) and the by-path index search.
const fillerPaths = ['/a', '/a/b', '/b', ...Array.from({ length: 21 }, (_, i) => `/f${i}`)];
const fillerArb = fc.oneof(
  fc.constant([]),
  fc.shuffledSubarray(fillerPaths, { maxLength: 24 }),
  // Past 32 entries a port's rules are searched through path indexes instead of pairwise.
  fc.array(fc.constantFrom(...fillerPaths), { minLength: 30, maxLength: 40 }),
);

test('the by-path shadow search finds what a scan of every earlier entry finds', (t) => {
  const createdMs = Number.POSITIVE_INFINITY;
  let large = 0;
  fc.assert(
    fc.property(fc.array(fc.tuple(matchArb, fc.nat(3)), { maxLength: 12 }), fillerArb, (items, fillers) => {
      const rules: RuleRef[] = [0, 1, 2, 3].map((index) => ({
        kind: 'HTTPRoute',
        route: 'ns/r',
        index,
        createdMs,
      }));
      const sorted: HttpEntry[] = [];
      items.forEach(([raw, rule], i) => {
        const normal = normalizeHttpMatch(raw);
        if (!normal.ok) return;
        sorted.push({
          normal: normal.value as NormalMatch,
          matchIndex: i,
          rule: rules[rule],
          backends: [],
          http: [],
          grpc: undefined,
        });
      });
      const filler: RuleRef = { kind: 'HTTPRoute', route: 'ns/f', index: 0, createdMs };
      fillers.forEach((value, i) => {
        const normal = normalizeHttpMatch({ path: { type: 'PathPrefix', value } }) as { value: NormalMatch };
        sorted.splice(i % (sorted.length + 1), 0, {
          normal: normal.value,
          matchIndex: i,
          rule: filler,
          backends: [],
          http: [],
          grpc: undefined,
        });
      });
      if (new Set(fillers).size > 16 && sorted.length > 32) large++;
      const found = findShadowedRules(sorted, httpFirstCovering(sorted)).map((s) => [s.rule, s.by]);
      return isDeepStrictEqual(found, bruteForceShadowed(sorted));
    }),
    { numRuns: 1500, seed: 20261126 },
  );
  t.true(large > 20, `only ${large} cases had a large prefix index`);
});

test('entries of equal precedence sort by route order: creation time, namespace/name, rule, match', (t) => {
  const normal = (normalizeHttpMatch({}) as { value: NormalMatch }).value;
  const ruleArb = fc.record({
    createdMs: fc.constantFrom(1, 2, Number.POSITIVE_INFINITY),
    route: fc.constantFrom('a/x', 'a/y', 'b/x'),
    index: fc.nat(2),
  });
  fc.assert(
    fc.property(fc.array(fc.tuple(ruleArb, fc.nat(2)), { maxLength: 10 }), (items) => {
      // One RuleRef per distinct (route, index), as a compiled rule shares it between its entries.
      const refs = new Map<string, RuleRef>();
      const entries: HttpEntry[] = items.map(([r, matchIndex]) => {
        const key = `${r.route} ${r.index}`;
        const createdMs = refs.get(key)?.createdMs ?? r.createdMs;
        if (!refs.has(key)) refs.set(key, { kind: 'HTTPRoute', route: r.route, index: r.index, createdMs });
        return {
          normal,
          matchIndex,
          rule: refs.get(key) as RuleRef,
          backends: [],
          http: [],
          grpc: undefined,
        };
      });
      const key = (e: HttpEntry) => ({
        createdMs: e.rule.createdMs,
        ref: e.rule.route,
        ruleIndex: e.rule.index,
        matchIndex: e.matchIndex,
      });
      const expected = [...entries].sort((a, b) => compareOrderKeys(key(a), key(b)));
      return isDeepStrictEqual(sortEntries([...entries], compareHttpMatches).map(key), expected.map(key));
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('sortList sorts as a stable Array.prototype.sort, by insertion when short and natively when long', (t) => {
  const itemArb = fc.record({ key: fc.integer({ min: 0, max: 5 }), id: fc.nat() });
  const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key;
  fc.assert(
    fc.property(fc.array(itemArb, { maxLength: 40 }), (items) => {
      const expected = [...items].sort(byKey);
      const list = [...items];
      return sortList(list, byKey) === list && isDeepStrictEqual(list, expected);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('a Scratch list hands out exactly the items added since its last clear', (t) => {
  const scratch = new Scratch<number>();
  for (const n of [1, 2, 3, 4]) scratch.add(n);
  t.deepEqual(scratch.take(), [1, 2, 3, 4]);
  scratch.clear();
  scratch.add(9);
  const taken = scratch.take();
  t.deepEqual(taken, [9]);
  t.is(taken.length, 1);
  t.is(scratch.size, 1);
});

test('uniqueSorted orders by "namespace/name" code units whether or not its input is already in order', (t) => {
  // Characters around '/' (0x2f): '-' and '.' sort before it, '0' and 'a' after it.
  const part = fc.stringMatching(/^[-.0a/]{1,4}$/);
  const objArb = fc.record({ namespace: fc.option(part, { nil: undefined }), name: part });
  const key = (o: KubeObject) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
  fc.assert(
    fc.property(
      fc.uniqueArray(objArb, { selector: (o) => `${o.namespace ?? 'default'}/${o.name}`, maxLength: 30 }),
      (items) => {
        const objects = items.map((m) => ({ kind: 'Service', metadata: m }) as KubeObject);
        const expected = [...objects].sort((a, b) => compareStrings(key(a), key(b)));
        const shuffled = uniqueSorted(objects, false);
        const again = uniqueSorted(expected, false); // already in order: the linear check path
        return isDeepStrictEqual(shuffled, expected) && isDeepStrictEqual(again, expected);
      },
    ),
    { numRuns: 500 },
  );
  // In order but with a repeated key: de-duplicated, not passed through.
  const a = { kind: 'Service', metadata: { namespace: 'n', name: 'a' } } as KubeObject;
  const b = { kind: 'Service', metadata: { namespace: 'n', name: 'b' } } as KubeObject;
  t.deepEqual(uniqueSorted([a, b, { ...b }], false), [a, b]);
});

test('the common actions built as literals are exactly the actions built field by field, keys in order', (t) => {
  const destination = fc.record(
    { serviceName: fc.constantFrom('s1', 's2'), weight: fc.nat(3) },
    { requiredKeys: ['serviceName', 'weight'] },
  );
  const modifier = fc.option(fc.constant({ set: { 'x-a': '1' } }), { nil: undefined });
  const partsArb = fc.record({
    destinations: fc.array(destination, { maxLength: 2 }),
    abortPercent: fc.constantFrom(0, 0, 30),
    requestMod: modifier,
    responseMod: modifier,
    timing: fc.record(
      {
        timeout: fc.constantFrom('1s', undefined),
        retryPolicy: fc.constantFrom({ numRetries: 1 }, undefined),
        warnings: fc.constant([]),
      },
      { requiredKeys: ['warnings'] },
    ),
    mirrorPolicy: fc.constantFrom({ destination: { serviceName: 'm' }, mirrorPercent: 100 }, undefined),
    session: fc.constantFrom({ cookieTtl: '0s', warnings: [] }, undefined),
    cors: fc.constantFrom({ type: 'CORS', cors: { allowOrigins: ['https://a.example'] } }, undefined),
    servicePort: fc.constant(80),
  });
  fc.assert(
    fc.property(partsArb, fc.constantFrom('full', 'prefix', 'other'), (parts, kind) => {
      const p = parts as unknown as ActionParts;
      return JSON.stringify(buildAction(p, kind)) === JSON.stringify(anyAction(p, kind));
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('a match built from its literal per combination of fields is the match built by spreads, keys in order', (t) => {
  const headers = fc.option(fc.constant<NsHttpMatch['headers']>([{ header: 'x-a', exactMatch: '1' }]), {
    nil: undefined,
  });
  const query = fc.option(
    fc.constant<NsHttpMatch['queryParameters']>([{ queryParameter: 'q', regexMatch: 'v.*' }]),
    { nil: undefined },
  );
  const path = fc.constantFrom('fullPathMatch' as const, 'prefixMatch' as const, 'regexMatch' as const);
  fc.assert(
    fc.property(path, fc.constantFrom('/a', '/'), headers, query, (kind, value, h, q) => {
      const plain = { [kind]: value, ...(h && { headers: h }), ...(q && { queryParameters: q }) };
      return JSON.stringify(nsMatch(kind, value, h, q)) === JSON.stringify(plain);
    }),
    { numRuns: 200 },
  );
  t.pass();
});
