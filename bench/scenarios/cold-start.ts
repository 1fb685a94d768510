// Scenario 6: cold start of the bundled functions (dist/, from `npm run build`). Each sample is a
// fresh Node process that imports functions-framework and the bundle, as the Cloud Functions runtime
// does, and stops once the function is registered, then times what the first event loads. The
// bundles are built from the current sources first (scripts/build.ts); sizes are read from them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll, TARGETS } from '../../scripts/build.ts';
import { figureOf, type Figure } from '../figures.ts';
import { scenario, type Log } from '../scenario.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FUNCTIONS = ['sync', 'reconcile'] as const;

export interface ColdStartParams {
  runs: number;
  /** Where the bundles are (default dist/ of the repository). */
  distDir?: string;
}

// Runs in the child: times framework + bundle import up to registration, and the process age then.
const LOADER = `
const t0 = performance.now();
const { pathToFileURL } = await import('node:url');
await import('@google-cloud/functions-framework');
const t1 = performance.now();
const bundle = await import(pathToFileURL(process.env.BENCH_BUNDLE).href);
const { getFunction } = await import('@google-cloud/functions-framework/testing');
const registered = typeof getFunction(process.env.BENCH_FUNCTION) === 'function';
const t2 = performance.now();
const cpu = process.cpuUsage();
// What the first event adds: the pipeline chunk and the instance's clients (functions/*/index.ts).
await bundle.loadHandler();
const t3 = performance.now();
process.stdout.write(JSON.stringify({
  registered, loadMs: t2 - t0, bundleMs: t2 - t1, processMs: t2, cpuMs: (cpu.user + cpu.system) / 1000,
  firstEventLoadMs: t3 - t2,
}));
`;

/** A kubeconfig naming a cluster nobody serves: building the clients reads it, nothing connects. */
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: bench, cluster: { server: "http://127.0.0.1:9" } }]
users: [{ name: bench, user: {} }]
contexts: [{ name: bench, context: { cluster: bench, user: bench } }]
current-context: bench
`;

/** The environment a deployed function gets (what shared/config requires), pointing nowhere real. */
function functionEnv(kubeconfigPath: string): Record<string, string> {
  return {
    GAMMA_PROJECT: 'bench-proj',
    GAMMA_MESH: 'bench-mesh',
    GAMMA_CLUSTER_ID: 'bench',
    GAMMA_KUBECONFIG: kubeconfigPath,
    GAMMA_NETSVC_ENDPOINT: 'http://127.0.0.1:9/',
    GAMMA_COMPUTE_ENDPOINT: 'http://127.0.0.1:9/',
    METADATA_SERVER_DETECTION: 'none',
  };
}

/** Bytes of every script in a bundle directory (the entry and its chunks; no maps). */
export function scriptBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
}

/** Bundles the functions from the current sources, so the figures never describe an old dist/. */
export async function buildFunctions(distDir: string, log: Log): Promise<void> {
  log(`cold-start: bundling ${FUNCTIONS.join(', ')} into ${path.relative(ROOT, distDir) || '.'}`);
  await buildAll(
    TARGETS.filter((t) => (FUNCTIONS as readonly string[]).includes(t.name)),
    { root: ROOT, outdir: distDir },
  );
}

interface LoadSample {
  registered: boolean;
  loadMs: number;
  /** The bundle alone (framework already loaded). */
  bundleMs: number;
  processMs: number;
  /** CPU time of the whole child up to registration. */
  cpuMs: number;
  /** After registration: loading the pipeline and building the clients, which the first event waits for. */
  firstEventLoadMs: number;
}

export function loadOnce(bundle: string, name: string, kubeconfigPath: string): LoadSample {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', LOADER], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      ...functionEnv(kubeconfigPath),
      BENCH_BUNDLE: bundle,
      BENCH_FUNCTION: name,
    },
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`loading ${bundle} failed: ${child.stderr.slice(0, 500)}`);
  return JSON.parse(child.stdout) as LoadSample;
}

export async function measureColdStart(p: ColdStartParams, log: Log): Promise<Figure[]> {
  const distDir = p.distDir ?? path.join(ROOT, 'dist');
  await buildFunctions(distDir, log);
  const figures: Figure[] = [];
  const sizes: number[] = [];
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'gamma-cold-start-'));
  const kubeconfigPath = path.join(scratch, 'kubeconfig');
  writeFileSync(kubeconfigPath, KUBECONFIG);
  try {
    for (const name of FUNCTIONS) {
      const bundle = path.join(distDir, name, 'index.js');
      sizes.push(scriptBytes(path.join(distDir, name)));
      const samples = Array.from({ length: p.runs }, () => loadOnce(bundle, name, kubeconfigPath));
      if (!samples.every((s) => s.registered))
        throw new Error(`${name} did not register with functions-framework`);
      const suffix = name === 'sync' ? '' : `_${name}`;
      figures.push(
        figureOf(
          `cold_start${suffix}_ms`,
          samples.map((s) => s.loadMs),
          { op: '<', target: 300 },
          'ms',
          `${name}: import framework + bundle until registered`,
        ),
        figureOf(
          `cold_start${suffix}_bundle_ms`,
          samples.map((s) => s.bundleMs),
          'info',
          'ms',
          'the bundle alone',
        ),
        figureOf(
          `cold_start${suffix}_process_ms`,
          samples.map((s) => s.processMs),
          'info',
          'ms',
          'including Node start-up',
        ),
        figureOf(
          `cold_start${suffix}_cpu_ms`,
          samples.map((s) => s.cpuMs),
          'info',
          'ms',
          'child CPU time, Node start-up included',
        ),
        figureOf(
          `cold_start${suffix}_first_event_load_ms`,
          samples.map((s) => s.firstEventLoadMs),
          'info',
          'ms',
          'after registration: the pipeline chunk and the clients, loaded by the first event',
        ),
        figureOf(
          `cold_start${suffix}_until_first_event_ms`,
          samples.map((s) => s.loadMs + s.firstEventLoadMs),
          'info',
          'ms',
          'framework + bundle + what the first event loads: the first delivery waits this long',
        ),
      );
      log(`cold-start: ${name} ${figures[figures.length - 6].value} ms`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  figures.push(
    figureOf(
      'bundle_bytes',
      [Math.max(...sizes)],
      { op: '<', target: 5 * 1024 * 1024, text: '< 5 MB' },
      'bytes',
      `largest of ${FUNCTIONS.join(', ')}, entry and chunks`,
    ),
  );
  return figures;
}

export const coldStartScenario = scenario<ColdStartParams>({
  name: 'cold-start',
  title: 'Cold start of the bundled functions',
  params: (quick) => ({ runs: quick ? 3 : 7 }),
  run: measureColdStart,
});
