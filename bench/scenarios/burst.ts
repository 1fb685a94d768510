// Scenario 5: burst coalescing. Many updates to one route within about a second; the Network
// Services writes they cause are counted once everything has settled, and the final state must be
// the last update.
import { figureOf, judgedFigure, type Figure } from '../figures.ts';
import { scenario, waitFor, type Log } from '../scenario.ts';
import { benchService, markedRoute, marker, nowMs, sleep, startPipelineStack } from './pipeline-support.ts';

export interface BurstParams {
  updates: number;
  withinMs: number;
  /** How long writes may keep coming after the last one is visible (above the watcher's max wait). */
  settleMs: number;
}

export async function measureBurst(p: BurstParams, log: Log): Promise<Figure[]> {
  const stack = await startPipelineStack();
  const { pipeline } = stack;
  try {
    const svc = 'burst';
    pipeline.k8s.apply(benchService(svc));
    pipeline.k8s.apply(markedRoute(svc, 0));
    if (!(await waitFor(() => stack.markersOf(svc).has(marker(0)), 30_000, 10)))
      throw new Error('the initial route never reached Network Services');
    await sleep(p.settleMs);
    const writes0 = pipeline.netsvc.stats().writes;

    const start = nowMs();
    for (let i = 1; i <= p.updates; i++) {
      const due = start + ((i - 1) * p.withinMs) / p.updates;
      if (due > nowMs() + 1) await sleep(due - nowMs());
      pipeline.k8s.apply(markedRoute(svc, i));
    }
    const burstMs = nowMs() - start;
    const reached = await waitFor(() => stack.markersOf(svc).has(marker(p.updates)), 30_000, 10);
    const settledAt = nowMs();
    await sleep(p.settleMs);
    const writes = pipeline.netsvc.stats().writes - writes0;
    const final = [...stack.markersOf(svc)];
    const finalOk = reached && final.length === 1 && final[0] === marker(p.updates);
    log(
      `burst: ${p.updates} updates in ${burstMs.toFixed(0)} ms -> ${writes} writes, final ${final.join(',')}`,
    );
    return [
      figureOf(
        'burst_writes',
        [writes],
        { op: '<=', target: 5 },
        'writes',
        `${p.updates} updates in ${burstMs.toFixed(0)} ms; last update visible ${(settledAt - start).toFixed(0)} ms after the first`,
      ),
      judgedFigure(
        'burst_final_is_last',
        finalOk ? 1 : 0,
        '== 1',
        finalOk,
        'bool',
        `final markers: ${final.join(', ') || 'none'}`,
      ),
    ];
  } finally {
    await pipeline.close();
  }
}

export const burstScenario = scenario<BurstParams>({
  name: 'burst',
  title: 'Burst coalescing',
  params: () => ({ updates: 500, withinMs: 1000, settleMs: 1500 }),
  run: measureBurst,
});
