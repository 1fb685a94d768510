// The backend mappings of one translate call (Desired.backends): de-duplicated by content, sorted by
// canonical JSON.
import type { BackendMapping } from './types.ts';
import { canonicalJson, compareStrings } from './util.ts';

/** Backend mappings by identity (mappingKey); the resolver hands out one object per backend, seen once. */
export interface Backends {
  byKey: Map<string, BackendMapping>;
  seen: Set<BackendMapping>;
}

export function addMapping(backends: Backends, m: BackendMapping): void {
  if (backends.seen.has(m)) return;
  backends.seen.add(m);
  backends.byKey.set(mappingKey(m), m);
}

/**
 * Identity of a backend mapping: its four fields (the shape resolveBackendRef builds) as a JSON
 * array; anything else by canonical JSON. The two forms cannot collide (`[` versus `{`).
 */
function mappingKey(m: BackendMapping): string {
  return isPlainMapping(m)
    ? JSON.stringify([m.namespace, m.port, m.service, m.serviceName])
    : canonicalJson(m);
}

function isPlainMapping(m: BackendMapping): boolean {
  return (
    Object.keys(m).length === 4 &&
    typeof m.serviceName === 'string' &&
    typeof m.namespace === 'string' &&
    typeof m.service === 'string' &&
    typeof m.port === 'number' &&
    Number.isFinite(m.port) &&
    !Object.is(m.port, -0)
  );
}

/** canonicalJson of a mapping, written directly for the plain shape (keys already in sorted order). */
export function mappingJson(m: BackendMapping): string {
  if (!isPlainMapping(m)) return canonicalJson(m);
  const text = JSON.stringify;
  return `{"namespace":${text(m.namespace)},"port":${m.port},"service":${text(m.service)},"serviceName":${text(m.serviceName)}}`;
}

/** Sorted by canonical JSON, each serialized once (not once per comparison). */
export function sortByCanonicalJson<T>(values: T[], json: (value: T) => string = canonicalJson): T[] {
  return values
    .map((value) => ({ value, key: json(value) }))
    .sort((a, b) => compareStrings(a.key, b.key))
    .map((e) => e.value);
}
