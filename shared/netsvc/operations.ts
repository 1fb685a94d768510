// Long-running operation handling: poll until done, then turn `error` into a value.
import type { networkservices_v1 } from 'googleapis/build/src/apis/networkservices/v1.js';
import { OperationError, OperationTimeoutError } from './errors.ts';
import { realSleep, type Sleep } from './ratelimit.ts';

export type Operation = networkservices_v1.Schema$Operation;

export interface PollOptions {
  /** First wait between polls; grows by `factor` up to `maxIntervalMs`. */
  initialIntervalMs: number;
  maxIntervalMs: number;
  factor: number;
  timeoutMs: number;
  sleep?: Sleep;
  now?: () => number;
}

/** The poll schedule: initial, initial*factor, ... capped at max. */
export function nextPollInterval(current: number, opts: PollOptions): number {
  return Math.min(opts.maxIntervalMs, Math.max(1, current * opts.factor));
}

/** The target resource name an operation reports (metadata.target), or '' when absent. */
export function operationTarget(op: Operation): string {
  const meta = (op.metadata ?? {}) as { target?: unknown };
  return typeof meta.target === 'string' ? meta.target : '';
}

/** Throws OperationError for a done operation carrying `error`; returns `response` without `@type`. */
export function operationResult(op: Operation): Record<string, unknown> | undefined {
  if (op.error) {
    throw new OperationError(
      op.error.code ?? 2,
      op.error.message ?? 'operation failed',
      operationTarget(op),
      op.name ?? '',
    );
  }
  if (!op.response) return undefined;
  const { '@type': _type, ...body } = op.response as Record<string, unknown>;
  return body;
}

/** Polls `get(name)` until the operation is done; returns the done operation. */
export async function waitForOperation(
  first: Operation,
  get: (name: string) => Promise<Operation>,
  opts: PollOptions,
): Promise<Operation> {
  const sleep = opts.sleep ?? realSleep;
  const now = opts.now ?? (() => Date.now());
  const started = now();
  let op = first;
  let interval = opts.initialIntervalMs;
  while (!op.done) {
    if (!op.name) throw new OperationError(2, 'operation without a name', operationTarget(op), '');
    if (now() - started > opts.timeoutMs) {
      throw new OperationTimeoutError(op.name, operationTarget(op), now() - started);
    }
    await sleep(interval);
    interval = nextPollInterval(interval, opts);
    op = await get(op.name);
  }
  return op;
}
