// Permanent errors stop, transient ones retry; deletions have a budget on every path
// (docs/security.md §5, §6). Over the real sync and reconcile functions and the stand-ins: route
// status refused for good (403, 422) is reported and acknowledged, a 500 is redelivered; the
// reconcile does not fail on status-only errors; late ticks are dropped; sync and reconcile share
// one delete budget.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import { ApiError } from '../../infra/local/k8s/errors.ts';
import { encodeReconcileTick } from '../../shared/events/index.ts';
import { handleReconcileEvent, syncParent } from '../../shared/pipeline/index.ts';
import type { SyncOutcome } from '../../shared/pipeline/index.ts';
import { currentEvent, httpRoute, namespace, prefixesOf, push, routeFor, service } from './support.ts';

let p: Pipeline;
const NS = 'perm';
const BUDGET = 2;

test.before(async () => {
  p = await startPipeline({
    watcher: false,
    env: { GAMMA_DELETE_BUDGET: String(BUDGET), GAMMA_DELETE_WINDOW_SECONDS: '3600' },
  });
  p.k8s.apply(namespace(NS));
});
test.after.always(async () => {
  await p?.close();
});

function lastOutcome(): SyncOutcome | undefined {
  const last = p.syncResults[p.syncResults.length - 1];
  return last?.acked === 'processed' ? last.outcome : undefined;
}

/** Every route status write answers `code` until cleared. */
function failStatusWrites(code: number | undefined): void {
  p.k8s.onRequest =
    code === undefined
      ? undefined
      : (e) => {
          if (e.method === 'PATCH' && e.path.endsWith('/status'))
            throw new ApiError(
              code,
              code === 403 ? 'Forbidden' : 'Invalid',
              `status write refused (${code})`,
            );
        };
}

test.serial(
  'a 403 or 422 on a status write is reported and acknowledged; a 500 is redelivered',
  async (t) => {
    p.k8s.apply(service('a', NS));
    for (const [i, code] of [403, 422].entries()) {
      p.k8s.apply(httpRoute('ra', NS, 'a', [`/v${i}`]));
      failStatusWrites(code);
      t.is(
        await push(p.sync.url, await currentEvent(p, NS, 'a')),
        204,
        `${code}: acknowledged, not redelivered`,
      );
      const outcome = lastOutcome();
      t.like(outcome, { result: 'applied', snapshot: 'fresh', statuses: { written: 0 } });
      t.regex(
        String((outcome as { statuses: { failed?: string[] } }).statuses.failed),
        new RegExp(`HTTP ${code}`),
      );
      t.deepEqual(prefixesOf(routeFor(p, NS, 'a')), [`/v${i}`, `/v${i}/`], 'the routes were applied');
      t.true(
        p.logs.some(
          (l) => l.includes('"severity":"WARNING"') && l.includes(`status write refused (${code})`),
        ),
      );
    }
    p.k8s.apply(httpRoute('ra', NS, 'a', ['/v2']));
    failStatusWrites(500);
    t.is(await push(p.sync.url, await currentEvent(p, NS, 'a')), 500, 'a 500 may pass: redelivered');
    failStatusWrites(undefined);
    t.is(await push(p.sync.url, await currentEvent(p, NS, 'a')), 204);
  },
);

test.serial('the reconcile does not fail as a whole on status-only errors', async (t) => {
  for (const code of [422, 500]) {
    p.k8s.apply(httpRoute('ra', NS, 'a', [`/r${code}`]));
    failStatusWrites(code);
    const summary = await p.runReconcile();
    failStatusWrites(undefined);
    t.like(summary, { failed: 0, transientFailures: 0 }, `${code}: the routes were applied`);
    t.true((summary?.statusFailures ?? 0) > 0, `${code}: the status failure is in the summary`);
    t.deepEqual(prefixesOf(routeFor(p, NS, 'a')), [`/r${code}`, `/r${code}/`]);
  }
  t.false(
    p.logs.some((l) => l.includes('reconcile: answered 500')),
    'never redelivered',
  );
});

test.serial('a reconcile tick older than one schedule interval is dropped; a recent one runs', async (t) => {
  const published = new Date('2026-01-01T00:00:00Z');
  const tick = (publishTime: Date) => ({
    id: 't',
    data: {
      message: {
        data: encodeReconcileTick({ dryRun: true }).toString('base64'),
        messageId: 't',
        publishTime: publishTime.toISOString(),
      },
    },
  });
  const at = (ms: number) => ({ ...p.deps, now: () => published.getTime() + ms });
  const late = await handleReconcileEvent(tick(published), at(10 * 60_000 + 1));
  t.like(late, { ran: false });
  t.regex(
    (late as { reason: string }).reason,
    /over one schedule interval \(600 s, GAMMA_RECONCILE_INTERVAL_SECONDS\)/,
  );
  t.like(await handleReconcileEvent(tick(published), at(60_000)), { ran: true });
});

test.serial(
  'sync and reconcile share one delete budget; deletes beyond it are refused visibly',
  async (t) => {
    for (const svc of ['d1', 'd2', 'd3', 'd4']) {
      p.k8s.apply(service(svc, NS));
      p.k8s.apply(httpRoute(`r-${svc}`, NS, svc, ['/x']));
      t.is(await push(p.sync.url, await currentEvent(p, NS, svc)), 204);
      t.truthy(routeFor(p, NS, svc));
    }
    // The Gateway API CRDs vanish, say: every route goes, one event per Service.
    for (const svc of ['d1', 'd2', 'd3']) {
      p.k8s.deleteObject('HTTPRoute', NS, `r-${svc}`);
      t.is(await push(p.sync.url, await currentEvent(p, NS, svc)), 204);
    }
    t.is(routeFor(p, NS, 'd1'), undefined);
    t.is(routeFor(p, NS, 'd2'), undefined);
    t.truthy(routeFor(p, NS, 'd3'), `the budget (${BUDGET}) is spent: the third delete is refused`);
    const refused = lastOutcome() as Extract<SyncOutcome, { result: 'applied' }>;
    t.regex(refused.messages.join('\n'), /delete budget spent: .*GAMMA_FORCE_DELETE/);
    // The reconcile spends from the same budget (one function instance here): it refuses too.
    p.k8s.deleteObject('HTTPRoute', NS, 'r-d4');
    const summary = await p.runReconcile();
    t.truthy(routeFor(p, NS, 'd3'));
    t.truthy(routeFor(p, NS, 'd4'));
    t.true(summary?.errors.some((e) => /delete budget spent/.test(e)));
  },
);

test.serial(
  'a Kubernetes call slower than its time limit fails the delivery (redelivered) in time',
  async (t) => {
    p.k8s.apply(service('slow', NS));
    p.k8s.apply(httpRoute('r-slow', NS, 'slow', ['/x']));
    const event = await currentEvent(p, NS, 'slow');
    const deps = { ...p.deps, settings: { ...p.deps.settings, kubeTimeoutMs: 100 } };
    p.k8s.setLatency(1000);
    const started = Date.now();
    try {
      const error = await t.throwsAsync(syncParent(event, deps));
      t.regex(error?.message ?? '', /reading the cluster for .*timed out after 100 ms/);
      t.true(Date.now() - started < 900, 'the call was abandoned at its limit, not awaited');
    } finally {
      p.k8s.setLatency(0);
    }
  },
);
