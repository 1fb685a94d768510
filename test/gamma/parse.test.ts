import test from 'ava';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ManifestError, loadManifestPaths, parseManifestText, sourceOf } from '../../shared/gamma/index.ts';

const svc = (name: string) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports: [{port: 80}]\n`;

test('multi-document YAML: every object, empty documents skipped, sources recorded', (t) => {
  const { objects, errors } = parseManifestText(
    `---\n${svc('a')}---\n---\n# only a comment\n---\n${svc('b')}`,
    'm.yaml',
  );
  t.deepEqual(errors, []);
  t.deepEqual(
    objects.map((o) => o.metadata.name),
    ['a', 'b'],
  );
  t.deepEqual(sourceOf(objects[1]), { file: 'm.yaml', document: 4 });
});

test('JSON documents parse, including a top-level List', (t) => {
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: {} },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'b' }, spec: {} },
    ],
  };
  const { objects, errors } = parseManifestText(JSON.stringify(list), 'l.json');
  t.deepEqual(errors, []);
  t.deepEqual(
    objects.map((o) => o.metadata.name),
    ['a', 'b'],
  );
});

test('*List kinds are unwrapped; a bad item names its index', (t) => {
  const text = `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRouteList\nitems:\n- apiVersion: gateway.networking.k8s.io/v1\n  kind: HTTPRoute\n  metadata: {name: r}\n  spec: {}\n- apiVersion: gateway.networking.k8s.io/v1\n  kind: HTTPRoute\n  metadata: {}\n`;
  const { objects, errors } = parseManifestText(text, 'l.yaml');
  t.is(objects.length, 1);
  t.is(errors.length, 1);
  t.is(errors[0].field, 'items[1].metadata.name');
  t.is(
    errors[0].message,
    'l.yaml: HTTPRoute (document 1): items[1].metadata.name: required field is missing',
  );
});

test('malformed YAML names the file, document, line and column; later documents still load', (t) => {
  const text = `${svc('a')}---\nkind: Service\nmetadata: {name: [\n---\n${svc('c')}`;
  const { objects, errors } = parseManifestText(text, 'bad.yaml');
  t.deepEqual(
    objects.map((o) => o.metadata.name),
    ['a', 'c'],
  );
  t.is(errors.length, 1);
  t.true(errors[0] instanceof ManifestError);
  t.is(errors[0].file, 'bad.yaml');
  t.regex(errors[0].message, /^bad\.yaml: document 2: invalid YAML at line \d+, column \d+: /);
});

test('duplicate keys in one mapping are a YAML error', (t) => {
  const { errors } = parseManifestText(
    'apiVersion: v1\nkind: Service\nkind: Service\nmetadata: {name: a}\n',
    'd.yaml',
  );
  t.is(errors.length, 1);
  t.regex(errors[0].message, /invalid YAML at line 3, column 1: .*[Mm]ap keys must be unique/);
});

const envelopeCases: [string, string, string][] = [
  ['a scalar document', 'just a string', 'f.yaml: document 1: expected a Kubernetes object, got a string'],
  ['a list document', '- a\n- b', 'f.yaml: document 1: expected a Kubernetes object, got a list'],
  [
    'missing apiVersion',
    'kind: Service\nmetadata: {name: a}',
    'f.yaml: Service a: apiVersion: required field is missing',
  ],
  ['missing kind', 'apiVersion: v1\nmetadata: {name: a}', 'f.yaml: a: kind: required field is missing'],
  [
    'missing metadata',
    'apiVersion: v1\nkind: Service',
    'f.yaml: Service (document 1): metadata: required field is missing',
  ],
  [
    'missing metadata.name',
    'apiVersion: v1\nkind: Service\nmetadata: {namespace: x}',
    'f.yaml: Service (document 1): metadata.name: required field is missing',
  ],
  [
    'group without version',
    'apiVersion: gateway.networking.k8s.io\nkind: HTTPRoute\nmetadata: {name: r, namespace: ns}',
    'f.yaml: HTTPRoute ns/r: apiVersion: "gateway.networking.k8s.io" has no version; use "gateway.networking.k8s.io/v1"',
  ],
];

for (const [title, text, message] of envelopeCases) {
  test(`envelope: ${title}`, (t) => {
    const { objects, errors } = parseManifestText(text, 'f.yaml');
    t.deepEqual(objects, []);
    t.deepEqual(
      errors.map((e) => e.message),
      [message],
    );
  });
}

test('ManifestError exposes its parts', (t) => {
  const e = new ManifestError(
    { file: 'f', kind: 'HTTPRoute', namespace: 'n', name: 'r', field: 'spec' },
    'boom',
  );
  t.is(e.message, 'f: HTTPRoute n/r: spec: boom');
  t.is(e.name, 'r');
  t.is(e.kind, 'HTTPRoute');
  t.is(e.detail, 'boom');
  t.is(new ManifestError({ file: 'f' }, 'x').message, 'f: x');
});

test('loadManifestPaths: directories (recursively with recursive, as kubectl -R), sorted, only manifest extensions', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gamma-load-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, 'sub'));
  await writeFile(path.join(dir, 'b.yaml'), svc('b'));
  await writeFile(path.join(dir, 'a.yml'), svc('a'));
  await writeFile(
    path.join(dir, 'sub', 'c.json'),
    JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'c' } }),
  );
  await writeFile(path.join(dir, 'notes.txt'), 'not a manifest');
  const flat = await loadManifestPaths([dir]);
  t.deepEqual(flat.errors, []);
  t.deepEqual(
    flat.objects.map((o) => o.metadata.name),
    ['a', 'b'],
  );
  t.deepEqual(
    flat.warnings?.map((w) => w.message),
    [`${dir}: subdirectories not read (sub); add -R to read them, as with kubectl`],
  );
  const { objects, errors, warnings } = await loadManifestPaths([dir], { recursive: true });
  t.deepEqual(errors, []);
  t.deepEqual(warnings, []);
  t.deepEqual(
    objects.map((o) => o.metadata.name),
    ['a', 'b', 'c'],
  );
  t.is(sourceOf(objects[2])?.file, path.join(dir, 'sub', 'c.json'));
});

test('loadManifestPaths: a missing path is an error naming it', async (t) => {
  const { objects, errors } = await loadManifestPaths(['/nonexistent/x.yaml']);
  t.deepEqual(objects, []);
  t.deepEqual(
    errors.map((e) => e.message),
    ['/nonexistent/x.yaml: cannot read: no such file or directory'],
  );
});
