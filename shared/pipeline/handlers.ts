// CloudEvent -> pipeline: what the `sync` and `reconcile` functions do with one delivery. Returning
// normally acknowledges the Pub/Sub message; throwing makes the framework answer 500, so Pub/Sub
// redelivers. Only transient failures throw: a malformed or unknown-schema message is logged with
// its message id and acknowledged, since redelivering the same bytes cannot succeed.
import { decodeReconcileTick, decodeRouteEvent, parentKey } from '../events/index.ts';
import type { PipelineDeps } from './deps.ts';
import { TransientError, errorMessage } from './errors.ts';
import { pubsubMessageOf } from './pubsub-message.ts';
import { hasTransientFailures, reconcileAll } from './reconcile.ts';
import type { ReconcileSummary } from './reconcile.ts';
import { syncParent } from './sync.ts';
import type { SyncOutcome } from './sync.ts';

export interface CloudEventLike {
  id?: string;
  data?: unknown;
}

/**
 * When an invocation's Network Services retries must stop: its timeout minus a reserve for what
 * follows the last call (status writes, the answer to Pub/Sub), a quarter of the timeout, at most
 * 30 s. With the default 300-s sync timeout that leaves 270 s, more than the client's ~90-s
 * retry budget for one throttled call (a full per-minute quota window), so only a run of throttled
 * calls meets it; then the invocation fails cleanly and Pub/Sub redelivers the event instead of the
 * platform killing it mid-write (docs/api-fidelity.md).
 */
export function invocationDeadline(startMs: number, timeoutMs: number): number {
  return startMs + timeoutMs - Math.min(30_000, timeoutMs / 4);
}

function withDeadline(deps: PipelineDeps): PipelineDeps {
  const timeout = deps.settings.invocationTimeoutMs;
  if (timeout === undefined) return deps;
  return { ...deps, netsvc: deps.netsvc.withDeadline(invocationDeadline(deps.netsvc.now(), timeout)) };
}

export type SyncHandling =
  { acked: 'malformed'; error: string; messageId: string } | { acked: 'processed'; outcome: SyncOutcome };

export async function handleSyncEvent(event: CloudEventLike, deps: PipelineDeps): Promise<SyncHandling> {
  const envelope = pubsubMessageOf(event);
  if (!envelope.ok) {
    deps.log.error(`malformed delivery acknowledged: ${envelope.error}`, { messageId: envelope.messageId });
    return { acked: 'malformed', error: envelope.error, messageId: envelope.messageId };
  }
  const { message } = envelope;
  const decoded = decodeRouteEvent(message.data, message.attributes);
  if (!decoded.ok) {
    deps.log
      .with({ eventId: message.messageId })
      .error(`route event rejected and acknowledged: ${decoded.error}`, { messageId: message.messageId });
    return { acked: 'malformed', error: decoded.error, messageId: message.messageId };
  }
  const ev = decoded.event;
  const key = parentKey(ev.cluster, ev.parent.namespace, ev.parent.name);
  const log = deps.log.with({ parent: key, eventId: message.messageId });
  let outcome: SyncOutcome;
  try {
    outcome = await syncParent(ev, withDeadline(deps));
  } catch (e) {
    log.error(`sync failed, will be redelivered: ${errorMessage(e)}`, { sequence: ev.sequence });
    throw e;
  }
  if (outcome.result === 'skipped') {
    // Refusals that need a person (an oversized parent, a sequence the cluster never issued) warn.
    const loud = outcome.skip === 'oversized' || outcome.skip === 'sequence-beyond-cluster';
    (loud ? log.warn : log.info).call(log, `skipped (${outcome.skip}): ${outcome.detail}`, {
      sequence: ev.sequence,
      ms: outcome.ms,
      ...(outcome.statuses ? { statuses: outcome.statuses } : {}),
    });
  } else {
    const c = outcome.counts;
    // A stale snapshot's routes were applied but no status written; the line says so, and why.
    const status =
      outcome.snapshot === 'stale'
        ? `status not written (stale snapshot: ${outcome.staleBecause ?? 'the cluster has moved on'})`
        : `status ${outcome.statuses.written} written`;
    const line = `synced: ${c.created} created, ${c.updated} updated, ${c.deleted} deleted, ${c.unchanged} unchanged, ${c.refused} refused, ${c.rejected} rejected; ${status}`;
    const fields = {
      sequence: ev.sequence,
      snapshot: outcome.snapshot,
      ms: outcome.ms,
      ...(outcome.messages.length ? { problems: outcome.messages } : {}),
    };
    if (c.rejected + c.refused > 0 || outcome.statuses.failed?.length) log.warn(line, fields);
    else log.info(line, fields);
  }
  return { acked: 'processed', outcome };
}

export type ReconcileHandling = { ran: false; reason: string } | { ran: true; summary: ReconcileSummary };

function summaryLine(s: ReconcileSummary): string {
  return (
    `reconcile${s.dryRun ? ' (dry run)' : ''}: ${s.created} created, ${s.updated} updated, ${s.deleted} deleted, ` +
    `${s.unchanged} unchanged, ${s.refused} refused, ${s.failed} failed; drift ${s.drift ? 'found' : 'none'}; ` +
    `status ${s.statusesWritten} written, ${s.statusFailures} failed; ${s.routes} routes; ${s.durationMs} ms`
  );
}

/**
 * Why a tick is too old to run, if it is: a tick redelivered for longer than one schedule interval
 * has been superseded by the next one, and running every late copy would stack full passes.
 */
function tickTooOld(publishTime: string | undefined, deps: PipelineDeps): string | undefined {
  const published = publishTime === undefined ? NaN : Date.parse(publishTime);
  if (Number.isNaN(published)) return undefined;
  const interval = deps.settings.reconcileIntervalMs ?? 600_000;
  const age = (deps.now?.() ?? Date.now()) - published;
  if (age <= interval) return undefined;
  return `published ${Math.round(age / 1000)} s ago, over one schedule interval (${interval / 1000} s, GAMMA_RECONCILE_INTERVAL_SECONDS); the next tick supersedes it`;
}

export async function handleReconcileEvent(
  event: CloudEventLike,
  deps: PipelineDeps,
): Promise<ReconcileHandling> {
  const envelope = pubsubMessageOf(event);
  const messageId = envelope.ok ? envelope.message.messageId : envelope.messageId;
  const tick = decodeReconcileTick(envelope.ok ? envelope.message.data : undefined);
  const cluster = deps.settings.translate.clusterId;
  const log = deps.log.with({ eventId: messageId, cluster });
  if (tick.cluster !== undefined && tick.cluster !== cluster) {
    log.info(`tick for cluster ${tick.cluster} ignored`);
    return { ran: false, reason: `tick for cluster ${tick.cluster}` };
  }
  const late = tickTooOld(envelope.ok ? envelope.message.publishTime : undefined, deps);
  if (late) {
    log.warn(`tick dropped: ${late}`);
    return { ran: false, reason: late };
  }
  let summary: ReconcileSummary;
  try {
    summary = await reconcileAll(withDeadline(deps), { dryRun: tick.dryRun === true });
  } catch (e) {
    log.error(`reconcile failed, nothing applied: ${errorMessage(e)}`);
    throw e;
  }
  const fields = { summary: { ...summary, errors: summary.errors.slice(0, 20) } };
  if (summary.failed + summary.statusFailures + summary.refused > 0) log.warn(summaryLine(summary), fields);
  else log.info(summaryLine(summary), fields);
  if (hasTransientFailures(summary))
    throw new TransientError(`reconcile left ${summary.transientFailures} transient failure(s)`);
  return { ran: true, summary };
}

/**
 * The functions-framework handlers. `deps` is called per event but should return the instance's
 * one set of clients (created lazily on first use, reused after).
 */
export function syncFunction(deps: () => PipelineDeps): (event: CloudEventLike) => Promise<void> {
  return async (event) => void (await handleSyncEvent(event, deps()));
}

export function reconcileFunction(deps: () => PipelineDeps): (event: CloudEventLike) => Promise<void> {
  return async (event) => void (await handleReconcileEvent(event, deps()));
}
