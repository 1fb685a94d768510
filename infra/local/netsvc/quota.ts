// Per-minute quota for the emulator: Google enforces API quotas per project over 60-second windows
// and answers 429 RESOURCE_EXHAUSTED with an ErrorInfo (docs/api-fidelity.md). Pure apart from the
// injected clock, so tests can move through minutes without sleeping.
import type { ApiResult } from './api.ts';

export interface QuotaOptions {
  /** API requests admitted per project in each 60-s window; undefined = no limit. */
  requestsPerMinute?: number;
  /** Add a Retry-After header (seconds to the window's end) to quota 429s. Google sends none. */
  retryAfter?: boolean;
}

export type QuotaDecision =
  { ok: true } | { ok: false; result: ApiResult; retryAfterSeconds: number; why: 'limit' | 'outage' };

export const WINDOW_MS = 60_000;
const SERVICE = 'networkservices.googleapis.com';

export function validateQuota(q: unknown): string | undefined {
  if (!q || typeof q !== 'object' || Array.isArray(q)) return 'quota must be a JSON object';
  const o = q as Record<string, unknown>;
  const known = ['requestsPerMinute', 'retryAfter', 'outageMs'];
  const unknown = Object.keys(o).find((k) => !known.includes(k));
  if (unknown) return `unknown quota field "${unknown}"; known: ${known.join(', ')}`;
  for (const k of ['requestsPerMinute', 'outageMs']) {
    if (o[k] !== undefined && !(Number.isInteger(o[k]) && (o[k] as number) >= 0))
      return `${k} must be a non-negative integer`;
  }
  if (o.retryAfter !== undefined && typeof o.retryAfter !== 'boolean')
    return 'retryAfter must be true or false';
  return undefined;
}

/** Fixed 60-s windows aligned to the clock's minutes, one count per project; plus outages. */
export class QuotaWindows {
  private options: QuotaOptions = {};
  private readonly counts = new Map<string, { window: number; count: number }>();
  private outageUntil = -Infinity;

  constructor(private readonly clock: () => number) {}

  configure(options: QuotaOptions): void {
    this.options = { ...options };
  }

  /** Every request is refused with the quota 429 for the next `ms` (a quota outage). */
  startOutage(ms: number): void {
    this.outageUntil = this.clock() + ms;
  }

  clear(): void {
    this.options = {};
    this.counts.clear();
    this.outageUntil = -Infinity;
  }

  describe(): { options: QuotaOptions; outageUntil?: number; windows: Record<string, number> } {
    const window = this.windowOf(this.clock());
    const windows = Object.fromEntries(
      [...this.counts].filter(([, c]) => c.window === window).map(([p, c]) => [p, c.count]),
    );
    const outage = this.outageUntil > this.clock() ? { outageUntil: this.outageUntil } : {};
    return { options: { ...this.options }, ...outage, windows };
  }

  /** Counts one request of `project`; refused requests use no quota. */
  admit(project: string): QuotaDecision {
    const now = this.clock();
    const window = this.windowOf(now);
    const limit = this.options.requestsPerMinute;
    if (now < this.outageUntil) {
      return this.refuse(project, limit, Math.ceil((this.outageUntil - now) / 1000), 'outage');
    }
    if (limit === undefined) return { ok: true };
    const entry = this.counts.get(project);
    const count = entry && entry.window === window ? entry.count : 0;
    if (count >= limit)
      return this.refuse(project, limit, Math.ceil((window + WINDOW_MS - now) / 1000), 'limit');
    this.counts.set(project, { window, count: count + 1 });
    return { ok: true };
  }

  private windowOf(t: number): number {
    return Math.floor(t / WINDOW_MS) * WINDOW_MS;
  }

  private refuse(
    project: string,
    limit: number | undefined,
    retryAfterSeconds: number,
    why: 'limit' | 'outage',
  ): QuotaDecision {
    const headers = this.options.retryAfter
      ? { 'retry-after': String(Math.max(1, retryAfterSeconds)) }
      : undefined;
    return { ok: false, result: quotaExceeded(project, limit, headers), retryAfterSeconds, why };
  }
}

/** Google's quota 429: RESOURCE_EXHAUSTED with an ErrorInfo RATE_LIMIT_EXCEEDED naming the limit. */
export function quotaExceeded(
  project: string,
  limit: number | undefined,
  headers?: Record<string, string>,
): ApiResult {
  const metric = `${SERVICE}/default_requests`;
  const limitName = 'DefaultRequestsPerMinutePerProject';
  const message =
    `Quota exceeded for quota metric 'API requests' and limit 'API requests per minute' of service ` +
    `'${SERVICE}' for consumer 'project:${project}'.`;
  const metadata: Record<string, string> = {
    service: SERVICE,
    consumer: `projects/${project}`,
    quota_metric: metric,
    quota_limit: limitName,
    quota_location: 'global',
  };
  if (limit !== undefined) metadata.quota_limit_value = String(limit);
  return {
    status: 429,
    headers,
    body: {
      error: {
        code: 429,
        message,
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
            metadata,
          },
          {
            '@type': 'type.googleapis.com/google.rpc.Help',
            links: [
              {
                description: 'Request a higher quota limit.',
                url: 'https://cloud.google.com/docs/quotas/help/request_increase',
              },
            ],
          },
        ],
      },
    },
  };
}
