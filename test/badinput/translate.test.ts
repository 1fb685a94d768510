// Adversarial routes through the pure path (parse -> buildSnapshot -> translate), the same code the
// CLI and the sync function run. Every bad input must end as a named error or a visible rejection in
// status, never as a throw, never as a regex RE2 would refuse, never as a widened match.
import test from 'ava';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { stringify } from 'yaml';
import { buildSnapshot, parseManifestText } from '../../shared/gamma/index.ts';
import type { KubeObject } from '../../shared/gamma/index.ts';
import { ID_PATTERN, translate } from '../../shared/translate/index.ts';
import type { Desired, Snapshot } from '../../shared/translate/types.ts';
import {
  BACKTRACKING,
  OPTIONS,
  RE2_REJECTED,
  conditionOf,
  httpRoute,
  okRule,
  regexHeaderRule,
  regexPathRule,
  regexesIn,
  service,
} from './support.ts';
import type { Obj } from './support.ts';

const SVC = service('svc', 'ns');

function snapshotOf(...objects: Obj[]): Snapshot {
  const built = buildSnapshot(objects as unknown as KubeObject[]);
  return built.snapshot;
}

/** The sync path hands translate the cluster's objects as they are (no parse step), so do the same. */
function rawSnapshot(route: Obj): Snapshot {
  return { services: [SVC], httpRoutes: [route], grpcRoutes: [] } as unknown as Snapshot;
}

/** Invariants every translate output must keep, whatever went in. */
function assertWellFormed(t: { true(v: boolean, m?: string): void }, d: Desired): void {
  for (const r of [...d.httpRoutes, ...d.grpcRoutes]) {
    const id = String(r.name).split('/').pop() ?? '';
    t.true(ID_PATTERN.test(id), `resource id ${id} is valid`);
    for (const re of regexesIn(r)) {
      let ok = true;
      try {
        RE2JS.compile(re);
      } catch {
        ok = false;
      }
      t.true(ok, `emitted regex ${JSON.stringify(re)} compiles under RE2`);
    }
  }
}

/** Rules that send traffic to a backend although they carry no match: a dropped match widened. */
function widenedRules(d: Desired): unknown[] {
  return d.httpRoutes.flatMap((r) =>
    (r.rules ?? []).filter(
      (rule) => (rule.matches ?? []).length === 0 && (rule.action?.destinations ?? []).length > 0,
    ),
  );
}

for (const pattern of RE2_REJECTED) {
  test(`path regex ${JSON.stringify(pattern)} that RE2 refuses is rejected visibly and never emitted`, (t) => {
    const d = translate(
      snapshotOf(SVC, httpRoute('r', 'ns', 'svc', [regexPathRule(pattern, 'svc'), okRule('svc')])),
      OPTIONS,
    );
    const parents = d.statuses.find((s) => s.name === 'r')?.parents;
    const partial = conditionOf(parents, 'PartiallyInvalid');
    t.is(partial?.status, 'True');
    t.regex(partial?.message ?? '', /RE2|regular expression/i);
    t.false(regexesIn(d.httpRoutes).includes(pattern));
    t.deepEqual(widenedRules(d), [], 'the dropped match did not become a catch-all');
    assertWellFormed(t, d);
  });
}

test('a route whose only rule has a refused header regex is Accepted=False and routes nothing', (t) => {
  const d = translate(
    snapshotOf(SVC, httpRoute('r', 'ns', 'svc', [regexHeaderRule('(?=x)', 'svc')])),
    OPTIONS,
  );
  const parents = d.statuses.find((s) => s.name === 'r')?.parents;
  const acceptedFalse = conditionOf(parents, 'Accepted')?.status === 'False';
  const partial = conditionOf(parents, 'PartiallyInvalid')?.status === 'True';
  t.true(acceptedFalse || partial, JSON.stringify(parents));
  t.deepEqual(widenedRules(d), []);
  const destinations = d.httpRoutes.flatMap((r) =>
    (r.rules ?? []).flatMap((x) => x.action?.destinations ?? []),
  );
  t.deepEqual(destinations, [], 'no request reaches the backend through the rejected rule');
});

test('patterns built to backtrack translate quickly and only RE2-valid regexes come out', (t) => {
  const rules = BACKTRACKING.flatMap((p) => [regexPathRule(p, 'svc'), regexHeaderRule(p, 'svc')]);
  const started = performance.now();
  const d = translate(snapshotOf(SVC, httpRoute('r', 'ns', 'svc', rules)), OPTIONS);
  const ms = performance.now() - started;
  t.true(ms < 2000, `translate took ${ms.toFixed(0)} ms`);
  assertWellFormed(t, d);
  // Evaluating them is linear with RE2: a 30-character hostile subject matches in well under a second.
  const subject = `/${'a'.repeat(30)}!`;
  const evalStart = performance.now();
  for (const re of regexesIn(d.httpRoutes)) RE2JS.compile(re).matcher(subject).matches();
  t.true(performance.now() - evalStart < 1000);
});

test('a hostile counted repeat and an over-long regex are rejected with a reason', (t) => {
  const huge = `/${'a'.repeat(5000)}`;
  const rules = [regexPathRule('/((a{100}){100}){100}', 'svc'), regexPathRule(huge, 'svc'), okRule('svc')];
  const d = translate(rawSnapshot(httpRoute('r', 'ns', 'svc', rules)), OPTIONS);
  const message = conditionOf(d.statuses[0]?.parents, 'PartiallyInvalid')?.message ?? '';
  t.regex(message, /Dropped Rule spec\.rules\[0\]/);
  t.regex(message, /Rule 1|spec\.rules\[1\]/);
  assertWellFormed(t, d);
});

test('YAML with wrong types, out-of-range values and invalid names gives errors naming file, object and field', (t) => {
  const docs = [
    SVC,
    { ...httpRoute('Bad_Name', 'ns', 'svc') },
    { ...httpRoute('wrong-types', 'ns', 'svc'), spec: { parentRefs: 'svc', rules: { a: 1 } } },
    {
      ...httpRoute('bad-port', 'ns', 'svc'),
      spec: { parentRefs: [{ kind: 'Service', group: '', name: 'svc', port: 70000 }] },
    },
  ];
  const text = docs.map((d) => stringify(d)).join('---\n');
  const parsed = parseManifestText(text, 'hostile.yaml');
  const built = buildSnapshot(parsed.objects);
  const messages = [...parsed.errors, ...built.errors].map((e) => e.message);
  for (const name of ['Bad_Name', 'wrong-types', 'bad-port'])
    t.true(
      messages.some((m) => m.startsWith('hostile.yaml: HTTPRoute ns/' + name + ':')),
      `${name} named in ${JSON.stringify(messages)}`,
    );
  t.deepEqual(
    built.snapshot.httpRoutes.map((r) => r.metadata.name),
    [],
    'no invalid route reaches translate',
  );
});

// Fixed: unknown fields were silently ignored, so a typo such as `matchs` widened a rule to match-all.
test('an unknown field (the typo `matchs`) is reported instead of widening the rule to match-all', (t) => {
  const typo = {
    matchs: [{ path: { type: 'PathPrefix', value: '/admin' } }],
    backendRefs: [{ name: 'svc', port: 80 }],
  };
  const parsed = parseManifestText(stringify(httpRoute('typo', 'ns', 'svc', [typo])), 'typo.yaml');
  const built = buildSnapshot([SVC as unknown as KubeObject, ...parsed.objects]);
  t.true(
    built.errors.some((e) => e.message.includes('matchs')),
    `errors: ${JSON.stringify(built.errors.map((e) => e.message))}`,
  );
});

test('a 10 000-rule route is refused quickly with a message, not translated', (t) => {
  const rules = Array.from({ length: 10_000 }, (_, i) => ({
    matches: [{ path: { type: 'PathPrefix', value: `/p${i}` } }],
    backendRefs: [{ name: 'svc', port: 80 }],
  }));
  const started = performance.now();
  const built = buildSnapshot([SVC, httpRoute('big', 'ns', 'svc', rules)] as unknown as KubeObject[]);
  const d = translate(rawSnapshot(httpRoute('big', 'ns', 'svc', rules)), OPTIONS);
  t.true(performance.now() - started < 5000);
  t.true(built.errors.some((e) => /big/.test(e.message) && /spec\.rules/.test(e.message)));
  t.is(conditionOf(d.statuses[0]?.parents, 'Accepted')?.status, 'False');
  t.deepEqual(d.httpRoutes, [], 'nothing is emitted for the refused route');
});

// ---- fuzzing: the sync path feeds translate raw cluster objects ----

const jsonValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -2, max: 70_000 }),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    '/(?=a)',
    '(a)\\1',
    '',
    '/',
    'Service',
    'RegularExpression',
    'PathPrefix',
    '-a-',
    'a'.repeat(300),
  ),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 3 }),
);

/** Every path (as keys) into the valid route, so mutations reach deep fields, not only the top. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

function setAt(root: Obj, path: (string | number)[], value: unknown): Obj {
  const copy = structuredClone(root);
  if (path.length === 0) return copy;
  let cursor = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
  cursor[path[path.length - 1]] = value;
  return copy;
}

const BASE = httpRoute('fuzz', 'ns', 'svc', [
  regexPathRule('/v[0-9]+', 'svc'),
  {
    ...okRule('svc'),
    filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'a', value: 'b' }] } }],
  },
  regexHeaderRule('x.*', 'svc'),
]);
const PATHS = pathsOf(BASE);

test('property: translate never throws on mutated routes and its output stays well formed', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom(...PATHS), jsonValue), { minLength: 1, maxLength: 4 }),
      (mutations) => {
        let route = BASE;
        for (const [path, value] of mutations) {
          try {
            route = setAt(route, path, value);
          } catch {
            // the path vanished under an earlier mutation: skip it
          }
        }
        const d = translate(rawSnapshot(route), OPTIONS);
        assertWellFormed(t, d);
        const entry = d.statuses.find((s) => s.name === 'fuzz');
        // A route that names gamma-csm's parent but is refused says so in its status.
        if (entry && d.httpRoutes.length === 0) t.true(entry.parents.length > 0);
        // parse.ts checks the envelope before buildSnapshot on the CLI path; a broken envelope is the
        // separate failing test below.
        if (typeof route.metadata !== 'object' || route.metadata === null || Array.isArray(route.metadata))
          return;
        const built = buildSnapshot([SVC, route] as unknown as KubeObject[]);
        // Errors name where they come from, even when the mutation broke the object's own name.
        for (const e of built.errors) t.regex(e.message, /^<input>: \S/);
      },
    ),
    { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? 7) },
  );
});

// Fixed: buildSnapshot threw a TypeError for an object whose metadata is not an object.
test('buildSnapshot turns an object with metadata null, a list or a string into an error value', (t) => {
  for (const metadata of [null, [], 'x']) {
    const built = buildSnapshot([
      SVC,
      { ...httpRoute('r', 'ns', 'svc'), metadata },
    ] as unknown as KubeObject[]);
    t.true(built.errors.some((e) => /metadata/.test(e.message)));
  }
});
