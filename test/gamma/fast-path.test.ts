// The fast route preparation must behave exactly like the slow one it replaced: the hand-written
// applyDefaults like the copy-on-write reference, validateObject (quick check, then the full walk
// only when needed) like the full walk alone. Properties over mutated realistic routes, plus tables
// for the quick check's deliberate deferrals and for hostile input.
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { MAX_NESTING_DEPTH, applyDefaults, validateObject } from '../../shared/gamma/index.ts';
import type { KubeObject } from '../../shared/gamma/index.ts';
import { validateObjectFully } from '../../shared/gamma/validate.ts';
import { isCleanPathValue, pathValueProblem } from '../../shared/gamma/validate-http.ts';
import { isCertainlyValid, isCertainlyValidAsDefaulted } from '../../shared/gamma/quick-check.ts';
import { generateCluster, generateObjects } from '../../bench/generate.ts';
import { applyDefaultsReference } from './reference/defaults-reference.ts';
import { mutatedObject, richSeeds, seedObjects, singleEdits } from './reference/seeds.ts';

type Obj = Record<string, unknown>;
const seeds = seedObjects();
const asKube = (o: unknown) => o as KubeObject;

/** Paths at which `output` shares the very node of `input` (copy-on-write structure). */
function shared(output: unknown, input: unknown, path = '', out: string[] = []): string[] {
  if (output === input && typeof output === 'object' && output !== null) out.push(path);
  if (output === input || typeof output !== 'object' || output === null) return out;
  if (typeof input !== 'object' || input === null) return out;
  for (const key of Object.keys(output))
    shared((output as Obj)[key], (input as Obj)[key], `${path}/${key}`, out);
  return out;
}

/** Own keys in order, prototypes and symbols too: what deepEqual or JSON alone could miss. */
function shape(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return {
    proto:
      Object.getPrototypeOf(value) === Object.prototype ? 'Object' : Array.isArray(value) ? 'Array' : 'other',
    keys: Reflect.ownKeys(value).map(String),
    values: Reflect.ownKeys(value)
      .filter((k) => k !== 'length' || !Array.isArray(value))
      .map((k) => shape((value as Record<PropertyKey, unknown>)[k])),
  };
}

test('property: applyDefaults equals the reference implementation (values, key order, sharing, no mutation)', (t) => {
  let copied = 0;
  fc.assert(
    fc.property(mutatedObject(seeds), (input) => {
      const before = shape(input);
      const fast = applyDefaults(asKube(input));
      const slow = applyDefaultsReference(asKube(input));
      if ((fast as unknown) !== input) copied++;
      t.deepEqual(shape(fast), shape(slow));
      t.deepEqual(shared(fast, input), shared(slow, input));
      t.deepEqual(shape(input), before);
    }),
    { numRuns: 1500, seed: 20261126 },
  );
  t.true(copied > 300, `only ${copied} inputs needed a default`);
});

test('property: validateObject equals the full walk, on raw and on defaulted routes', (t) => {
  let quick = 0;
  let invalid = 0;
  fc.assert(
    fc.property(mutatedObject(seeds), (input) => {
      for (const obj of [input, applyDefaults(asKube(input))]) {
        const full = validateObjectFully(asKube(obj));
        t.deepEqual(validateObject(asKube(obj)), full);
        if (isCertainlyValid(obj)) {
          quick++;
          t.deepEqual(full, [], 'the quick check passed an object the full walk rejects');
        }
        if (full.length > 0) invalid++;
      }
    }),
    { numRuns: 1500, seed: 20261126 },
  );
  // Both branches are exercised, so the equality above is not vacuous.
  t.true(quick > 300, `quick check passed only ${quick} of 3000`);
  t.true(invalid > 300, `only ${invalid} of 3000 were invalid`);
});

test('every single edit of a valid seed: validateObject and applyDefaults equal the slow paths', (t) => {
  const valid = richSeeds()
    .map((s) => applyDefaults(asKube(s)))
    .filter(isCertainlyValid);
  t.true(valid.length >= 6, `only ${valid.length} valid seeds`);
  let edits = 0;
  let quick = 0;
  for (const seed of valid) {
    for (const edited of singleEdits(seed as unknown as Obj)) {
      edits++;
      const full = validateObjectFully(asKube(edited));
      const fast = validateObject(asKube(edited));
      if (full.length === 0 && fast.length === 0) quick++;
      // One assertion per mismatch only: thousands of passing ones would slow the run.
      if (JSON.stringify(fast) !== JSON.stringify(full)) t.deepEqual(fast, full, JSON.stringify(edited));
      const defaulted = applyDefaults(asKube(edited));
      const reference = applyDefaultsReference(asKube(edited));
      if (JSON.stringify(defaulted) !== JSON.stringify(reference)) t.deepEqual(defaulted, reference);
    }
  }
  t.true(edits > 5000, `only ${edits} edits`);
  t.true(quick > 500, `only ${quick} edits stayed valid`);
});

/** What translate relies on when it skips both applyDefaults and validation for a route. */
function assertAsDefaulted(t: ExecutionContext, obj: unknown): boolean {
  if (!isCertainlyValidAsDefaulted(obj)) return false;
  if ((applyDefaults(asKube(obj)) as unknown) !== obj)
    t.fail(`passed as defaulted but applyDefaults copies it: ${JSON.stringify(obj)}`);
  const full = validateObjectFully(asKube(obj));
  if (full.length) t.deepEqual(full, [], JSON.stringify(obj));
  return true;
}

test('property: a route passed as defaulted needs no default and is valid', (t) => {
  let passed = 0;
  let defaultedOnly = 0;
  fc.assert(
    fc.property(mutatedObject(seeds), (input) => {
      const defaulted = applyDefaults(asKube(input));
      if (assertAsDefaulted(t, input)) passed++;
      if (assertAsDefaulted(t, defaulted) && (defaulted as unknown) !== input) defaultedOnly++;
    }),
    { numRuns: 1500, seed: 20261126 },
  );
  // Raw routes that lacked a default are refused as they are and accepted once defaulted.
  t.true(passed > 20, `only ${passed} passed`);
  t.true(defaultedOnly > 100, `only ${defaultedOnly} passed only once defaulted`);
});

test('every single edit of a defaulted valid seed: passed as defaulted only when nothing is missing', (t) => {
  const valid = richSeeds()
    .map((s) => applyDefaults(asKube(s)))
    .filter(isCertainlyValidAsDefaulted);
  t.true(valid.length >= 6, `only ${valid.length} seeds pass as defaulted`);
  let edits = 0;
  let refused = 0;
  for (const seed of valid)
    for (const edited of singleEdits(seed as unknown as Obj)) {
      edits++;
      if (!assertAsDefaulted(t, edited)) refused++;
    }
  t.true(edits > 5000 && refused > 1000, `${edits} edits, ${refused} refused`);
});

test('benchmark routes as the API server returns them pass as defaulted; without defaults they do not', (t) => {
  const snap = generateCluster({ routes: 400, services: 80 });
  const routes = [...(snap.httpRoutes ?? []), ...(snap.grpcRoutes ?? [])];
  t.is(routes.filter((r) => assertAsDefaulted(t, r)).length, routes.length);
  const raw = generateObjects({ routes: 400, services: 80 });
  t.false([...raw.httpRoutes, ...raw.grpcRoutes].some(isCertainlyValidAsDefaulted));
});

test('the quick check accepts every benchmark route once defaulted', (t) => {
  const snap = generateCluster({ routes: 400, services: 80 });
  const routes = [...(snap.httpRoutes ?? []), ...(snap.grpcRoutes ?? [])].map((r) => applyDefaults(r));
  t.is(routes.filter(isCertainlyValid).length, routes.length);
  t.true(routes.every((r) => validateObjectFully(r).length === 0));
});

const GW = 'gateway.networking.k8s.io/v1';
const route = (spec: Obj, extra: Obj = {}): Obj => ({
  apiVersion: GW,
  kind: 'HTTPRoute',
  metadata: { name: 'r', namespace: 'ns' },
  spec,
  ...extra,
});
const backend = { group: '', kind: 'Service', name: 'b', port: 80, weight: 1 };
const rule = (extra: Obj = {}) => ({
  matches: [{ path: { type: 'PathPrefix', value: '/' } }],
  backendRefs: [backend],
  ...extra,
});
const nested = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { v };
  return v;
};

// [what, object, quick check verdict]: valid shapes it proves, and shapes it leaves to the full walk.
const QUICK_CASES: [string, unknown, boolean][] = [
  ['a plain valid route', route({ rules: [rule()] }), true],
  ['no rules at all (HTTPRoute)', route({}), true],
  ['an empty rules list (HTTPRoute needs one)', route({ rules: [] }), false],
  [
    'sessionPersistence is left to the full walk',
    route({ rules: [rule({ sessionPersistence: {} })] }),
    false,
  ],
  [
    'a CORS filter is left to the full walk',
    route({ rules: [rule({ filters: [{ type: 'CORS', cors: {} }] })] }),
    false,
  ],
  [
    'a null namespace is left to the full walk',
    route({}, { metadata: { name: 'r', namespace: null } }),
    false,
  ],
  [
    'the same parent on two ports',
    route({
      parentRefs: [
        { name: 's', port: 80 },
        { name: 's', port: 81 },
      ],
    }),
    true,
  ],
  [
    'the same parent and port twice',
    route({
      parentRefs: [
        { name: 's', port: 80 },
        { name: 's', port: 80 },
      ],
    }),
    false,
  ],
  [
    'the same parent with and without port',
    route({ parentRefs: [{ name: 's', port: 80 }, { name: 's' }] }),
    false,
  ],
  [
    'group "undefined" names the same parent as no group, as in the full walk',
    route({ parentRefs: [{ name: 's' }, { group: 'undefined', name: 's' }] }),
    false,
  ],
  ['two different parents', route({ parentRefs: [{ name: 's' }, { name: 't' }] }), true],
  ['an unknown field', route({ rules: [rule({ matchs: [] })] }), false],
  ['a Service backend without port', route({ rules: [rule({ backendRefs: [{ name: 'b' }] })] }), false],
  [
    'a non-Service backend without port',
    route({ rules: [rule({ backendRefs: [{ kind: 'X', name: 'b' }] })] }),
    true,
  ],
  ['status nested just under the limit', route({}, { status: nested(MAX_NESTING_DEPTH - 1) }), true],
  ['status nested past the limit', route({}, { status: nested(MAX_NESTING_DEPTH) }), false],
  [
    'managedFields nested past the limit',
    route({}, { metadata: { name: 'r', m: nested(MAX_NESTING_DEPTH - 1) } }),
    false,
  ],
  [
    'redirect together with backendRefs',
    route({ rules: [rule({ filters: [{ type: 'RequestRedirect', requestRedirect: {} }] })] }),
    false,
  ],
  ['a Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} }, false],
  ['null', null, false],
  ['a list', [], false],
  ['a string', 'HTTPRoute', false],
];

for (const [what, obj, verdict] of QUICK_CASES) {
  test(`quick check: ${what}`, (t) => {
    t.is(isCertainlyValid(obj), verdict);
    const full = validateObjectFully(asKube(obj));
    t.deepEqual(validateObject(asKube(obj)), full);
    if (verdict) t.deepEqual(full, []);
  });
}

test('quick check: an own __proto__ key is an unknown field, and the prototype is untouched', (t) => {
  const obj = JSON.parse(
    `{"apiVersion":"${GW}","kind":"HTTPRoute","metadata":{"name":"r"},"spec":{"rules":[{"__proto__":{"x":1}}]}}`,
  ) as Obj;
  t.false(isCertainlyValid(obj));
  t.deepEqual(validateObject(asKube(obj)), [
    { path: 'spec.rules[0].__proto__', message: 'unknown field "__proto__"' },
  ]);
  const defaulted = applyDefaults(asKube(obj)) as unknown as { spec: { rules: Obj[] } };
  t.is(Object.getPrototypeOf(defaulted.spec.rules[0]), Object.prototype);
  t.deepEqual(shape(defaulted), shape(applyDefaultsReference(asKube(obj))));
});

test('quick check: cyclic and huge input is refused quickly, without a throw', (t) => {
  const cyclic: Obj = {};
  cyclic.self = cyclic;
  const withCycle = route({ rules: [rule()] }, { status: cyclic });
  t.false(isCertainlyValid(withCycle));
  t.deepEqual(validateObject(asKube(withCycle)), [
    { path: '', message: `nesting is too deep (more than ${MAX_NESTING_DEPTH} levels allowed)` },
  ]);
  const huge = route({ hostnames: Array.from({ length: 200_000 }, () => 'a.example.com') });
  const started = performance.now();
  t.false(isCertainlyValid(huge));
  t.true(performance.now() - started < 50);
});

test('quick check: a throwing getter defers to the full walk, which reports it', (t) => {
  const spec = {};
  Object.defineProperty(spec, 'rules', {
    enumerable: true,
    get() {
      throw new Error('boom');
    },
  });
  const obj = route(spec);
  t.false(isCertainlyValid(obj));
  t.deepEqual(validateObject(asKube(obj)), [{ path: '', message: 'internal validation error: boom' }]);
});

test('defaults: symbol keys, inherited keys and accessors copy as the spread did', (t) => {
  const sym = Symbol('s');
  const inherited = Object.assign(Object.create({ inherited: 1 }) as Obj, { name: 'b', port: 80 });
  const withSymbol = { name: 'c', port: 80, [sym]: 'kept' };
  const obj = route({ rules: [{ backendRefs: [inherited, withSymbol] }] });
  const fast = applyDefaults(asKube(obj)) as unknown as { spec: { rules: { backendRefs: Obj[] }[] } };
  t.deepEqual(shape(fast), shape(applyDefaultsReference(asKube(obj))));
  t.is((fast.spec.rules[0].backendRefs[1] as Record<symbol, unknown>)[sym], 'kept');
  t.false('inherited' in fast.spec.rules[0].backendRefs[0]);
});

test('property: the one-pass path check agrees with the CEL rules on Exact and PathPrefix values', (t) => {
  const piece = fc.constantFrom(
    '/',
    '.',
    '..',
    '%',
    '2',
    'f',
    'F',
    '%2f',
    '%2F',
    '%41',
    'a',
    '#',
    ' ',
    'g',
    '~',
    '@',
    'é',
    '%g',
  );
  let clean = 0;
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 8 }), fc.string({ maxLength: 6 }), (pieces, tail) => {
      for (const value of [pieces.join(''), `/${pieces.join('')}`, `/${pieces.join('')}${tail}`]) {
        const expected = pathValueProblem(value) === undefined;
        if (expected) clean++;
        if (isCleanPathValue(value) !== expected) return false;
      }
      return true;
    }),
    { numRuns: 20000, seed: 20261126 },
  );
  t.true(clean > 2000, `only ${clean} clean values`);
});
