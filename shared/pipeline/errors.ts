// Which failures are worth a redelivery. A transient failure (API 5xx/429 after the client's own
// retries, a failed or timed-out operation, an unreachable cluster) is thrown so Pub/Sub redelivers;
// a permanent one (the API refusing the body: 400) is reported in route status and acknowledged,
// since sending the same body again cannot succeed.
import { ApiException } from '@kubernetes/client-node';
import { ApiError, OperationError, OperationTimeoutError } from '../netsvc/errors.ts';

/** Thrown by the pipeline for anything a later delivery may get past. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type FailureKind = 'permanent' | 'transient';

// applyPlan reports failures as text (ApiError.message): "<target>: <http> <STATUS>: <detail>".
const API_ERROR_TEXT = /^[^:]+: (\d{3}) ([A-Z_]+): /;

/** Classifies an applyPlan item error: only 400 answers are permanent. */
export function applyFailureKind(errorText: string): FailureKind {
  const m = API_ERROR_TEXT.exec(errorText);
  return m && m[1] === '400' ? 'permanent' : 'transient';
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
