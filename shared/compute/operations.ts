// Compute global operations: wait (bounded, repeated) until DONE, then turn `error` into an
// OperationError the pipeline classifies like a Network Services one (shared/netsvc/errors.ts).
import { OperationError, OperationTimeoutError } from '../netsvc/errors.ts';
import { realSleep, type Sleep } from '../netsvc/ratelimit.ts';
import type { ComputeOperation } from './types.ts';

export interface ComputeWaitOptions {
  /** Pause before asking again when a wait came back early; grows 1.5x up to 2 s. */
  initialIntervalMs: number;
  timeoutMs: number;
  sleep?: Sleep;
  now?: () => number;
}

/** google.rpc.Code for the HTTP status a failed operation reports (failureOf reads 3 and 9 as permanent). */
const RPC_CODE: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  409: 6,
  412: 9,
  429: 8,
  500: 13,
  503: 14,
  504: 4,
};

/** `projects/P/global/backendServices/N` from an operation's targetLink ('' when absent). */
export function operationTarget(op: ComputeOperation): string {
  const link = op.targetLink ?? '';
  const i = link.indexOf('projects/');
  return i >= 0 ? link.slice(i) : link;
}

/** Throws OperationError for a DONE operation carrying `error`. */
export function checkOperation(op: ComputeOperation): void {
  const errors = op.error?.errors ?? [];
  if (!op.error && !op.httpErrorStatusCode) return;
  const http = op.httpErrorStatusCode ?? 500;
  const detail =
    errors.map((e) => `${e.code ?? 'ERROR'}: ${e.message ?? ''}`).join('; ') ||
    op.httpErrorMessage ||
    'operation failed';
  throw new OperationError(RPC_CODE[http] ?? 2, detail, operationTarget(op), op.name ?? '');
}

/**
 * Calls `wait(name)` until the operation is DONE. Compute's wait may return early ("be prepared to
 * retry", compute v1 globalOperations.wait), so an early answer is followed by a pause and another wait.
 */
export async function waitUntilDone(
  first: ComputeOperation,
  wait: (name: string, remainingMs: number) => Promise<ComputeOperation>,
  opts: ComputeWaitOptions,
): Promise<ComputeOperation> {
  const sleep = opts.sleep ?? realSleep;
  const now = opts.now ?? (() => Date.now());
  const started = now();
  let op = first;
  let interval = opts.initialIntervalMs;
  while (op.status !== 'DONE') {
    if (!op.name) throw new OperationError(2, 'operation without a name', operationTarget(op), '');
    const elapsed = now() - started;
    if (elapsed > opts.timeoutMs) throw new OperationTimeoutError(op.name, operationTarget(op), elapsed);
    op = await wait(op.name, opts.timeoutMs - elapsed);
    if (op.status === 'DONE') break;
    await sleep(interval);
    interval = Math.min(2000, interval * 1.5);
  }
  return op;
}
