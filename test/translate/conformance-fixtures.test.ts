// The committed conformance fixtures hold exactly what gen-conformance-fixtures.ts extracts (compared as
// parsed documents, so formatting by prettier does not matter).
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { FIXTURES_DIR, MESH_CASES, conformanceFixtures, kebab } from './gen-conformance-fixtures.ts';

test('kebab-case test names', (t) => {
  t.is(kebab('MeshHTTPRouteRedirectPort'), 'mesh-http-route-redirect-port');
  t.is(kebab('MeshGRPCRouteWeight'), 'mesh-grpc-route-weight');
});

const hasMeshCases = existsSync(MESH_CASES);
(hasMeshCases ? test : test.skip)(
  `conformance fixtures are up to date${hasMeshCases ? '' : ` (skipped: ${MESH_CASES} not present)`}`,
  (t) => {
    const generated = conformanceFixtures(readFileSync(MESH_CASES, 'utf8'));
    t.true(generated.size >= 22);
    const docs = (yamlText: string) => parseAllDocuments(yamlText).map((d) => d.toJSON());
    for (const [file, text] of generated) {
      const committed = path.join(FIXTURES_DIR, file);
      t.true(
        existsSync(committed),
        `${file} missing: run npx tsx test/translate/gen-conformance-fixtures.ts`,
      );
      t.deepEqual(
        docs(readFileSync(committed, 'utf8')),
        docs(text),
        `${file} is stale: run npx tsx test/translate/gen-conformance-fixtures.ts`,
      );
    }
  },
);
