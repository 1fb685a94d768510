// Scenario 3: cold apply of many resources with a slow operation (the emulator's operation delay)
// and the default client rate limit. Efficiency compares the time the rate limit alone forces
// (operation delay + requests sent / rate limit) with the time the apply took: 1.0 means the
// client kept the rate limit saturated from start to end.
import { generateCluster } from '../generate.ts';
import { figureOf, type Figure } from '../figures.ts';
import { scenario, type Log } from '../scenario.ts';
import { startBenchStack } from '../stack.ts';
import { applyPlan, readActualState } from '../../shared/netsvc/apply.ts';
import { plan } from '../../shared/plan/index.ts';
import { translate } from '../../shared/translate/index.ts';

export interface ColdApplyParams {
  /** HttpRoutes to create (one Service, one route each), plus the Mesh. */
  resources: number;
  operationDelayMs: number;
}

export async function measureColdApply(p: ColdApplyParams, log: Log): Promise<Figure[]> {
  const stack = await startBenchStack({ operationDelay: { ms: p.operationDelayMs } });
  try {
    const deps = stack.deps();
    const cluster = generateCluster({ routes: p.resources, services: p.resources, grpcShare: 0.0001 });
    const desired = translate(cluster, deps.settings.translate);
    const { state, error } = await readActualState(deps.netsvc);
    if (error) throw new Error(`listing: ${error}`);
    const planned = plan(desired, state, deps.settings.plan);
    const log0 = stack.netsvc.requestLog().length;
    const t0 = performance.now();
    const applied = await applyPlan(deps.netsvc, planned);
    const actualMs = performance.now() - t0;
    if (!applied.ok) {
      const failed = applied.items.filter((i) => i.status !== 'done');
      throw new Error(
        `${failed.length} items failed: ${failed
          .slice(0, 3)
          .map((i) => i.error)
          .join('; ')}`,
      );
    }
    const requests = stack.netsvc.requestLog().length - log0;
    const rps = stack.config.rateLimitRps;
    const idealMs = p.operationDelayMs + (requests / rps) * 1000;
    log(
      `cold-apply: ${applied.items.length} items, ${requests} requests in ${actualMs.toFixed(0)} ms (ideal ${idealMs.toFixed(0)} ms)`,
    );
    return [
      figureOf(
        'pipeline_efficiency',
        [idealMs / actualMs],
        { op: '>=', target: 0.8 },
        'ratio',
        `${applied.items.length} creates, ${requests} requests at ${rps} rps, operation delay ${p.operationDelayMs} ms`,
      ),
      figureOf('cold_apply_ms', [actualMs], 'info', 'ms'),
      figureOf('cold_apply_requests', [requests], 'info', 'requests', 'creates + operation polls'),
      figureOf('cold_apply_requests_per_resource', [requests / applied.items.length], 'info', 'requests'),
    ];
  } finally {
    await stack.close();
  }
}

export const coldApplyScenario = scenario<ColdApplyParams>({
  name: 'cold-apply',
  title: 'Cold apply with operation delay',
  params: (quick) => ({ resources: quick ? 100 : 2000, operationDelayMs: 500 }),
  run: measureColdApply,
});
