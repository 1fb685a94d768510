// The reconcile-ticks message. Cloud Scheduler publishes whatever body Terraform configured; the
// reconcile function must run on any body, so decoding never fails: unknown content is just ignored.

export const RECONCILE_TICK_SCHEMA = 'gamma-csm.dev/reconcile-tick/v1';

export interface ReconcileTick {
  schema: typeof RECONCILE_TICK_SCHEMA;
  /** Optional: limit the run to one cluster id (must match the function's own). */
  cluster?: string;
  /** Optional: plan only, apply nothing. */
  dryRun?: boolean;
}

/** Decodes a tick from raw bytes or base64 (CloudEvent `message.data`); empty or foreign bodies give defaults. */
export function decodeReconcileTick(data: Buffer | string | undefined | null): ReconcileTick {
  const tick: ReconcileTick = { schema: RECONCILE_TICK_SCHEMA };
  if (data === undefined || data === null || data.length === 0) return tick;
  let parsed: unknown;
  try {
    const text =
      typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : data.toString('utf8');
    parsed = JSON.parse(text);
  } catch {
    return tick;
  }
  if (typeof parsed !== 'object' || parsed === null) return tick;
  const p = parsed as Record<string, unknown>;
  if (typeof p.cluster === 'string' && p.cluster !== '') tick.cluster = p.cluster;
  if (p.dryRun === true) tick.dryRun = true;
  return tick;
}

export function encodeReconcileTick(tick: Omit<ReconcileTick, 'schema'> = {}): Buffer {
  return Buffer.from(JSON.stringify({ schema: RECONCILE_TICK_SCHEMA, ...tick }));
}
