// Reusable field checks for the emulator's validation: each pushes violations naming the field.
import { RE2JS } from 're2js';

export interface Violation {
  field: string;
  description: string;
}

export interface ValidateOptions {
  /** Relax the checks production is known not to enforce (§3.7 "Leniency seen in production"). */
  lenient?: boolean;
}

export type Obj = Record<string, unknown>;
export type Check = (v: Violation[], path: string, value: unknown, o: ValidateOptions) => void;

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const DURATION = /^-?\d+(\.\d{1,9})?s$/;

export const checkDestination: Check = (v, p, dest) => {
  const d = asObj(v, p, dest);
  requireString(v, `${p}.serviceName`, d.serviceName);
  if (d.weight !== undefined) checkInt(v, `${p}.weight`, d.weight, 0, 2 ** 31 - 1);
};

/** "If one destination has a weight, all must have one." */
export function checkWeights(v: Violation[], p: string, dests: unknown[]): void {
  const weighted = dests.filter((d) => d && typeof d === 'object' && (d as Obj).weight !== undefined).length;
  if (weighted > 0 && weighted < dests.length) {
    v.push({
      field: p,
      description: `weights must be set on all destinations or none (${weighted} of ${dests.length} set)`,
    });
  }
}

export function checkFault(v: Violation[], p: string, fault: unknown): void {
  if (fault === undefined) return;
  const f = asObj(v, p, fault);
  if (f.delay !== undefined) {
    const d = asObj(v, `${p}.delay`, f.delay);
    checkDuration(v, `${p}.delay.fixedDelay`, d.fixedDelay);
    if (d.percentage !== undefined) checkInt(v, `${p}.delay.percentage`, d.percentage, 0, 100);
  }
  if (f.abort !== undefined) {
    const a = asObj(v, `${p}.abort`, f.abort);
    if (a.httpStatus !== undefined) checkInt(v, `${p}.abort.httpStatus`, a.httpStatus, 200, 599);
    if (a.percentage !== undefined) checkInt(v, `${p}.abort.percentage`, a.percentage, 0, 100);
  }
}

export function checkRetryPolicy(
  v: Violation[],
  p: string,
  rp: unknown,
  known: string[],
  o: ValidateOptions,
): void {
  if (rp === undefined) return;
  const r = asObj(v, p, rp);
  if (r.numRetries !== undefined) checkInt(v, `${p}.numRetries`, r.numRetries, 1, 2 ** 31 - 1);
  checkDuration(v, `${p}.perTryTimeout`, r.perTryTimeout);
  if (r.perTryTimeout !== undefined && durationSeconds(r.perTryTimeout) === 0) {
    v.push({ field: `${p}.perTryTimeout`, description: 'perTryTimeout must be non-zero' });
  }
  if (!o.lenient && Array.isArray(r.retryConditions)) {
    r.retryConditions.forEach((c, i) => {
      if (!known.includes(c as string)) {
        v.push({
          field: `${p}.retryConditions[${i}]`,
          description: `unknown retry condition "${String(c)}"; expected one of ${known.join(', ')}`,
        });
      }
    });
  }
}

export function checkSessionAffinity(v: Violation[], p: string, ssa: unknown): void {
  if (ssa === undefined) return;
  const s = asObj(v, p, ssa);
  if (s.cookieTtl === undefined)
    return void v.push({ field: `${p}.cookieTtl`, description: 'cookieTtl is required' });
  checkDuration(v, `${p}.cookieTtl`, s.cookieTtl);
  const secs = durationSeconds(s.cookieTtl);
  if (secs !== undefined && (secs < 0 || secs > 86400)) {
    v.push({ field: `${p}.cookieTtl`, description: 'cookieTtl must be between 0s and 86400s' });
  }
}

export function checkHostnames(v: Violation[], hostnames: unknown): void {
  if (!Array.isArray(hostnames) || hostnames.length === 0) {
    return void v.push({ field: 'hostnames', description: 'hostnames is required: at least one hostname' });
  }
  hostnames.forEach((h, i) => {
    if (typeof h !== 'string' || !isHostname(h, true)) {
      v.push({
        field: `hostnames[${i}]`,
        description: `invalid hostname "${String(h)}": expected an RFC 1123 name (optionally "*." first label, optionally ":port"), no IP address, no trailing dot`,
      });
    }
  });
  const seen = new Set<string>();
  hostnames.forEach((h, i) => {
    if (seen.has(h as string))
      v.push({ field: `hostnames[${i}]`, description: `duplicate hostname "${String(h)}"` });
    seen.add(h as string);
  });
}

/** RFC 1123 host with an optional leading `*.` label and optional `:port`; IP addresses rejected. */
export function isHostname(value: string, allowPort: boolean): boolean {
  let host = value;
  const colon = value.lastIndexOf(':');
  if (allowPort && colon >= 0) {
    const port = value.slice(colon + 1);
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return false;
    host = value.slice(0, colon);
  }
  if (host.length === 0 || host.length > 253 || host.endsWith('.')) return false;
  if (/^\d+(\.\d+){3}$/.test(host) || host.includes(':')) return false;
  const labels = host.split('.');
  if (labels[0] === '*') labels.shift();
  if (labels.length === 0) return false;
  // Production accepts single-label names such as "example" (§3.1), so those are allowed.
  return labels.every((l) => l.length <= 63 && HOST_LABEL.test(l));
}

export function isIpv4Cidr(value: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(\/(\d{1,2}))?$/.exec(value);
  if (!m) return false;
  return [1, 2, 3, 4].every((i) => Number(m[i]) <= 255) && (m[6] === undefined || Number(m[6]) <= 32);
}

export function durationSeconds(value: unknown): number | undefined {
  return typeof value === 'string' && DURATION.test(value) ? Number(value.slice(0, -1)) : undefined;
}

export function checkDuration(v: Violation[], p: string, value: unknown): void {
  if (value === undefined) return;
  const secs = durationSeconds(value);
  if (secs === undefined || secs < 0) {
    v.push({
      field: p,
      description: `invalid duration ${JSON.stringify(value)}: expected non-negative seconds like "10s" or "1.5s"`,
    });
  }
}

export function checkRegex(v: Violation[], p: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string') return void v.push({ field: p, description: 'must be a string' });
  try {
    RE2JS.compile(value);
  } catch (e) {
    v.push({
      field: p,
      description: `invalid RE2 regular expression ${JSON.stringify(value)}: ${(e as Error).message}`,
    });
  }
}

export function checkRefs(v: Violation[], p: string, refs: unknown, pattern: RegExp, form: string): void {
  if (refs === undefined) return;
  if (!Array.isArray(refs)) return void v.push({ field: p, description: 'must be a list' });
  refs.forEach((r, i) => {
    if (typeof r !== 'string' || !pattern.test(r))
      v.push({ field: `${p}[${i}]`, description: `expected ${form}, got ${JSON.stringify(r)}` });
  });
}

export function checkLabels(v: Violation[], p: string, labels: unknown): void {
  if (labels === undefined) return;
  if (!labels || typeof labels !== 'object' || Array.isArray(labels))
    return void v.push({ field: p, description: 'must be a map of strings' });
  for (const [k, val] of Object.entries(labels)) {
    if (typeof val !== 'string') v.push({ field: `${p}.${k}`, description: 'label values must be strings' });
  }
}

export function checkString(v: Violation[], p: string, value: unknown, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'string') return void v.push({ field: p, description: 'must be a string' });
  if (value.length > max)
    v.push({ field: p, description: `must be at most ${max} characters (got ${value.length})` });
}

export function requireString(v: Violation[], p: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0)
    v.push({ field: p, description: `${lastSegment(p)} is required` });
}

export function checkInt(v: Violation[], p: string, value: unknown, min: number, max: number): void {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    v.push({
      field: p,
      description: `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    });
  }
}

export function checkNumber(v: Violation[], p: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || value < min || value > max) {
    v.push({ field: p, description: `must be a number from ${min} to ${max}, got ${JSON.stringify(value)}` });
  }
}

export function checkEnum(v: Violation[], p: string, value: unknown, allowed: string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    v.push({
      field: p,
      description: `invalid value ${JSON.stringify(value)}; expected one of ${allowed.join(', ')}`,
    });
  }
}

export function exactlyOne(v: Violation[], p: string, o: Obj, keys: string[]): void {
  const set = keys.filter((k) => o[k] !== undefined);
  if (set.length !== 1) {
    v.push({
      field: p,
      description: `exactly one of ${keys.join(', ')} must be set (got ${set.length ? set.join(', ') : 'none'})`,
    });
  }
}

export function eachRequired(
  v: Violation[],
  p: string,
  list: unknown,
  check: Check,
  o: ValidateOptions,
): void {
  if (!Array.isArray(list) || list.length === 0)
    return void v.push({ field: p, description: `${lastSegment(p)} is required: at least one entry` });
  list.forEach((item, i) => check(v, `${p}[${i}]`, item, o));
}

export function eachOptional(
  v: Violation[],
  p: string,
  list: unknown,
  check: Check,
  o: ValidateOptions,
): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) return void v.push({ field: p, description: 'must be a list' });
  list.forEach((item, i) => check(v, `${p}[${i}]`, item, o));
}

export function asObj(v: Violation[], p: string, value: unknown): Obj {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Obj;
  v.push({ field: p, description: 'must be an object' });
  return {};
}

export function lastSegment(p: string): string {
  return p
    .split('.')
    .pop()!
    .replace(/\[\d+\]$/, '');
}
