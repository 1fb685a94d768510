// Scenario 1: translate scaling on synthetic clusters (bench/generate.ts). The same snapshot is
// translated several times: the median is a warm instance (as a reconcile function is between
// ticks), so warm-up runs are left out of it (the JIT is still compiling: the second run of a size
// is typically 1.5x the later ones); the first (cold) run is reported on its own. CPU time is shown
// beside wall time because the machine may be shared.
// translate runs as deployed: bundled by scripts/build.ts, as the functions ship it. The bench process
// itself runs under tsx, which compiles with esbuild's keepNames (every closure gets a defineProperty
// call), costing ~20% here that no deployed function pays.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCluster, BENCH_TRANSLATE_OPTIONS } from '../generate.ts';
import { figureOf, median, type Figure } from '../figures.ts';
import { peakRssMb, scenario, type Log } from '../scenario.ts';
import { buildBundle } from '../../scripts/build.ts';
import type { translate as TranslateFn } from '../../shared/translate/index.ts';
import type { Desired } from '../../shared/translate/types.ts';
import { routeBytes } from '../../shared/translate/limits.ts';

type Translate = typeof TranslateFn;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** shared/translate bundled with the deployed functions' esbuild settings, then imported. */
export async function bundledTranslate(): Promise<Translate> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'gamma-bench-translate-'));
  try {
    const report = await buildBundle(
      { name: 'translate', entry: 'shared/translate/index.ts', kind: 'process' },
      { root: ROOT, outdir },
    );
    const mod = (await import(pathToFileURL(report.outfile).href)) as { translate: Translate };
    return mod.translate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface TranslateSize {
  routes: number;
  services: number;
  /** Measured runs (the median and the min-max are over these). */
  runs: number;
  /** Runs before them: the first is reported as the cold run, the rest only warm up. Default 2. */
  warmup?: number;
}

export interface TranslateParams {
  sizes: TranslateSize[];
}

interface Timing {
  size: TranslateSize;
  firstMs: number;
  wallMs: number[];
  cpuMs: number[];
  outputRoutes: number;
  largest: Largest;
}

/** The largest Network Services route of a translation, each measure on its own (limits.ts caps them). */
interface Largest {
  rulesPerRoute: number;
  matchesPerRoute: number;
  matchesPerRule: number;
  routeBytes: number;
}

export function largestOf(desired: Desired): Largest {
  const out: Largest = { rulesPerRoute: 0, matchesPerRoute: 0, matchesPerRule: 0, routeBytes: 0 };
  for (const route of [...desired.httpRoutes, ...desired.grpcRoutes]) {
    const rules = (route.rules ?? []) as { matches?: unknown[] | null }[];
    let matches = 0;
    for (const rule of rules) {
      const n = rule.matches?.length ?? 0;
      matches += n;
      out.matchesPerRule = Math.max(out.matchesPerRule, n);
    }
    out.rulesPerRoute = Math.max(out.rulesPerRoute, rules.length);
    out.matchesPerRoute = Math.max(out.matchesPerRoute, matches);
    out.routeBytes = Math.max(out.routeBytes, routeBytes(route));
  }
  return out;
}

function label(routes: number): string {
  return routes >= 1000 && routes % 1000 === 0 ? `${routes / 1000}k` : String(routes);
}

export function timeTranslate(size: TranslateSize, translate: Translate): Timing {
  const snapshot = generateCluster({ routes: size.routes, services: size.services });
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  let outputRoutes = 0;
  let last: Desired | undefined;
  const warmup = Math.max(1, size.warmup ?? 2);
  for (let run = 0; run < warmup + size.runs; run++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const desired = translate(snapshot, BENCH_TRANSLATE_OPTIONS);
    wallMs.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpuMs.push((cpu.user + cpu.system) / 1000);
    outputRoutes = desired.httpRoutes.length + desired.grpcRoutes.length;
    last = desired;
  }
  return {
    size,
    firstMs: wallMs[0],
    wallMs: wallMs.slice(warmup),
    cpuMs: cpuMs.slice(warmup),
    outputRoutes,
    largest: largestOf(last as Desired),
  };
}

export function translateFigures(timings: Timing[]): Figure[] {
  const figures: Figure[] = [];
  for (const t of timings) {
    const name = label(t.size.routes);
    const shape = `${t.size.routes} routes over ${t.size.services} Services -> ${t.outputRoutes} NS routes`;
    const goal = t.size.routes === 10_000 ? ({ op: '<', target: 250 } as const) : 'info';
    figures.push(figureOf(`translate_${name}_ms`, t.wallMs, goal, 'ms', shape));
    figures.push(figureOf(`translate_${name}_cpu_ms`, t.cpuMs, 'info', 'ms'));
    figures.push(figureOf(`translate_${name}_first_ms`, [t.firstMs], 'info', 'ms', 'first (cold) run'));
    figures.push(
      figureOf(
        `translate_${name}_us_per_route`,
        t.cpuMs.map((ms) => (ms * 1000) / t.size.routes),
        'info', // the goal is translate_10k_ms; this shows the CPU cost per route behind it
        'us',
      ),
    );
    const big = t.largest;
    const where = 'largest NS route of the translation (shared/translate/limits.ts caps it)';
    figures.push(
      figureOf(`translate_${name}_max_rules_per_route`, [big.rulesPerRoute], 'info', 'rules', where),
    );
    figures.push(
      figureOf(`translate_${name}_max_matches_per_route`, [big.matchesPerRoute], 'info', 'matches', where),
    );
    figures.push(
      figureOf(`translate_${name}_max_matches_per_rule`, [big.matchesPerRule], 'info', 'matches', where),
    );
    figures.push(figureOf(`translate_${name}_max_route_bytes`, [big.routeBytes], 'info', 'bytes', where));
  }
  const [smallest, largest] = [timings[0], timings[timings.length - 1]];
  if (timings.length > 1) {
    // Per-route CPU time is used: wall time on a shared machine mostly measures the neighbours.
    const perRoute = (t: Timing) => median(t.cpuMs) / t.size.routes;
    figures.push(
      figureOf(
        'translate_scaling_ratio',
        [perRoute(largest) / perRoute(smallest)],
        { op: '<', target: 1.3 },
        'ratio',
        `CPU time per route at ${label(largest.size.routes)} / at ${label(smallest.size.routes)}`,
      ),
    );
  }
  const tenK = timings.find((t) => t.size.routes === 10_000);
  if (tenK && largest !== tenK && largest.size.routes > tenK.size.routes) {
    const perRoute = (t: Timing) => median(t.cpuMs) / t.size.routes;
    figures.push(
      figureOf(
        'translate_scaling_ratio_vs_10k',
        [perRoute(largest) / perRoute(tenK)],
        'info',
        'ratio',
        `CPU time per route at ${label(largest.size.routes)} / at 10k (both past JIT warm-up)`,
      ),
    );
  }
  figures.push(figureOf('translate_peak_rss_mb', [peakRssMb()], 'info', 'MB', 'whole bench process'));
  return figures;
}

export const translateScenario = scenario<TranslateParams>({
  name: 'translate',
  title: 'Translate scaling',
  params: (quick) => ({
    sizes: quick
      ? [
          { routes: 1000, services: 200, runs: 5 },
          { routes: 10_000, services: 2000, runs: 3 },
        ]
      : [
          { routes: 1000, services: 200, runs: 9 },
          { routes: 10_000, services: 2000, runs: 11, warmup: 3 },
          // JIT already warm from the smaller sizes: only the cold run is left out.
          { routes: 50_000, services: 10_000, runs: 3, warmup: 1 },
        ],
  }),
  async run(params, log: Log) {
    const translate = await bundledTranslate();
    const timings = params.sizes.map((size) => {
      const t = timeTranslate(size, translate);
      log(
        `translate ${size.routes} routes: median ${median(t.wallMs).toFixed(0)} ms wall, ${median(t.cpuMs).toFixed(0)} ms CPU`,
      );
      return t;
    });
    return translateFigures(timings);
  },
});
