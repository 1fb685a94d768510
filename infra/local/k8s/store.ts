// The in-memory object store: one resourceVersion counter for every kind (like etcd), an event
// history window for watches, and the write semantics of the API server (generation on spec change,
// status subresource, no-op writes skipped, optimistic concurrency).
import { randomUUID } from 'node:crypto';
import type { KubeObj, ResourceDef } from './resources.ts';
import { RESOURCES } from './resources.ts';
import { withClusterIp } from './cluster-ip.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  invalid,
  namespaceNotFound,
  notFound,
} from './errors.ts';
import type { Requirement } from './selectors.ts';
import { fieldsOf, matches } from './selectors.ts';
import type { ParentOwners } from './patch.ts';
import { applyParents, deepEqual } from './patch.ts';
import { managedFieldsAfterWrite, parentOwners } from './managed-fields.ts';
import { normalizeBody, validateObject } from './body-checks.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: EventType;
  def: ResourceDef;
  obj: KubeObj;
  prev?: KubeObj;
}

export interface Filter {
  def: ResourceDef;
  namespace?: string;
  labels: Requirement[];
  fields: Requirement[];
}

export type Listener = (type: EventType, obj: KubeObj) => void;

const keyOf = (def: ResourceDef, ns: string | undefined, name: string) => `${def.plural}|${ns ?? ''}|${name}`;

function filterMatches(f: Filter, obj: KubeObj): boolean {
  if (f.namespace !== undefined && obj.metadata.namespace !== f.namespace) return false;
  return matches(f.labels, obj.metadata.labels ?? {}) && matches(f.fields, fieldsOf(obj));
}

export class Store {
  private objects = new Map<string, KubeObj>();
  private history: StoreEvent[] = [];
  private listeners = new Set<{ filter: Filter; fn: Listener }>();
  private rv = 0;
  /** Watches from a resourceVersion below this are answered 410 Expired. */
  compactedRv = 0;

  constructor(
    public historyWindow = 1000,
    private readonly onChange: () => void = () => {},
  ) {}

  get resourceVersion(): number {
    return this.rv;
  }

  // ---- reads ----

  get(def: ResourceDef, ns: string | undefined, name: string): KubeObj {
    const obj = this.objects.get(keyOf(def, def.namespaced ? ns : undefined, name));
    if (!obj) throw notFound(def, name);
    return structuredClone(obj);
  }

  find(def: ResourceDef, ns: string | undefined, name: string): KubeObj | undefined {
    const obj = this.objects.get(keyOf(def, def.namespaced ? ns : undefined, name));
    return obj && structuredClone(obj);
  }

  /** Matching objects sorted by namespace/name, starting after `afterKey`. */
  list(filter: Filter, afterKey = ''): { key: string; obj: KubeObj }[] {
    const out: { key: string; obj: KubeObj }[] = [];
    for (const [key, obj] of this.objects) {
      if (!key.startsWith(`${filter.def.plural}|`) || key <= afterKey) continue;
      if (filterMatches(filter, obj)) out.push({ key, obj: structuredClone(obj) });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  // ---- writes ----

  create(def: ResourceDef, ns: string | undefined, body: KubeObj, manager = 'unknown'): KubeObj {
    const obj = normalizeBody(def, ns, body);
    if (!obj.metadata.name && typeof obj.metadata.generateName === 'string') {
      obj.metadata.name = `${obj.metadata.generateName}${randomUUID().slice(0, 5)}`;
    }
    validateObject(def, obj);
    if (def.namespaced) this.requireNamespace(obj.metadata.namespace as string);
    const key = keyOf(def, obj.metadata.namespace, obj.metadata.name);
    if (this.objects.has(key)) throw alreadyExists(def, obj.metadata.name);
    if (def.hasStatus && def.group) delete obj.status; // CRD status subresource: ignored on create
    if (def.kind === 'Namespace') obj.status = { phase: 'Active' };
    if (def.kind === 'Service') obj.spec = withClusterIp(obj.spec, undefined, () => this.clusterIps());
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    Object.assign(obj.metadata, { uid: randomUUID(), creationTimestamp: now, generation: 1 });
    delete obj.metadata.resourceVersion;
    obj.metadata.managedFields = [
      {
        manager,
        operation: 'Update',
        apiVersion: obj.apiVersion,
        time: now,
        fieldsType: 'FieldsV1',
        fieldsV1: {},
      },
    ];
    return this.commit(def, key, 'ADDED', obj);
  }

  /**
   * Replaces an object (PUT). On the main resource status is kept from storage; on the status
   * subresource only status is taken from the body. A body resourceVersion must match (409).
   */
  update(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    body: KubeObj,
    subresource?: string,
    manager = 'unknown',
  ): KubeObj {
    const current = this.get(def, ns, name);
    const incoming = normalizeBody(def, ns, body);
    if (incoming.metadata.name !== name)
      throw badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    const rv = incoming.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(def, name);
    return this.replace(def, current, incoming, subresource, manager);
  }

  /** Writes `next` over `current` with subresource semantics; skips no-op writes. */
  replace(
    def: ResourceDef,
    current: KubeObj,
    next: KubeObj,
    subresource?: string,
    manager = 'unknown',
    owners?: ParentOwners,
  ): KubeObj {
    let obj: KubeObj;
    if (subresource === 'status') {
      obj = { ...structuredClone(current), status: next.status };
    } else {
      obj = { ...structuredClone(next), metadata: { ...next.metadata } };
      if (def.hasStatus) obj.status = current.status;
      else if (obj.status === undefined) delete obj.status;
      if (def.kind === 'Service') obj.spec = withClusterIp(obj.spec, current.spec, () => this.clusterIps());
    }
    const { uid, creationTimestamp, resourceVersion, namespace, name } = current.metadata;
    Object.assign(obj.metadata, { uid, creationTimestamp, resourceVersion, namespace, name });
    if (namespace === undefined) delete obj.metadata.namespace;
    obj.apiVersion = current.apiVersion;
    obj.kind = current.kind;
    obj.metadata.generation = current.metadata.generation ?? 1;
    if (!deepEqual(current.spec, obj.spec)) obj.metadata.generation += 1;
    validateObject(def, obj);
    obj.metadata.managedFields = managedFieldsAfterWrite(current, obj, subresource, manager, owners);
    if (
      deepEqual(
        { ...current, metadata: { ...current.metadata, managedFields: undefined } },
        { ...obj, metadata: { ...obj.metadata, managedFields: undefined } },
      )
    ) {
      if (deepEqual(current.metadata.managedFields, obj.metadata.managedFields)) return current;
    }
    return this.commit(
      def,
      keyOf(def, current.metadata.namespace, current.metadata.name),
      'MODIFIED',
      obj,
      current,
    );
  }

  /**
   * Server-side apply to the status subresource: `status.parents` merges by (parentRef,
   * controllerName) with per-manager ownership; other status fields are set as given.
   */
  applyStatus(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    body: KubeObj,
    manager: string,
    force: boolean,
  ): KubeObj {
    const current = this.get(def, ns, name);
    const { parents: appliedParents, ...rest } = (body.status ?? {}) as Record<string, unknown>;
    if (appliedParents !== undefined && !Array.isArray(appliedParents)) {
      throw invalid(def, name, [{ field: 'status.parents', message: 'Invalid value: must be a list' }]);
    }
    const currentParents = ((current.status?.parents as unknown[]) ?? []).slice();
    const result = applyParents(currentParents, appliedParents ?? [], parentOwners(current), manager, force);
    if (result.conflicts.length) {
      const list = result.conflicts
        .map((c) => `conflict with "${c.manager}": .status.parents[${c.key}]`)
        .join(', ');
      throw conflict(def, name, `Apply failed with ${result.conflicts.length} conflict(s): ${list}`);
    }
    const status: Record<string, unknown> = { ...(current.status ?? {}), ...rest };
    if (result.parents.length || currentParents.length) status.parents = result.parents;
    return this.replace(def, current, { ...current, status }, 'status', manager, result.owners);
  }

  delete(def: ResourceDef, ns: string | undefined, name: string): KubeObj {
    const current = this.get(def, ns, name);
    if (def.kind === 'Namespace') {
      for (const d of RESOURCES.filter((r) => r.namespaced)) {
        for (const { obj } of this.list({ def: d, namespace: name, labels: [], fields: [] }))
          this.delete(d, name, obj.metadata.name);
      }
    }
    const key = keyOf(def, current.metadata.namespace, name);
    this.objects.delete(key);
    return this.record(def, 'DELETED', current, current);
  }

  // ---- ownership of status.parents (managedFields-lite) ----

  // ---- watch ----

  /** Replays history after `fromRv` (or the current state when absent/0), then follows. */
  watch(filter: Filter, fromRv: number | undefined, fn: Listener): () => void {
    if (fromRv === undefined || fromRv === 0) {
      for (const { obj } of this.list(filter)) fn('ADDED', obj);
    } else {
      if (fromRv < this.compactedRv)
        throw expired(`too old resource version: ${fromRv} (${this.compactedRv})`);
      for (const ev of this.history) if (ev.rv > fromRv) this.deliver(filter, ev, fn);
    }
    const entry = { filter, fn };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /**
   * Test hook: an etcd restore from backup. The revision counter goes back to `rv`, no object keeps
   * a resourceVersion above it, and the history is dropped (watches get 410, as after a restore).
   */
  rewindResourceVersion(rv: number): void {
    this.rv = Math.min(this.rv, rv);
    for (const obj of this.objects.values())
      if (Number(obj.metadata.resourceVersion) > this.rv) obj.metadata.resourceVersion = String(this.rv);
    this.compact();
  }

  /** Drops the whole history: every watch from an older resourceVersion now gets 410. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.rv;
  }

  private deliver(f: Filter, ev: StoreEvent, fn: Listener): void {
    if (ev.def !== f.def) return;
    const now = filterMatches(f, ev.obj);
    const before = ev.type === 'MODIFIED' && ev.prev ? filterMatches(f, ev.prev) : now;
    if (now && before) fn(ev.type, structuredClone(ev.obj));
    else if (now) fn('ADDED', structuredClone(ev.obj));
    else if (before) fn('DELETED', structuredClone(ev.obj));
  }

  // ---- internals ----

  private commit(def: ResourceDef, key: string, type: EventType, obj: KubeObj, prev?: KubeObj): KubeObj {
    this.objects.set(key, obj);
    return this.record(def, type, obj, prev);
  }

  private record(def: ResourceDef, type: EventType, obj: KubeObj, prev?: KubeObj): KubeObj {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    const ev: StoreEvent = { rv: this.rv, type, def, obj: structuredClone(obj), prev };
    this.history.push(ev);
    while (this.history.length > this.historyWindow)
      this.compactedRv = (this.history.shift() as StoreEvent).rv;
    for (const l of this.listeners) this.deliver(l.filter, ev, l.fn);
    this.onChange();
    return structuredClone(obj);
  }

  /** Every Service's cluster IP (cluster-ip.ts allocates the next free one). */
  private *clusterIps(): Iterable<string> {
    for (const [key, obj] of this.objects)
      if (key.startsWith('services|')) yield* (obj.spec as { clusterIPs?: string[] })?.clusterIPs ?? [];
  }

  private requireNamespace(ns: string): void {
    const nsDef = RESOURCES.find((d) => d.kind === 'Namespace') as ResourceDef;
    if (!this.objects.has(keyOf(nsDef, undefined, ns))) throw namespaceNotFound(ns);
  }

  // ---- persistence ----

  dump(): { rv: number; objects: { plural: string; obj: KubeObj }[] } {
    return { rv: this.rv, objects: [...this.objects].map(([k, obj]) => ({ plural: k.split('|')[0], obj })) };
  }

  load(state: { rv: number; objects: { plural: string; obj: KubeObj }[] }): void {
    for (const { plural, obj } of state.objects) {
      const def = RESOURCES.find((d) => d.plural === plural);
      if (def) this.objects.set(keyOf(def, obj.metadata.namespace, obj.metadata.name), obj);
    }
    this.rv = Math.max(this.rv, state.rv);
    this.compactedRv = this.rv;
  }
}
