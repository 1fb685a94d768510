// Scenario 7: peak memory of a reconcile over a large cluster. The reconcile path runs in a child
// process bundled the way the function is (esbuild, ESM, no tsx), so its maxRSS is the function's
// and not the benchmark's. Network Services already holds the routes (set up here with a fast
// client), so the child lists them, reads the cluster, translates and plans, as a steady tick does;
// it runs with dryRun so no status is written (that would only add Kubernetes PATCH time).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { generateCluster } from '../generate.ts';
import { figureOf, type Figure } from '../figures.ts';
import { scenario, type Log } from '../scenario.ts';
import { loadCluster, startBenchStack } from '../stack.ts';
import { readClusterSnapshot } from '../../shared/cluster/index.ts';
import { applyPlan, readActualState } from '../../shared/netsvc/apply.ts';
import { plan } from '../../shared/plan/index.ts';
import { translate } from '../../shared/translate/index.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface ReconcileMemoryParams {
  routes: number;
  services: number;
  /** Child processes run one after another; peak RSS varies with GC timing, so the median is reported. */
  runs: number;
}

interface ChildReport {
  maxRssKb: number;
  summary: { routes: number; unchanged: number; drift: boolean; durationMs: number; errors: string[] };
}

const BANNER = [
  "import { createRequire as __benchCreateRequire } from 'node:module';",
  'const require = __benchCreateRequire(import.meta.url);',
].join('\n');

async function bundleChild(dir: string): Promise<string> {
  const outfile = path.join(dir, 'reconcile-child.mjs');
  await build({
    entryPoints: [path.join(HERE, '..', 'reconcile-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: BANNER },
    logLevel: 'silent',
  });
  return outfile;
}

function runChild(file: string, env: Record<string, string>): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], {
      env: { PATH: process.env.PATH ?? '', METADATA_SERVER_DETECTION: 'none', ...env, BENCH_DRY_RUN: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`reconcile child exited ${code}: ${err.slice(0, 500)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ChildReport);
      } catch {
        reject(new Error(`reconcile child printed no report: ${out.slice(0, 200)} ${err.slice(0, 300)}`));
      }
    });
  });
}

export async function measureReconcileMemory(p: ReconcileMemoryParams, log: Log): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gamma-bench-'));
  const stack = await startBenchStack();
  try {
    const cluster = generateCluster({ routes: p.routes, services: p.services });
    loadCluster(stack.k8s, cluster);
    const setup = stack.setupDeps();
    // Translated from what the stand-in serves (it stamps its own creation times), as reconcile sees it.
    const served = await readClusterSnapshot(setup.kube);
    const { state } = await readActualState(setup.netsvc);
    const applied = await applyPlan(
      setup.netsvc,
      plan(translate(served, setup.settings.translate), state, setup.settings.plan),
    );
    if (!applied.ok) throw new Error('setting up Network Services failed');
    log(`reconcile-memory: ${applied.items.length} resources in place, running the child`);
    const child = await bundleChild(dir);
    const reports: ChildReport[] = [];
    for (let run = 0; run < p.runs; run++) {
      const report = await runChild(child, stack.env);
      if (report.summary.errors.length)
        throw new Error(`reconcile failed: ${report.summary.errors.join('; ')}`);
      reports.push(report);
    }
    const report = reports[0];
    return [
      figureOf(
        'reconcile_peak_rss_mb',
        reports.map((r) => r.maxRssKb / 1024),
        { op: '<', target: 256 },
        'MB',
        `${report.summary.routes} routes, ${p.services} Services; ${report.summary.unchanged} NS resources unchanged, drift ${report.summary.drift} (dry run)`,
      ),
      figureOf(
        'reconcile_memory_run_ms',
        reports.map((r) => r.summary.durationMs),
        'info',
        'ms',
        'the child reconcile, dry run',
      ),
    ];
  } finally {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const reconcileMemoryScenario = scenario<ReconcileMemoryParams>({
  name: 'reconcile-memory',
  title: 'Reconcile peak memory',
  params: (quick) =>
    quick ? { routes: 1000, services: 200, runs: 1 } : { routes: 10_000, services: 2000, runs: 3 },
  run: measureReconcileMemory,
});
