// Scenario 6: cold start of the bundled functions (dist/, from `npm run build`). Each sample is a
// fresh Node process that imports functions-framework and the bundle, as the Cloud Functions runtime
// does, and stops once the function is registered; bundle sizes are read from dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
await import(pathToFileURL(process.env.BENCH_BUNDLE).href);
const { getFunction } = await import('@google-cloud/functions-framework/testing');
const registered = typeof getFunction(process.env.BENCH_FUNCTION) === 'function';
const t2 = performance.now();
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({
  registered, loadMs: t2 - t0, bundleMs: t2 - t1, processMs: t2, cpuMs: (cpu.user + cpu.system) / 1000,
}));
`;

/** The environment a deployed function gets (what shared/config requires), pointing nowhere real. */
const FUNCTION_ENV = {
  GAMMA_PROJECT: 'bench-proj',
  GAMMA_MESH: 'bench-mesh',
  GAMMA_CLUSTER_ID: 'bench',
  GAMMA_KUBECONFIG: path.join(ROOT, 'bench', 'no-such-kubeconfig'),
  GAMMA_NETSVC_ENDPOINT: 'http://127.0.0.1:9/',
  METADATA_SERVER_DETECTION: 'none',
};

export function ensureBuilt(distDir: string, log: Log): void {
  if (FUNCTIONS.every((f) => existsSync(path.join(distDir, f, 'index.js')))) return;
  log('cold-start: dist/ is missing a bundle, running npm run build');
  const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build failed: ${built.stderr || built.stdout}`);
}

interface LoadSample {
  registered: boolean;
  loadMs: number;
  /** The bundle alone (framework already loaded). */
  bundleMs: number;
  processMs: number;
  /** CPU time of the whole child up to registration. */
  cpuMs: number;
}

export function loadOnce(bundle: string, name: string): LoadSample {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', LOADER], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...FUNCTION_ENV, BENCH_BUNDLE: bundle, BENCH_FUNCTION: name },
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`loading ${bundle} failed: ${child.stderr.slice(0, 500)}`);
  return JSON.parse(child.stdout) as LoadSample;
}

export async function measureColdStart(p: ColdStartParams, log: Log): Promise<Figure[]> {
  const distDir = p.distDir ?? path.join(ROOT, 'dist');
  ensureBuilt(distDir, log);
  const figures: Figure[] = [];
  const sizes: number[] = [];
  for (const name of FUNCTIONS) {
    const bundle = path.join(distDir, name, 'index.js');
    sizes.push(statSync(bundle).size);
    const samples = Array.from({ length: p.runs }, () => loadOnce(bundle, name));
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
    );
    log(`cold-start: ${name} ${figures[figures.length - 4].value} ms`);
  }
  figures.push(
    figureOf(
      'bundle_bytes',
      [Math.max(...sizes)],
      { op: '<', target: 5 * 1024 * 1024, text: '< 5 MB' },
      'bytes',
      `largest of ${FUNCTIONS.join(', ')}`,
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
