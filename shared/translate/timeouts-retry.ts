// timeouts and retry (HTTPRoute only; docs/support-matrix.md).
// - timeouts.request -> action.timeout ("0s" disables, as in Gateway API).
// - timeouts.backendRequest: with retries it is the per-attempt timeout (retryPolicy.perTryTimeout);
//   without retries there is one attempt, so it caps action.timeout (the smaller of the two wins).
// - retry.attempts -> numRetries (default 1, as in Network Services); attempts 0 means no retries.
// - retry.codes -> retryConditions. Network Services only has groups: 502/503/504 = gateway-error,
//   409 = retriable-4xx, any 5xx = 5xx. A code set equal to a union of groups maps exactly; other 5xx
//   sets are approximated by the smallest covering union (a warning names the extra codes retried);
//   4xx codes other than 409 cannot be expressed: the other codes are still retried and a warning names
//   the ones that are not (retrying less is safe; dropping the rule would 404 its traffic). connect-failure and
//   refused-stream are always added: Gateway API says connection errors SHOULD be retried.
// - retry.backoff has no Network Services field (Envoy's default 25 ms base with jitter applies):
//   approximated, with a warning.
import type { HTTPRouteRule } from '../gamma/types.ts';
import type { NsHttpAction, NsRetryPolicy, Result } from './model.ts';
import { fail, ok } from './model.ts';
import { asArray, asNumber, isObj, parseGatewayDuration, protoDuration } from './util.ts';

export interface TimeoutRetry {
  timeout?: string;
  retryPolicy?: NsRetryPolicy;
  warnings: string[];
}

const GATEWAY_ERRORS = [502, 503, 504];

export interface RetryConditions {
  conditions: string[];
  /** Codes retried beyond those asked for ('' when none). */
  extra: string;
  /** Codes asked for that are not retried ('' when none). */
  missing: string;
}

export function retryConditions(codes: number[]): RetryConditions {
  const expressible = (c: number) => c === 409 || (c >= 500 && c <= 599);
  const set = new Set(codes.filter(expressible));
  const bad = [...new Set(codes)].filter((c) => !expressible(c));
  const missing = bad.length
    ? `codes ${bad.join(', ')} are not retried (Network Services retries 5xx, gateway errors 502/503/504 and 409 only)`
    : '';
  const conditions: string[] = [];
  let extra = '';
  const fiveXx = [...set].filter((c) => c >= 500);
  if (fiveXx.length) {
    if (fiveXx.every((c) => GATEWAY_ERRORS.includes(c))) {
      conditions.push('gateway-error');
      const missing = GATEWAY_ERRORS.filter((c) => !set.has(c));
      if (missing.length) extra = `also retries ${missing.join(', ')} (gateway-error covers 502, 503, 504)`;
    } else {
      conditions.push('5xx');
      if (fiveXx.length < 100)
        extra = 'also retries every other 5xx code (Network Services has no per-code retry list)';
    }
  }
  if (set.has(409)) conditions.push('retriable-4xx');
  conditions.push('connect-failure', 'refused-stream');
  return { conditions, extra, missing };
}

export function convertTimeoutsAndRetry(rule: HTTPRouteRule): Result<TimeoutRetry> {
  if (rule.timeouts === undefined && rule.retry === undefined) return ok({ warnings: [] });
  const out: TimeoutRetry = { warnings: [] };
  const timeouts = isObj(rule.timeouts) ? rule.timeouts : {};
  const request = timeouts.request === undefined ? undefined : parseGatewayDuration(timeouts.request);
  const backend =
    timeouts.backendRequest === undefined ? undefined : parseGatewayDuration(timeouts.backendRequest);
  if (timeouts.request !== undefined && request === undefined)
    return fail(`timeouts.request ${JSON.stringify(timeouts.request)} is not a valid duration`);
  if (timeouts.backendRequest !== undefined && backend === undefined) {
    return fail(`timeouts.backendRequest ${JSON.stringify(timeouts.backendRequest)} is not a valid duration`);
  }
  const retry = isObj(rule.retry) ? rule.retry : undefined;
  const attempts = retry ? (asNumber(retry.attempts) ?? 1) : 0;
  if (attempts > 0 && retry) {
    const codes = asArray(retry.codes).filter((c): c is number => typeof c === 'number');
    const mapped = retryConditions(codes);
    if (mapped.missing) out.warnings.push(`retry ${mapped.missing}`);
    if (mapped.extra) out.warnings.push(`retry ${mapped.extra}`);
    const policy: NsRetryPolicy = {
      retryConditions: mapped.conditions,
      numRetries: Math.floor(attempts),
    };
    if (backend !== undefined && backend > 0) policy.perTryTimeout = protoDuration(backend);
    if (retry.backoff !== undefined)
      out.warnings.push(
        `retry backoff ${JSON.stringify(retry.backoff)} is not configurable in Network Services; the data plane's default backoff applies`,
      );
    out.retryPolicy = policy;
    if (request !== undefined) out.timeout = protoDuration(request);
  } else {
    // One attempt: the smaller positive bound wins; "0s" alone disables the timeout.
    const bound = smallerPositive(request, backend);
    if (bound !== undefined) out.timeout = protoDuration(bound);
    else if (request === 0) out.timeout = '0s';
  }
  return ok(out);
}

/**
 * A rule whose unresolved backends' share becomes faultInjectionPolicy.abort loses its timeout and
 * retry on every client, not only proxyless gRPC. The Network Services HttpRoute reference
 * (HttpRouteRouteAction.faultInjectionPolicy) says: "timeout and retry_policy will be ignored by
 * clients that are configured with a fault_injection_policy". Undefined when nothing is lost.
 */
export function faultIgnoresTimingWarning(
  ruleIndex: number,
  ruleName: unknown,
  timing: TimeoutRetry,
): string | undefined {
  const lost = [timing.timeout && 'timeouts', timing.retryPolicy && 'retry'].filter(Boolean);
  if (lost.length === 0) return undefined;
  const named = typeof ruleName === 'string' && ruleName ? ` "${ruleName}"` : '';
  return (
    `Rule ${ruleIndex}${named} (spec.rules[${ruleIndex}]): its ${lost.join(' and ')} do not apply while a backendRef is unresolved: ` +
    `the unresolved share is answered by fault injection (abort), and clients configured with fault injection ignore timeout and retry policy`
  );
}

function smallerPositive(a: number | undefined, b: number | undefined): number | undefined {
  const x = a !== undefined && a > 0 ? a : undefined;
  const y = b !== undefined && b > 0 ? b : undefined;
  if (x === undefined) return y;
  return y === undefined || x <= y ? x : y;
}

export type { NsHttpAction };
