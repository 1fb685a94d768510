// Smoke test of the benchmark runner: the cheap scenarios in tiny sizes against the real emulators
// on loopback, the shape of what they report, and the results files. Timing goals are not asserted
// (the machine may be shared); behaviour that does not depend on speed is.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mergeResults, runBenchmarks, selectScenarios, writeResults } from '../../bench/run.ts';
import {
  collectFigures,
  figureOf,
  markdownTable,
  median,
  percentile,
  type Figure,
  type Results,
  type ScenarioResult,
} from '../../bench/figures.ts';
import { generateCluster } from '../../bench/generate.ts';

const out = mkdtempSync(path.join(tmpdir(), 'gamma-bench-test-'));
test.after.always(() => rmSync(out, { recursive: true, force: true }));

function checkShape(t: ExecutionContext, f: Figure) {
  t.true(Number.isFinite(f.value), `${f.name} value ${f.value}`);
  t.true(Number.isFinite(f.min) && Number.isFinite(f.max), `${f.name} min/max`);
  t.true(f.min <= f.value && f.value <= f.max, `${f.name}: ${f.min} <= ${f.value} <= ${f.max}`);
  t.true(f.pass === null || typeof f.pass === 'boolean', `${f.name} pass`);
  t.is(f.pass === null, f.goal === 'info', `${f.name}: only info figures have no verdict`);
  t.is(typeof f.unit, 'string');
  t.true(f.samples >= 1);
}

test('median, percentile and goals', (t) => {
  t.is(median([5, 1, 3]), 3);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.is(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 50), 50);
  t.is(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 99), 100);
  const f = figureOf('x_ms', [300, 100, 200], { op: '<', target: 250 }, 'ms');
  t.like(f, { value: 200, min: 100, max: 300, pass: true, goal: '< 250', samples: 3 });
  t.false(figureOf('y', [0.7], { op: '>=', target: 0.8 }, 'ratio').pass);
  t.is(figureOf('z', [1], 'info', 'MB').pass, null);
  t.throws(() => median([]));
});

test('the generator is deterministic and mixes route kinds over the Services', (t) => {
  const a = generateCluster({ routes: 100, services: 20 });
  t.deepEqual(a, generateCluster({ routes: 100, services: 20 }));
  t.notDeepEqual(a, generateCluster({ routes: 100, services: 20, seed: 7 }));
  t.is(a.services.length, 20);
  t.is(a.httpRoutes.length + a.grpcRoutes.length, 100);
  t.true(a.grpcRoutes.length > 0 && a.httpRoutes.length > a.grpcRoutes.length);
});

test('unknown scenario names are refused with the known ones listed', (t) => {
  t.throws(() => selectScenarios(['translate', 'nope']), {
    message: /unknown scenario nope; known: translate, /,
  });
  t.deepEqual(
    selectScenarios(['cold-apply', 'translate']).map((s) => s.name),
    ['translate', 'cold-apply'],
  );
});

test('quick run of the cheap scenarios with tiny sizes: figures, verdicts and result files', async (t) => {
  const results = await runBenchmarks({
    quick: true,
    only: ['translate', 'steady-state', 'cold-apply'],
    params: {
      translate: {
        sizes: [
          { routes: 40, services: 10, runs: 2 },
          { routes: 120, services: 30, runs: 1 },
        ],
      },
      'steady-state': { services: 6, routes: 12, runs: 2 },
      'cold-apply': { resources: 6, operationDelayMs: 50 },
    },
  });
  t.deepEqual(
    results.scenarios.map((s) => [s.scenario, s.error]),
    [
      ['translate', undefined],
      ['steady-state', undefined],
      ['cold-apply', undefined],
    ],
  );
  const names = Object.keys(results.figures);
  for (const name of [
    'translate_40_ms',
    'translate_120_ms',
    'translate_scaling_ratio',
    'translate_peak_rss_mb',
    'steady_state_writes',
    'steady_state_reads',
    'steady_state_wall_ms',
    'pipeline_efficiency',
  ])
    t.true(names.includes(name), `missing ${name} in ${names.join(', ')}`);
  for (const s of results.scenarios) for (const f of s.figures) checkShape(t, f);

  // Behaviour, not speed: a second reconcile of an unchanged cluster writes nothing and only lists.
  t.is(results.figures.steady_state_writes.value, 0);
  t.true(results.figures.steady_state_reads.pass);
  t.true(results.figures.steady_state_reads.value >= 3, 'one list page per kind at least');
  t.true(results.figures.pipeline_efficiency.value > 0);
  t.true(results.figures.cold_apply_requests.value >= 7, 'six creates and the Mesh');

  const written = writeResults(results, out);
  const json = JSON.parse(readFileSync(written.json, 'utf8')) as typeof results;
  t.deepEqual(json.figures, results.figures);
  const md = readFileSync(written.md, 'utf8');
  for (const name of names) t.true(md.includes(`| ${name} |`), `results.md lists ${name}`);
});

test('a scenario that fails is reported with its error and no figures', (t) => {
  const md = markdownTable({
    generatedAt: 'now',
    quick: true,
    node: 'v20',
    cpus: 1,
    loadAverage: [0, 0, 0],
    figures: {},
    scenarios: [
      { scenario: 'burst', title: 'Burst', quick: true, durationMs: 1, figures: [], error: 'no pipeline' },
    ],
  });
  t.regex(md, /\| burst \| \(not run\) \|/);
  t.regex(md, /burst: not run: no pipeline/);
});

test('a partial run replaces only its scenarios in the previous results', (t) => {
  const scenarioOf = (name: string, value: number): ScenarioResult => ({
    scenario: name,
    title: name,
    quick: false,
    durationMs: 1,
    figures: [figureOf(`${name}_x`, [value], 'info', 'ms')],
  });
  const resultsOf = (scenarios: ScenarioResult[], quick: boolean): Results => ({
    generatedAt: 'now',
    quick,
    node: 'v20',
    cpus: 1,
    loadAverage: [0, 0, 0],
    scenarios,
    figures: collectFigures(scenarios),
  });
  const full = resultsOf(
    [scenarioOf('translate', 1), scenarioOf('burst', 2), scenarioOf('cold-start', 3)],
    false,
  );
  const merged = mergeResults(full, resultsOf([scenarioOf('burst', 20)], true));
  t.deepEqual(
    merged.scenarios.map((s) => s.scenario),
    ['translate', 'burst', 'cold-start'],
  );
  t.is(merged.figures.burst_x.value, 20);
  t.is(merged.figures.translate_x.value, 1);
  t.false(merged.quick, 'a full run with one quick scenario is not a quick run');
});

test('backends and quota outage in tiny sizes: no steady-state writes, no change lost', async (t) => {
  const results = await runBenchmarks({
    quick: true,
    only: ['backends', 'quota-outage'],
    params: {
      backends: { steadyServices: 8, coldServices: 6, operationDelayMs: 50 },
      // A 90-s outage at 90x: 1 s of real time, and the retries' wake-ups after it fast too (only
      // loss is asserted, not time); a long settle limit.
      'quota-outage': {
        services: 4,
        changesPerSecond: 4,
        outageS: 90,
        speed: 90,
        settleTimeoutS: 1800,
        warpAfterS: 120,
      },
    },
  });
  t.deepEqual(
    results.scenarios.map((s) => [s.scenario, s.error]),
    [
      ['backends', undefined],
      ['quota-outage', undefined],
    ],
  );
  for (const s of results.scenarios) for (const f of s.figures) checkShape(t, f);
  t.log(results.scenarios.map((s) => `${s.scenario} ${s.durationMs} ms`).join(', '));
  t.is(results.figures.backends_steady_state_writes.value, 0, 'nothing written to Compute or NS');
  t.true(results.figures.backends_cold_efficiency.value > 0);
  t.true(results.figures.backends_cold_requests_per_resource.value >= 2, 'an insert and a wait each');
  t.is(results.figures.quota_outage_changes_lost.value, 0);
  t.true(results.figures.quota_outage_429s.value > 0, 'the outage refused requests');
  t.true(results.figures.quota_outage_converge_s.value >= 0);
});
