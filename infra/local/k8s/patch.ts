// Patch semantics, pure: JSON merge patch (RFC 7386), JSON patch (RFC 6902), a light strategic merge
// patch, and server-side apply of `status` where `status.parents` is a list keyed by
// (parentRef, controllerName) with per-manager ownership.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export class PatchError extends Error {
  constructor(
    message: string,
    readonly code = 422,
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObject(v)) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  }
  return v;
}

export function mergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return structuredClone(patch) as Json;
  const out: JsonObject = isObject(target) ? { ...(structuredClone(target) as JsonObject) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Strategic merge patch, light: kubectl sends `$setElementOrder/<list>` next to a list it patches by
 * merge key (e.g. Service ports by `port`); we merge those lists by that key and otherwise behave as a
 * merge patch. `$patch: delete` list items are honoured; other directives are dropped.
 */
export function strategicMergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return structuredClone(patch) as Json;
  const out: JsonObject = isObject(target) ? { ...(structuredClone(target) as JsonObject) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    const order = patch[`$setElementOrder/${k}`];
    if (v === null) delete out[k];
    else if (Array.isArray(v) && Array.isArray(order) && isObject(order[0])) {
      out[k] = mergeKeyedList(out[k], v, order as JsonObject[]);
    } else if (isObject(v)) out[k] = strategicMergePatch(out[k], v);
    else out[k] = structuredClone(v);
  }
  return out;
}

function mergeKeyedList(current: Json | undefined, patch: Json[], order: JsonObject[]): Json[] {
  const key = Object.keys(order[0])[0];
  const existing = new Map<string, Json>();
  for (const item of Array.isArray(current) ? current : [])
    if (isObject(item)) existing.set(String(item[key]), item);
  for (const item of patch) {
    if (!isObject(item)) continue;
    const id = String(item[key]);
    if (item.$patch === 'delete') existing.delete(id);
    else existing.set(id, strategicMergePatch(existing.get(id), item));
  }
  return order.map((o) => existing.get(String(o[key]))).filter((x): x is Json => x !== undefined);
}

// ---- JSON patch ----

function unescapePointer(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

function walk(doc: Json, pointer: string): { parent: Json; key: string } {
  const segs = pointer.split('/').slice(1).map(unescapePointer);
  if (!segs.length) throw new PatchError(`JSON patch: empty path is not supported`);
  let parent: Json = doc;
  for (const seg of segs.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(parent)
      ? parent[Number(seg)]
      : isObject(parent)
        ? parent[seg]
        : undefined;
    if (next === undefined) throw new PatchError(`JSON patch: path ${pointer} does not exist`);
    parent = next;
  }
  return { parent, key: segs[segs.length - 1] };
}

function getAt(doc: Json, pointer: string): Json | undefined {
  const { parent, key } = walk(doc, pointer);
  return Array.isArray(parent) ? parent[Number(key)] : isObject(parent) ? parent[key] : undefined;
}

function removeAt(doc: Json, pointer: string): void {
  const { parent, key } = walk(doc, pointer);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (isObject(parent) && key in parent) delete parent[key];
  else throw new PatchError(`JSON patch: cannot remove ${pointer}: not found`);
}

function addAt(doc: Json, pointer: string, value: Json, replace: boolean): void {
  const { parent, key } = walk(doc, pointer);
  if (Array.isArray(parent)) {
    const idx = key === '-' ? parent.length : Number(key);
    if (replace) parent[idx] = value;
    else parent.splice(idx, 0, value);
  } else if (isObject(parent)) {
    if (replace && !(key in parent)) throw new PatchError(`JSON patch: cannot replace ${pointer}: not found`);
    parent[key] = value;
  } else throw new PatchError(`JSON patch: parent of ${pointer} is not a container`);
}

export function jsonPatch(target: unknown, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('JSON patch body must be an array of operations', 400);
  const doc = structuredClone(target) as Json;
  for (const op of ops as JsonObject[]) {
    const path = String(op.path ?? '');
    switch (op.op) {
      case 'add':
        addAt(doc, path, structuredClone(op.value), false);
        break;
      case 'replace':
        addAt(doc, path, structuredClone(op.value), true);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'test':
        if (!deepEqual(getAt(doc, path), op.value))
          throw new PatchError(`JSON patch: test failed at ${path}`);
        break;
      case 'move':
      case 'copy': {
        const value = getAt(doc, String(op.from));
        if (value === undefined) throw new PatchError(`JSON patch: ${op.from} does not exist`);
        if (op.op === 'move') removeAt(doc, String(op.from));
        addAt(doc, path, structuredClone(value), false);
        break;
      }
      default:
        throw new PatchError(`JSON patch: unknown op ${JSON.stringify(op.op)}`, 400);
    }
  }
  return doc;
}

// ---- server-side apply of status.parents ----

/** The list-map key of a `status.parents` entry, in the managedFields `k:{...}` form. */
export function parentKey(entry: unknown): string {
  const e = isObject(entry) ? entry : {};
  const ref = isObject(e.parentRef) ? e.parentRef : {};
  const norm = {
    controllerName: e.controllerName ?? '',
    parentRef: {
      group: ref.group ?? 'gateway.networking.k8s.io',
      kind: ref.kind ?? 'Gateway',
      name: ref.name ?? '',
      namespace: ref.namespace ?? '',
      port: ref.port ?? 0,
      sectionName: ref.sectionName ?? '',
    },
  };
  return `k:${JSON.stringify(norm)}`;
}

/** Who owns which parents entries: manager -> set of keys. */
export type ParentOwners = Map<string, Set<string>>;

export interface ApplyConflict {
  manager: string;
  key: string;
}

/**
 * Applies `applied` (the manager's full intent for status.parents) to `current`: entries the manager
 * owned but no longer applies are removed unless someone else owns them too; applied entries replace
 * same-key entries; entries owned only by others stay. Without `force`, changing another manager's
 * entry is a conflict.
 */
export function applyParents(
  current: unknown[],
  applied: unknown[],
  owners: ParentOwners,
  manager: string,
  force: boolean,
): { parents: unknown[]; owners: ParentOwners; conflicts: ApplyConflict[] } {
  const byKey = new Map(current.map((e) => [parentKey(e), e] as const));
  const appliedKeys = new Set(applied.map(parentKey));
  const conflicts: ApplyConflict[] = [];
  const next: ParentOwners = new Map([...owners].map(([m, keys]) => [m, new Set(keys)]));
  for (const e of applied) {
    const key = parentKey(e);
    for (const [m, keys] of next) {
      if (m === manager || !keys.has(key)) continue;
      if (byKey.has(key) && !deepEqual(byKey.get(key), e) && !force) conflicts.push({ manager: m, key });
      else if (force) keys.delete(key);
    }
  }
  const previouslyMine = next.get(manager) ?? new Set<string>();
  const ownedByOthers = (key: string) => [...next].some(([m, keys]) => m !== manager && keys.has(key));
  const parents: unknown[] = [];
  const seen = new Set<string>();
  for (const [key, e] of byKey) {
    if (appliedKeys.has(key)) parents.push(applied.find((a) => parentKey(a) === key));
    else if (!previouslyMine.has(key) || ownedByOthers(key)) parents.push(e);
    seen.add(key);
  }
  for (const e of applied) if (!seen.has(parentKey(e))) parents.push(e);
  next.set(manager, appliedKeys);
  for (const [m, keys] of next) if (!keys.size) next.delete(m);
  return { parents, owners: next, conflicts };
}

/** After a non-apply write replaced the list: the writer owns new or changed entries; gone entries are disowned. */
export function updateOwnersAfterWrite(
  before: unknown[],
  after: unknown[],
  owners: ParentOwners,
  manager: string,
): ParentOwners {
  const old = new Map(before.map((e) => [parentKey(e), e] as const));
  const present = new Set(after.map(parentKey));
  const next: ParentOwners = new Map();
  for (const [m, keys] of owners) next.set(m, new Set([...keys].filter((k) => present.has(k))));
  const mine = next.get(manager) ?? new Set<string>();
  for (const e of after) {
    const key = parentKey(e);
    if (!old.has(key) || !deepEqual(old.get(key), e)) {
      for (const keys of next.values()) keys.delete(key);
      mine.add(key);
    }
  }
  next.set(manager, mine);
  for (const [m, keys] of next) if (!keys.size) next.delete(m);
  return next;
}
