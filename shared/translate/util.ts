// Small pure helpers shared by the converters: hashing, canonical JSON, durations, type guards.
import { createHash } from 'node:crypto';

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray<T = unknown>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Lowercase hex sha256 prefix; deterministic, pure. */
export function shortHash(key: string, length = 8): string {
  return createHash('sha256').update(key).digest('hex').slice(0, length);
}

/** JSON with object keys sorted: equal values give equal strings whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObj(value)) {
    const out: Obj = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}

const DURATION_PART = /([0-9]{1,5})(h|ms|m|s)/g;
const DURATION_WHOLE = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/** Gateway API Duration (GEP-2257, e.g. "1h30m", "500ms") -> milliseconds, or undefined if malformed. */
export function parseGatewayDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || !DURATION_WHOLE.test(text)) return undefined;
  const factor: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const match of text.matchAll(DURATION_PART)) total += Number(match[1]) * factor[match[2]];
  return total;
}

/** Milliseconds -> protobuf JSON Duration ("10s", "0.5s", "0s"). */
export function protoDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const rest = ms % 1000;
  if (rest === 0) return `${seconds}s`;
  return `${seconds}.${String(rest).padStart(3, '0').replace(/0+$/, '')}s`;
}

/** Compares strings by UTF-16 code units, independent of locale (determinism). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
