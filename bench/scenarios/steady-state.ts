// Scenario 2: steady-state reconcile. The cluster's routes are applied once (a fast client sets the
// scene), then the real reconcile path (shared/pipeline reconcileAll with the deps the function
// builds) runs again against the unchanged cluster: it must write nothing and read only list pages.
import { generateCluster } from '../generate.ts';
import { figureOf, judgedFigure, type Figure } from '../figures.ts';
import { scenario, type Log } from '../scenario.ts';
import { isListRequest, loadCluster, startBenchStack } from '../stack.ts';
import { NETSVC_KINDS } from '../../shared/netsvc/kinds.ts';
import { reconcileAll } from '../../shared/pipeline/index.ts';

export interface SteadyStateParams {
  services: number;
  routes: number;
  runs: number;
}

export async function measureSteadyState(p: SteadyStateParams, log: Log): Promise<Figure[]> {
  const stack = await startBenchStack();
  try {
    loadCluster(stack.k8s, generateCluster({ routes: p.routes, services: p.services }));
    const setup = await reconcileAll(stack.setupDeps());
    if (setup.failed > 0 || setup.created === 0)
      throw new Error(
        `setting up: created ${setup.created}, failed ${setup.failed}: ${setup.errors.slice(0, 3).join('; ')}`,
      );
    log(`steady-state: applied ${setup.created} resources for ${p.services} Services`);

    const deps = stack.deps();
    const wall: number[] = [];
    const writes: number[] = [];
    const reads: number[] = [];
    let nonListReads = 0;
    let statusWrites = 0;
    for (let run = 0; run < p.runs; run++) {
      const writes0 = stack.netsvc.stats().writes;
      const log0 = stack.netsvc.requestLog().length;
      const k8s0 = stack.k8s.requests.length;
      const t0 = performance.now();
      const summary = await reconcileAll(deps);
      wall.push(performance.now() - t0);
      const requests = stack.netsvc.requestLog().slice(log0);
      writes.push(stack.netsvc.stats().writes - writes0);
      const gets = requests.filter((r) => r.method === 'GET');
      reads.push(gets.length);
      nonListReads += gets.filter((r) => !isListRequest(r)).length;
      statusWrites += stack.k8s.requests.slice(k8s0).filter((r) => r.method === 'PATCH').length;
      if (summary.failed > 0)
        throw new Error(`steady-state run failed: ${summary.errors.slice(0, 3).join('; ')}`);
    }
    // One page per 100 resources, plus the last (short or empty) page of each collection.
    const pages = Math.ceil(setup.created / 100) + NETSVC_KINDS.length;
    return [
      figureOf(
        'steady_state_writes',
        writes,
        { op: '==', target: 0 },
        'requests',
        `${setup.created} resources applied`,
      ),
      judgedFigure(
        'steady_state_reads',
        Math.max(...reads),
        'list pages only',
        nonListReads === 0,
        'requests',
        `${nonListReads} non-list reads over ${p.runs} runs; about ${pages} pages expected at page size 100`,
      ),
      figureOf(
        'steady_state_status_writes',
        [statusWrites],
        { op: '==', target: 0 },
        'requests',
        'route status PATCHes to the cluster',
      ),
      figureOf(
        'steady_state_wall_ms',
        wall,
        'info',
        'ms',
        `reconcileAll over ${p.routes} routes / ${p.services} Services`,
      ),
    ];
  } finally {
    await stack.close();
  }
}

export const steadyStateScenario = scenario<SteadyStateParams>({
  name: 'steady-state',
  title: 'Steady-state reconcile',
  params: (quick) =>
    quick ? { services: 200, routes: 400, runs: 2 } : { services: 2000, routes: 4000, runs: 3 },
  run: measureSteadyState,
});
