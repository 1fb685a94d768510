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

// Every translate hashes the same route and backend keys again (one per Service port); the digest is a
// pure function of the key, so it is remembered, up to a bound.
const MAX_CACHED_DIGESTS = 50_000;
const digests = new Map<string, string>();

/** Lowercase hex sha256 prefix; deterministic, pure. */
export function shortHash(key: string, length = 8): string {
  let digest = digests.get(key);
  if (digest === undefined) {
    digest = createHash('sha256').update(key).digest('hex');
    if (digests.size >= MAX_CACHED_DIGESTS) digests.clear();
    digests.set(key, digest);
  }
  return digest.slice(0, length);
}

/**
 * JSON with object keys sorted: equal values give equal strings whatever their key order.
 * Written out directly (no sorted copy of the value) because translate calls it on hot paths; the
 * output is byte-for-byte JSON.stringify of a key-sorted copy: every non-array object is walked by
 * its own keys (toJSON is not consulted), array-index keys come first in numeric order, as
 * JSON.stringify orders them, and an own `__proto__` key is left out, as the copy never held it.
 */
export function canonicalJson(value: unknown): string {
  const out = writeCanonical(value);
  return out === undefined ? (undefined as unknown as string) : out;
}

function writeCanonical(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      text += writeCanonical(value[i]) ?? 'null';
    }
    return `${text}]`;
  }
  let text = '{';
  let first = true;
  for (const key of canonicalKeyOrder(Object.keys(value))) {
    // Assigning `__proto__` on a copy sets its prototype instead of a key: it never appeared.
    if (key === '__proto__') continue;
    const item = writeCanonical((value as Obj)[key]);
    if (item === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(key)}:${item}`;
    first = false;
  }
  return `${text}}`;
}

/**
 * canonicalJson(a) === canonicalJson(b), without building either string: the rule emitters compare
 * every action with the one before it, and most differ early.
 */
export function sameCanonicalJson(a: unknown, b: unknown): boolean {
  // One object serializes to one string: arms of a rule share their destinations and modifiers.
  if (a === b && typeof a === 'object' && a !== null) return true;
  const aObj = typeof a === 'object' && a !== null;
  const bObj = typeof b === 'object' && b !== null;
  if (!aObj || !bObj) return aObj === bObj && JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameCanonicalItem(a[i], b[i])) return false;
    return true;
  }
  // Equal canonical strings <=> the same set of written keys with equal values (sorting only orders them).
  let written = 0;
  for (const key of Object.keys(a as Obj)) {
    const value = (a as Obj)[key];
    if (key === '__proto__' || isUnwritten(value)) continue;
    written++;
    if (!propertyIsEnumerable.call(b, key)) return false;
    const other = (b as Obj)[key];
    if (isUnwritten(other) || !sameCanonicalJson(value, other)) return false;
  }
  return written === writtenKeyCount(b as Obj);
}

const propertyIsEnumerable = Object.prototype.propertyIsEnumerable;

function writtenKeyCount(value: Obj): number {
  let count = 0;
  for (const key of Object.keys(value)) if (key !== '__proto__' && !isUnwritten(value[key])) count++;
  return count;
}

/** Array items: what JSON writes as null (undefined, functions, symbols) is null. */
function sameCanonicalItem(a: unknown, b: unknown): boolean {
  const aNull = a === undefined || typeof a === 'function' || typeof a === 'symbol';
  const bNull = b === undefined || typeof b === 'function' || typeof b === 'symbol';
  return sameCanonicalJson(aNull ? null : a, bNull ? null : b);
}

function isUnwritten(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/** Sorted keys in the order JSON.stringify emits them from an object built in that order. */
function canonicalKeyOrder(keys: string[]): string[] {
  keys.sort();
  if (!keys.some(isArrayIndex)) return keys;
  const indices = keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...keys.filter((k) => !isArrayIndex(k))];
}

function isArrayIndex(key: string): boolean {
  return ARRAY_INDEX.test(key) && Number(key) < 4294967295;
}

const DURATION_PART = /([0-9]{1,5})(h|ms|m|s)/g;
const DURATION_WHOLE = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/** Gateway API Duration (GEP-2257, e.g. "1h30m", "500ms") -> milliseconds, or undefined if malformed. */
export function parseGatewayDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  // The same few durations come back in every rule: verdicts are remembered, up to a bound.
  if (durations.has(text)) return durations.get(text);
  const ms = parseDuration(text);
  if (durations.size >= MAX_CACHED_DURATIONS) durations.clear();
  durations.set(text, ms);
  return ms;
}

const MAX_CACHED_DURATIONS = 1000;
const durations = new Map<string, number | undefined>();

function parseDuration(text: string): number | undefined {
  if (!DURATION_WHOLE.test(text)) return undefined;
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

/**
 * A list refilled for every item of a hot loop and copied out at its final size. It keeps its own
 * count because `array.length = 0` makes V8 drop the backing store, so the next push allocated a
 * fresh 17-slot one every time. Items stay referenced until overwritten (the last rule's few).
 */
export class Scratch<T> {
  private readonly items: T[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
  }

  add(item: T): void {
    this.items[this.count++] = item;
  }

  /** The items added since the last clear, as a new array of exactly that length. */
  take(): T[] {
    return this.items.slice(0, this.count);
  }
}

/**
 * The parts as one flat string. A template literal of several parts is a tree of V8 cons strings
 * (a node per join past 12 characters), about twice the bytes of the text: for strings that live as
 * long as the output (hostnames, names, descriptions) or the call (mapping keys).
 */
export function joined(...parts: (string | number)[]): string {
  return parts.join('');
}

/** Lists up to this length are sorted by insertion (see sortList). */
const INSERTION_SORT_MAX = 16;

/**
 * Sorts `list` in place, stably, as `list.sort(compare)` does. Short lists (one Service port's
 * entries) are sorted by insertion: V8's sort sets up ~1 KB of merge state per
 * call, which cost more than the sorting itself at ~2k calls per translate.
 */
export function sortList<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  if (list.length > INSERTION_SORT_MAX) return list.sort(compare);
  for (let i = 1; i < list.length; i++) {
    const item = list[i];
    let j = i - 1;
    for (; j >= 0 && compare(list[j], item) > 0; j--) list[j + 1] = list[j];
    list[j + 1] = item;
  }
  return list;
}

/**
 * How every message names a rule: its YAML path (0-based, as in `spec.rules[N]`) plus its name when it
 * has one, so a reader finds it in their manifest (docs/cli.md, "Reading the messages").
 */
export function ruleLabel(rules: readonly unknown[] | undefined, index: number): string {
  const rule = rules?.[index];
  const name = isObj(rule) && typeof rule.name === 'string' && rule.name !== '' ? rule.name : undefined;
  return name === undefined ? `spec.rules[${index}]` : `spec.rules[${index}] (name ${name})`;
}

/**
 * "; a Service NAME exists in namespace X: FIX" when a Service looked up in `namespace` is missing
 * there but exists elsewhere, the usual slip being manifests without metadata.namespace translated
 * with the default namespace. '' otherwise.
 */
export function elsewhereHint(
  index: { namespacesNamed?(name: string): readonly string[] },
  namespace: string,
  name: string,
  fix: string,
): string {
  const others = (index.namespacesNamed?.(name) ?? []).filter((ns) => ns !== namespace);
  if (others.length === 0) return '';
  const where = others.length === 1 ? `namespace ${others[0]}` : `namespaces ${others.join(', ')}`;
  return `; a Service ${name} exists in ${where}: ${fix} (or, for manifests without metadata.namespace, run with -n ${others[0]})`;
}
