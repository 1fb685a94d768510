// Errors the Network Services client raises, as values callers can switch on.

/** A non-2xx answer from the API (or a transport failure), in Google's `google.rpc.Status` terms. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status; 0 when no response arrived (connection reset, refused, timeout). */
    readonly httpStatus: number,
    /** Canonical status string such as `NOT_FOUND`, `UNAVAILABLE`; `UNAVAILABLE` for transport failures. */
    readonly status: string,
    message: string,
    /** What was being done, e.g. `create httpRoutes/r1`. */
    readonly target: string,
    /** The server's Retry-After, in milliseconds, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`${target}: ${httpStatus || 'no response'} ${status}: ${message}`);
  }
}

/** A long-running operation that finished with `error`. */
export class OperationError extends Error {
  override readonly name = 'OperationError';
  constructor(
    /** google.rpc.Code number (e.g. 13 INTERNAL). */
    readonly code: number,
    readonly detail: string,
    /** Relative name of the resource the operation acted on. */
    readonly resource: string,
    readonly operation: string,
  ) {
    super(`operation ${operation} on ${resource} failed: code ${code}: ${detail}`);
  }
}

/** An operation still not done when the client's deadline passed. */
export class OperationTimeoutError extends Error {
  override readonly name = 'OperationTimeoutError';
  constructor(
    readonly operation: string,
    readonly resource: string,
    readonly waitedMs: number,
  ) {
    super(`operation ${operation} on ${resource} not done after ${waitedMs} ms`);
  }
}

const TRANSPORT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'EAI_AGAIN',
]);

interface ErrorLike {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

/** Retry-After (delay-seconds or an HTTP date) in ms; undefined when absent or unreadable. */
export function retryAfterMs(headers: unknown, now: number = Date.now()): number | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  // gaxios hands over a fetch Headers object or a plain record, depending on its version.
  const h = headers as { get?: (k: string) => string | null } & Record<string, unknown>;
  const raw = typeof h.get === 'function' ? h.get('retry-after') : (h['retry-after'] ?? h['Retry-After']);
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function transportCode(e: ErrorLike): string | undefined {
  for (let cur: ErrorLike | undefined = e, depth = 0; cur && depth < 5; depth++) {
    if (typeof cur.code === 'string' && TRANSPORT_CODES.has(cur.code)) return cur.code;
    if (typeof cur.message === 'string' && /socket hang up|other side closed|terminated/i.test(cur.message)) {
      return 'ECONNRESET';
    }
    cur = cur.cause as ErrorLike | undefined;
  }
  return undefined;
}

/** Turns whatever gaxios threw into an ApiError (or rethrows programming errors unchanged). */
export function toApiError(e: unknown, target: string): ApiError {
  if (e instanceof ApiError) return e;
  const err = (e ?? {}) as ErrorLike;
  const httpStatus = Number(err.response?.status ?? err.status ?? 0) || 0;
  if (httpStatus > 0) {
    const body = (err.response?.data ?? {}) as { error?: { status?: string; message?: string } };
    const status = body.error?.status ?? statusForHttp(httpStatus);
    const message = body.error?.message ?? String(err.message ?? 'request failed');
    return new ApiError(httpStatus, status, message, target, retryAfterMs(err.response?.headers));
  }
  const code = transportCode(err);
  if (code) return new ApiError(0, 'UNAVAILABLE', `transport error ${code}`, target);
  if (e instanceof Error) throw e;
  return new ApiError(0, 'UNKNOWN', String(e), target);
}

/** 429, 5xx and transport failures are worth another try; everything else is the caller's problem. */
export function isRetryable(e: ApiError): boolean {
  return e.httpStatus === 0 ? e.status === 'UNAVAILABLE' : e.httpStatus === 429 || e.httpStatus >= 500;
}

function statusForHttp(httpStatus: number): string {
  const known: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'ALREADY_EXISTS',
    412: 'FAILED_PRECONDITION',
    429: 'RESOURCE_EXHAUSTED',
    499: 'CANCELLED',
    500: 'INTERNAL',
    501: 'UNIMPLEMENTED',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
  };
  return known[httpStatus] ?? 'UNKNOWN';
}

/**
 * Whether retrying the same request can succeed. Only the caller's own mistakes are permanent: a 400
 * (INVALID_ARGUMENT, FAILED_PRECONDITION such as a hostname another route holds) from the API, or an
 * operation that ended INVALID_ARGUMENT (3) or FAILED_PRECONDITION (9). Throttling, 5xx, timeouts
 * and INTERNAL operations (how throttled operations fail) are transient.
 */
export function failureOf(e: unknown): 'permanent' | 'transient' {
  if (e instanceof ApiError) return e.httpStatus === 400 ? 'permanent' : 'transient';
  if (e instanceof OperationError) return e.code === 3 || e.code === 9 ? 'permanent' : 'transient';
  return 'transient';
}
