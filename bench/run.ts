// `npm run bench` (tsx bench/run.ts): runs the benchmark scenarios against the product's real code
// paths and writes bench/results.json (figure -> {value, goal, pass, min, max, unit}) and
// bench/results.md. Options: --quick (reduced sizes, whole run under about 2 minutes),
// --only NAME[,NAME] (scenarios by name; their results replace those scenarios in the existing
// results files), --out DIR (where results go; default bench/).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { collectFigures, markdownTable, type Results, type ScenarioResult } from './figures.ts';
import type { Log, Scenario } from './scenario.ts';
import { translateScenario } from './scenarios/translate.ts';
import { steadyStateScenario } from './scenarios/steady-state.ts';
import { coldApplyScenario } from './scenarios/cold-apply.ts';
import { eventLatencyScenario } from './scenarios/event-latency.ts';
import { burstScenario } from './scenarios/burst.ts';
import { coldStartScenario } from './scenarios/cold-start.ts';
import { reconcileMemoryScenario } from './scenarios/reconcile-memory.ts';
import { backendsScenario } from './scenarios/backends.ts';
import { quotaOutageScenario } from './scenarios/quota-outage.ts';

export const SCENARIOS: Scenario<unknown>[] = [
  translateScenario,
  steadyStateScenario,
  coldApplyScenario,
  eventLatencyScenario,
  burstScenario,
  coldStartScenario,
  reconcileMemoryScenario,
  backendsScenario,
  quotaOutageScenario,
];

export interface RunOptions {
  quick: boolean;
  only?: string[];
  log?: Log;
  /** Parameter overrides per scenario name (tests use tiny sizes). */
  params?: Record<string, unknown>;
}

export function selectScenarios(only: string[] | undefined): Scenario<unknown>[] {
  if (!only || only.length === 0) return SCENARIOS;
  const unknown = only.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length)
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  return SCENARIOS.filter((s) => only.includes(s.name));
}

/** Runs scenarios one after another; a failing scenario is recorded with its error, the rest still run. */
export async function runBenchmarks(opts: RunOptions): Promise<Results> {
  const log = opts.log ?? (() => undefined);
  const scenarios: ScenarioResult[] = [];
  for (const s of selectScenarios(opts.only)) {
    const t0 = performance.now();
    const result: ScenarioResult = {
      scenario: s.name,
      title: s.title,
      quick: opts.quick,
      durationMs: 0,
      figures: [],
    };
    log(`== ${s.name}: ${s.title}`);
    try {
      result.figures = await s.run(opts.params?.[s.name] ?? s.params(opts.quick), log);
    } catch (e) {
      result.error = e instanceof Error ? e.message : String(e);
      log(`${s.name} failed: ${result.error}`);
    }
    result.durationMs = Math.round(performance.now() - t0);
    for (const f of result.figures)
      log(
        `  ${f.name} = ${f.value} ${f.unit} (goal ${f.goal}${f.pass === null ? '' : f.pass ? ', met' : ', MISSED'})`,
      );
    scenarios.push(result);
  }
  return {
    generatedAt: new Date().toISOString(),
    quick: opts.quick,
    node: process.version,
    cpus: cpus().length,
    loadAverage: loadavg(),
    scenarios,
    figures: collectFigures(scenarios),
  };
}

/**
 * Results of a partial run (--only) replace those scenarios in the previous results, so re-running
 * one scenario keeps the others' figures; a full run replaces everything.
 */
export function mergeResults(previous: Results | undefined, next: Results): Results {
  if (!previous) return next;
  const ran = new Set(next.scenarios.map((s) => s.scenario));
  const order = SCENARIOS.map((s) => s.name);
  const scenarios = [...previous.scenarios.filter((s) => !ran.has(s.scenario)), ...next.scenarios].sort(
    (a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario),
  );
  return { ...next, quick: next.quick && previous.quick, scenarios, figures: collectFigures(scenarios) };
}

function readPrevious(file: string): Results | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Results;
    return Array.isArray(parsed.scenarios) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function writeResults(
  results: Results,
  dir: string,
  opts: { merge?: boolean } = {},
): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'results.json');
  const md = path.join(dir, 'results.md');
  if (opts.merge) results = mergeResults(readPrevious(json), results);
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(md, markdownTable(results));
  return { json, md };
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('bench')
    .description('gamma-csm benchmarks')
    .option('--quick', 'reduced sizes (whole run under about 2 minutes)', false)
    .option('--only <names>', `comma-separated scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`)
    .option(
      '--out <dir>',
      'directory for results.json and results.md',
      path.dirname(fileURLToPath(import.meta.url)),
    )
    .exitOverride();
  program.parse(argv, { from: 'user' });
  const o = program.opts<{ quick: boolean; only?: string; out: string }>();
  // Never reach for a metadata server from a benchmark: everything is on loopback.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const only = o.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  selectScenarios(only);
  const results = await runBenchmarks({ quick: o.quick, only, log: (l) => console.log(l) });
  const written = writeResults(results, o.out, { merge: only !== undefined && only.length > 0 });
  console.log(`\n${markdownTable(results)}\nwritten: ${written.json}, ${written.md}`);
  return results.scenarios.some((s) => s.error) ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(2);
    },
  );
}
