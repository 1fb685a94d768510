// Which failures are worth a redelivery. A transient failure (API 5xx/429 after the client's own
// retries, a failed or timed-out operation, an unreachable cluster) is thrown so Pub/Sub redelivers;
// a permanent one (the API refusing the body: 400) is reported in route status and acknowledged,
// since sending the same body again cannot succeed.
import { ApiException } from '@kubernetes/client-node';
import { ApiError, OperationError, OperationTimeoutError } from '../netsvc/errors.ts';
import type { ApplyItemResult } from '../netsvc/apply.ts';

/** Thrown by the pipeline for anything a later delivery may get past. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type FailureKind = 'permanent' | 'transient';

// applyPlan reports failures as text (ApiError.message): "<target>: <http> <STATUS>: <detail>".
/** Classifies a failed applyPlan item; skipped items (blocked by another failure) are transient. */
export function applyFailureKind(item: Pick<ApplyItemResult, 'failure'>): FailureKind {
  return item.failure ?? 'transient';
}

/** Classifies a thrown error (Network Services or Kubernetes). */
export function failureKind(e: unknown): FailureKind {
  if (e instanceof ApiError) return e.httpStatus === 400 ? 'permanent' : 'transient';
  if (e instanceof OperationError || e instanceof OperationTimeoutError) return 'transient';
  if (e instanceof ApiException) return e.code === 400 || e.code === 422 ? 'permanent' : 'transient';
  return 'transient';
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
