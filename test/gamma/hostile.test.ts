// Hostile input must come back as errors (or be ignored), never as a crash or a hang.
import test from 'ava';
import fc from 'fast-check';
import {
  MAX_NESTING_DEPTH,
  applyDefaults,
  buildSnapshot,
  parseManifestText,
  validateObject,
} from '../../shared/gamma/index.ts';
import type { HTTPRoute, KubeObject } from '../../shared/gamma/index.ts';

const deepYaml = (depth: number) =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
const deepJson = (depth: number) =>
  `{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;

test('10k-deep nesting in YAML is an error, not a stack overflow', (t) => {
  const { objects, errors } = parseManifestText(deepYaml(10_000), 'deep.yaml');
  t.deepEqual(objects, []);
  t.is(errors.length, 1);
  t.regex(errors[0].message, /^deep\.yaml: .*nesting is too deep/);
});

test('10k-deep nesting in JSON is an error', (t) => {
  const { objects, errors } = parseManifestText(deepJson(10_000), 'deep.json');
  t.deepEqual(objects, []);
  t.deepEqual(
    errors.map((e) => e.message),
    [`deep.json: document 1: nesting is too deep (more than ${MAX_NESTING_DEPTH} levels allowed)`],
  );
});

test('nesting just under the limit is accepted', (t) => {
  const { objects, errors } = parseManifestText(deepJson(MAX_NESTING_DEPTH - 3), 'ok.json');
  t.deepEqual(errors, []);
  t.is(objects.length, 1);
});

test('a 5 MB document: huge arrays are reported against their limits quickly', (t) => {
  const backendRefs = Array.from({ length: 60_000 }, (_, i) => ({
    name: `backend-${i}`,
    port: 80,
    weight: 1,
  }));
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'big', namespace: 'ns' },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 's' }], rules: [{ backendRefs }] },
  };
  const text = JSON.stringify(route);
  t.true(text.length > 2_500_000);
  const padded = `${text}\n`.padEnd(5 * 1024 * 1024, ' ');
  const started = performance.now();
  const parsed = parseManifestText(padded, 'big.json');
  const { errors } = buildSnapshot(parsed.objects);
  const elapsed = performance.now() - started;
  t.deepEqual(
    errors.map((e) => e.message),
    ['big.json: HTTPRoute ns/big: spec.rules[0].backendRefs: must have at most 16 items, got 60000'],
  );
  t.true(elapsed < 20_000, `took ${elapsed} ms`); // generous: shared CI machines; catches quadratic blow-ups
});

test('a 5 MB YAML string value is an error on its length', (t) => {
  const text = `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  hostnames: ["${'a'.repeat(5 * 1024 * 1024)}"]\n`;
  const { errors } = buildSnapshot(parseManifestText(text, 'long.yaml').objects);
  t.deepEqual(
    errors.map((e) => e.message),
    ['long.yaml: HTTPRoute default/r: spec.hostnames[0]: must be at most 253 characters, got 5242880'],
  );
});

test('YAML alias bombs are refused', (t) => {
  const bomb = [
    'a: &a [x,x,x,x,x,x,x,x,x,x]',
    ...Array.from(
      { length: 9 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(',')}]`,
    ),
  ].join('\n');
  const { objects, errors } = parseManifestText(
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  ${bomb.replace(/\n/g, '\n  ')}\n`,
    'bomb.yaml',
  );
  t.deepEqual(objects, []);
  t.is(errors.length, 1);
  t.regex(errors[0].message, /^bomb\.yaml: /);
});

test('deeply nested unknown fields: defaults share them, validation refuses them, shallow ones are named', (t) => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 100_000; i++) deep = { x: deep };
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'n' },
    spec: { rules: [{ backendRefs: [{ name: 'b', port: 80 }], extra: deep }], extra: deep },
  } as unknown as HTTPRoute;
  const out = applyDefaults(route);
  t.is((out.spec as Record<string, unknown>).extra, deep, 'unknown subtrees are shared, not copied');
  t.deepEqual(validateObject(out), [
    { path: '', message: `nesting is too deep (more than ${MAX_NESTING_DEPTH} levels allowed)` },
  ]);
  const shallow = {
    ...route,
    spec: { rules: [{ backendRefs: [{ name: 'b', port: 80 }], extra: { a: { b: [1] } } }] },
  } as unknown as HTTPRoute;
  t.deepEqual(validateObject(applyDefaults(shallow)), [
    { path: 'spec.rules[0].extra', message: 'unknown field "extra"' },
  ]);
});

test('property: validateObject and applyDefaults never throw on arbitrary JSON under known keys', (t) => {
  const anything = fc.jsonValue({ maxDepth: 3 });
  const rule = fc.dictionary(
    fc.constantFrom('matches', 'filters', 'backendRefs', 'timeouts', 'retry', 'sessionPersistence', 'name'),
    fc.oneof(
      anything,
      fc.array(
        fc.dictionary(
          fc.constantFrom(
            'path',
            'headers',
            'method',
            'type',
            'name',
            'value',
            'port',
            'weight',
            'filters',
            'requestRedirect',
            'urlRewrite',
            'requestMirror',
            'cors',
            'requestHeaderModifier',
          ),
          anything,
        ),
      ),
    ),
  );
  const obj = fc.record({
    apiVersion: fc.constantFrom('gateway.networking.k8s.io/v1', 'v1', 'x'),
    kind: fc.constantFrom('HTTPRoute', 'GRPCRoute', 'Service', 'Other'),
    metadata: fc.oneof(anything, fc.record({ name: anything, namespace: anything })),
    spec: fc.oneof(
      anything,
      fc.record({
        parentRefs: anything,
        hostnames: anything,
        rules: fc.oneof(anything, fc.array(rule)),
        ports: anything,
      }),
    ),
  });
  fc.assert(
    fc.property(fc.oneof(obj, anything), (value) => {
      const defaulted = applyDefaults(value as KubeObject);
      const errors = validateObject(defaulted);
      return (
        Array.isArray(errors) &&
        errors.every(
          (e) =>
            typeof e.path === 'string' && typeof e.message === 'string' && !e.message.startsWith('internal'),
        )
      );
    }),
    { numRuns: 200 },
  );
  t.pass();
});
