// Backend services (docs/backends.md): Services annotated for NEGs (the Kubernetes stand-in's NEG
// controller writes neg-status and creates the NEGs in the Compute emulator), routed by routes.
//
// - Steady state: the first reconcile (fast clients set the scene) creates every health check,
//   backend service and route; a second reconcile with the clients the function builds must write
//   nothing, neither to Compute nor to Network Services.
// - Cold efficiency, the Compute analogue of pipeline_efficiency (cold-apply.ts): the Compute stage
//   writes every health check and backend service of a cluster against an operation delay, through
//   the Compute client at its default rate limit (shared/compute/client.ts requestsPerSecond, 20).
//   The budget-bound ideal is the time that limit alone forces, requests / 20 rps, plus one
//   operation delay per dependent phase (health checks, then the backend services that name them);
//   efficiency = ideal / actual, 1.0 meaning the client kept its budget saturated throughout.
import { generateCluster } from '../generate.ts';
import { figureOf, type Figure } from '../figures.ts';
import { scenario, type Log } from '../scenario.ts';
import { loadCluster, startBenchStack, type BenchStack } from '../stack.ts';
import { serviceFinder } from '../../shared/compute/desired.ts';
import { computePhases } from '../../shared/compute/plan.ts';
import { applyBackends, planBackends, readComputeState } from '../../shared/compute/stage.ts';
import { NEG_ANNOTATION } from '../../shared/compute/types.ts';
import { readClusterSnapshot } from '../../shared/cluster/snapshot.ts';
import { reconcileAll } from '../../shared/pipeline/index.ts';
import { translate } from '../../shared/translate/index.ts';
import type { Snapshot } from '../../shared/translate/types.ts';

export interface BackendsParams {
  /** Services (each with NEGs on both ports) and routes for the steady-state run. */
  steadyServices: number;
  /** Services and routes for the cold run (about 1.1 backend services per Service). */
  coldServices: number;
  operationDelayMs: number;
}

/** The Compute client's default rate limit (shared/compute/client.ts), the cold run's budget. */
const COMPUTE_DEFAULT_RPS = 20;

/** The generated cluster with every Service port exposed for NEGs. */
function negCluster(services: number): Snapshot {
  const cluster = generateCluster({ routes: services, services });
  for (const svc of cluster.services) {
    const exposed = Object.fromEntries((svc.spec?.ports ?? []).map((p) => [String(p.port), {}]));
    svc.metadata.annotations = {
      ...svc.metadata.annotations,
      [NEG_ANNOTATION]: JSON.stringify({ exposed_ports: exposed }),
    };
  }
  return cluster;
}

/** Loads the cluster and lets the NEG controller write neg-status and create the NEGs. */
function loadWithNegs(stack: BenchStack, cluster: Snapshot): void {
  loadCluster(stack.k8s, cluster);
  stack.k8s.negController?.flush();
}

function writes(stack: BenchStack): { compute: number; netsvc: number } {
  return { compute: stack.compute?.stats().writes ?? 0, netsvc: stack.netsvc.stats().writes };
}

export async function measureBackendsSteadyState(services: number, log: Log): Promise<Figure[]> {
  const stack = await startBenchStack({}, { compute: {} });
  try {
    loadWithNegs(stack, negCluster(services));
    const setup = await reconcileAll(stack.setupDeps());
    const made = setup.backends?.created ?? 0;
    if (setup.failed > 0 || made === 0 || setup.errors.length)
      throw new Error(
        `setting up: ${made} Compute created, ${setup.failed} failed: ${setup.errors.slice(0, 3).join('; ')}`,
      );
    log(
      `backends: first reconcile created ${made} health checks and backend services, ${setup.created} routes`,
    );
    const before = writes(stack);
    const t0 = performance.now();
    const second = await reconcileAll(stack.deps());
    const wallMs = performance.now() - t0;
    const after = writes(stack);
    if (second.failed > 0) throw new Error(`second reconcile: ${second.errors.slice(0, 3).join('; ')}`);
    const compute = after.compute - before.compute;
    const netsvc = after.netsvc - before.netsvc;
    return [
      figureOf(
        'backends_steady_state_writes',
        [compute + netsvc],
        { op: '==', target: 0 },
        'requests',
        `second reconcile of ${services} Services with NEGs: ${compute} Compute + ${netsvc} Network Services writes; the first created ${made} Compute resources and ${setup.created} routes`,
      ),
      figureOf(
        'backends_steady_state_wall_ms',
        [wallMs],
        'info',
        'ms',
        'the second reconcile, Compute included',
      ),
    ];
  } finally {
    await stack.close();
  }
}

export async function measureBackendsCold(p: BackendsParams, log: Log): Promise<Figure[]> {
  const stack = await startBenchStack({}, { compute: { operationDelay: { ms: p.operationDelayMs } } });
  try {
    loadWithNegs(stack, negCluster(p.coldServices));
    const deps = stack.deps();
    const api = deps.compute;
    const compute = stack.compute;
    if (!api || !compute) throw new Error('the Compute stage is off');
    const cluster = await readClusterSnapshot(deps.kube);
    const desired = translate(cluster, deps.settings.translate);
    const { state, error } = await readComputeState(api);
    if (error) throw new Error(`listing Compute: ${error}`);
    const { project, clusterId } = deps.settings.translate;
    const planned = planBackends(serviceFinder(cluster.services), desired.backends, state, {
      project,
      clusterId,
      deletes: false,
    });
    const phases = computePhases(planned.plan).beforeRoutes.filter((phase) => phase.length > 0).length;
    const log0 = compute.requestLog().length;
    const t0 = performance.now();
    const applied = await applyBackends(api, planned, clusterId);
    const actualMs = performance.now() - t0;
    const failed = applied.results.filter((r) => r.status !== 'done');
    if (failed.length) throw new Error(`${failed.length} Compute writes failed: ${failed[0].error}`);
    const requests = compute.requestLog().length - log0;
    const idealMs = phases * p.operationDelayMs + (requests / COMPUTE_DEFAULT_RPS) * 1000;
    log(
      `backends cold: ${applied.results.length} creates, ${requests} requests in ${actualMs.toFixed(0)} ms (ideal ${idealMs.toFixed(0)} ms)`,
    );
    return [
      figureOf(
        'backends_cold_efficiency',
        [idealMs / actualMs],
        { op: '>=', target: 0.8 },
        'ratio',
        `${applied.results.length} Compute creates (${p.coldServices} Services), ${requests} requests at the Compute client's default ${COMPUTE_DEFAULT_RPS} rps, ${phases} phases, operation delay ${p.operationDelayMs} ms`,
      ),
      figureOf('backends_cold_ms', [actualMs], 'info', 'ms'),
      figureOf(
        'backends_cold_requests_per_resource',
        [requests / applied.results.length],
        'info',
        'requests',
        'inserts + operation waits',
      ),
    ];
  } finally {
    await stack.close();
  }
}

export const backendsScenario = scenario<BackendsParams>({
  name: 'backends',
  title: 'Backend services: steady state and cold Compute writes',
  params: (quick) =>
    quick
      ? { steadyServices: 300, coldServices: 60, operationDelayMs: 500 }
      : { steadyServices: 2000, coldServices: 500, operationDelayMs: 500 },
  run: async (p, log) => [
    ...(await measureBackendsSteadyState(p.steadyServices, log)),
    ...(await measureBackendsCold(p, log)),
  ],
});
