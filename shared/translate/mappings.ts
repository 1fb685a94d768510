// The backend mappings of one translate call (Desired.backends): de-duplicated by content, sorted by
// canonical JSON.
import type { BackendMapping } from './types.ts';
import { canonicalJson, joined } from './util.ts';

/**
 * Backend mappings by canonical JSON (content identity, and the output's sort key); the resolver
 * hands out one object per backend, so each object is serialized once.
 */
export interface Backends {
  byKey: Map<string, BackendMapping>;
  seen: Set<BackendMapping>;
}

export function addMapping(backends: Backends, m: BackendMapping): void {
  if (backends.seen.has(m)) return;
  backends.seen.add(m);
  backends.byKey.set(mappingJson(m), m);
}

/** The distinct mappings, sorted by canonical JSON (their keys). */
export function sortedMappings(backends: Backends): BackendMapping[] {
  return [...backends.byKey.keys()].sort().map((key) => backends.byKey.get(key) as BackendMapping);
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
  return joined(
    '{"namespace":',
    text(m.namespace),
    ',"port":',
    m.port,
    ',"service":',
    text(m.service),
    ',"serviceName":',
    text(m.serviceName),
    '}',
  );
}
