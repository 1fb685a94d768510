// Golden tests: every test/fixtures/<case>.yaml is loaded with shared/gamma (parseManifestText +
// buildSnapshot), translated, its Compute bodies derived (health checks, backend services), and
// compared with <case>.golden.json. Options come from an optional
// first line `# options: {...}`. UPDATE_GOLDEN=1 (npm run golden:update) rewrites the goldens.
import test from 'ava';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSnapshot, parseManifestText } from '../../shared/gamma/index.ts';
import { translate } from '../../shared/translate/index.ts';
import { desiredCompute } from '../../shared/compute/desired.ts';
import type { TranslateOptions } from '../../shared/translate/types.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

export const DEFAULT_GOLDEN_OPTIONS: TranslateOptions = {
  project: 'demo',
  location: 'global',
  mesh: 'demo-mesh',
  clusterId: 'test',
  controllerName: 'gamma-csm.dev/controller',
  clusterDomain: 'cluster.local',
};

function optionsOf(text: string, file: string): TranslateOptions {
  const first = text.split('\n', 1)[0];
  const match = /^#\s*options:\s*(\{.*\})\s*$/.exec(first);
  if (!match) return DEFAULT_GOLDEN_OPTIONS;
  try {
    return { ...DEFAULT_GOLDEN_OPTIONS, ...JSON.parse(match[1]) };
  } catch (err) {
    throw new Error(`${file}: bad options line: ${(err as Error).message}`);
  }
}

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const goldens = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.golden.json'))
  .sort();

test('every golden has a fixture', (t) => {
  const orphans = goldens.filter((g) => !fixtures.includes(g.replace(/\.golden\.json$/, '.yaml')));
  t.deepEqual(orphans, [], 'delete the orphaned goldens or restore their fixtures');
});

for (const file of fixtures) {
  test(`golden ${file}`, (t) => {
    const text = readFileSync(path.join(FIXTURES, file), 'utf8');
    const parsed = parseManifestText(text, file);
    t.deepEqual(parsed.errors.map(String), [], 'fixture must parse');
    const built = buildSnapshot(parsed.objects);
    t.deepEqual(built.errors.map(String), [], 'fixture must be valid');
    const options = optionsOf(text, file);
    const desired = translate(built.snapshot, options);
    const compute = desiredCompute(built.snapshot.services, desired.backends, options);
    const actual = `${JSON.stringify({ ...desired, ...compute }, null, 2)}\n`;
    const goldenPath = path.join(FIXTURES, file.replace(/\.yaml$/, '.golden.json'));
    if (UPDATE) {
      writeFileSync(goldenPath, actual);
      t.pass();
      return;
    }
    t.true(existsSync(goldenPath), `missing ${path.basename(goldenPath)}: run npm run golden:update`);
    const expected = readFileSync(goldenPath, 'utf8');
    t.deepEqual(
      JSON.parse(actual),
      JSON.parse(expected),
      `translation differs from ${path.basename(goldenPath)}: run npm run golden:update if intended`,
    );
  });
}
