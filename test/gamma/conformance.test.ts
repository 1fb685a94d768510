// Every object of the upstream mesh conformance suite is valid Kubernetes input, so it must load,
// default and validate without a single error (a false rejection here would fail a conformance case).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { buildSnapshot, validateObject } from '../../shared/gamma/index.ts';
import type { KubeObject } from '../../shared/gamma/index.ts';
import { MESH_CASES_FILE } from '../support/paths.ts';

interface Corpus {
  base: { namespaces: KubeObject[]; services: KubeObject[]; deployments?: KubeObject[] };
  tests: { name: string; manifests: KubeObject[] }[];
}

const corpus = parseYaml(readFileSync(MESH_CASES_FILE, 'utf8')) as Corpus;

test('the corpus has the mesh tests and base objects', (t) => {
  t.true(corpus.tests.length >= 22);
  t.true(corpus.base.services.length >= 3);
});

for (const c of corpus.tests) {
  test(`conformance manifests build cleanly: ${c.name}`, (t) => {
    const objects = [...corpus.base.namespaces, ...corpus.base.services, ...c.manifests];
    const { snapshot, errors } = buildSnapshot(objects);
    t.deepEqual(
      errors.map((e) => e.message),
      [],
    );
    const routes = c.manifests.filter((o) => o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute');
    t.is(snapshot.httpRoutes.length + snapshot.grpcRoutes.length, routes.length);
    for (const r of [...snapshot.httpRoutes, ...snapshot.grpcRoutes]) t.deepEqual(validateObject(r), []);
  });
}
