// A stand-in for GKE's NEG controller: for Services annotated `cloud.google.com/neg` with
// `exposed_ports`, it writes `cloud.google.com/neg-status` (a normal update: new resourceVersion, a
// MODIFIED watch event) and asks a hook to create one NEG per port and zone. The hook is where the
// Compute emulator comes in (infra/local/pipeline.ts); the stand-in never imports it.
import { randomUUID } from 'node:crypto';
import { NEG_STATUS_ANNOTATION } from '../../../shared/compute/types.ts';
import { negRequest, negStatusValue, servicePorts } from './neg-names.ts';
import type { KubeObj, ResourceDef } from './resources.ts';
import { RESOURCES } from './resources.ts';
import type { Store } from './store.ts';

export const DEFAULT_NEG_ZONES = ['us-central1-a', 'us-central1-b', 'us-central1-c'];
const ZONE_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MANAGER = 'neg-controller';

export interface NegChange {
  action: 'ensure' | 'delete';
  zone: string;
  name: string;
  namespace: string;
  service: string;
  /** Service port, and the targetPort endpoints would listen on. */
  port: number;
  targetPort: number | string;
}

/** What the hook made of one change; `ok: false` on a delete keeps it pending and retried later. */
export interface NegChangeResult {
  ok: boolean;
  message?: string;
}

export type NegHook = (changes: NegChange[]) => (NegChangeResult | undefined)[] | void;

export interface NegControllerOptions {
  /** Zones with "nodes" (default us-central1-a, -b, -c). */
  zones?: string[];
  /** Cluster UID the default NEG names start with (default: derived from kube-system's uid). */
  clusterUid?: string;
  onNegs?: NegHook;
}

type Owned = Map<string, NegChange>; // `zone/name` -> the ensure change that made it

export class NegController {
  private zones: string[];
  private readonly clusterUid: string;
  private readonly svcDef = RESOURCES.find((d) => d.kind === 'Service') as ResourceDef;
  private readonly dirty = new Set<string>();
  /** Per Service (`ns/name`): the NEGs it owns. */
  private readonly owned = new Map<string, Owned>();
  /** Deletes the hook refused (a backend service still uses the NEG), retried on every pass. */
  private readonly pending = new Map<string, NegChange>();
  private readonly problemsBySvc = new Map<string, string[]>();
  private scheduled = false;
  private readonly stop: () => void;
  private hook: NegHook | undefined;

  constructor(
    private readonly store: Store,
    opts: NegControllerOptions = {},
  ) {
    this.zones = checkZones(opts.zones ?? DEFAULT_NEG_ZONES);
    this.hook = opts.onNegs;
    const nsDef = RESOURCES.find((d) => d.kind === 'Namespace') as ResourceDef;
    this.clusterUid =
      opts.clusterUid ?? store.find(nsDef, undefined, 'kube-system')?.metadata.uid ?? randomUUID();
    // Work is deferred to a microtask: writing from inside a store listener would deliver the new
    // event to later listeners before the one that triggered it.
    this.stop = store.watch({ def: this.svcDef, labels: [], fields: [] }, undefined, (_type, obj) => {
      this.dirty.add(`${obj.metadata.namespace}/${obj.metadata.name}`);
      this.schedule();
    });
  }

  /** Changes the zones: every neg-status is rewritten, NEGs created in new zones, deleted in removed ones. */
  setZones(zones: string[]): void {
    this.zones = checkZones(zones);
    for (const key of this.owned.keys()) this.dirty.add(key);
    this.flush();
  }

  /** Connects (or replaces) the hook and hands it every NEG owned so far, so none is missed. */
  setHook(hook: NegHook | undefined): void {
    this.hook = hook;
    this.apply([...this.owned.values()].flatMap((o) => [...o.values()]));
  }

  currentZones(): string[] {
    return [...this.zones];
  }

  /** Deletes still refused by the hook (NEG in use), as `zone/name`. */
  pendingDeletes(): string[] {
    return [...this.pending.keys()].sort();
  }

  /** Annotation problems per Service (`ns/name`): unknown ports, bad JSON, bad names. */
  problems(): Record<string, string[]> {
    return Object.fromEntries(this.problemsBySvc);
  }

  /** Runs what is queued now (tests and setZones; otherwise a microtask does it). */
  flush(): void {
    this.scheduled = false;
    const changes: NegChange[] = [...this.pending.values()];
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) changes.push(...this.diff(key));
    this.apply(changes);
    for (const key of keys) this.writeStatus(key);
  }

  close(): void {
    this.stop();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      if (this.scheduled) this.flush();
    });
  }

  /** The changes that bring one Service's NEGs to what its annotation and the zones ask for. */
  private diff(key: string): NegChange[] {
    const [namespace, service] = key.split('/');
    const svc = this.store.find(this.svcDef, namespace, service);
    const want: Owned = new Map();
    if (svc) {
      const req = negRequest(svc, this.clusterUid);
      if (req.problems.length) this.problemsBySvc.set(key, req.problems);
      else this.problemsBySvc.delete(key);
      const ports = servicePorts(svc);
      for (const [port, name] of req.ports)
        for (const zone of this.zones) {
          const targetPort = ports.get(port)?.targetPort ?? port;
          want.set(`${zone}/${name}`, { action: 'ensure', zone, name, namespace, service, port, targetPort });
        }
    } else this.problemsBySvc.delete(key);
    const had = this.owned.get(key) ?? new Map<string, NegChange>();
    const out: NegChange[] = [];
    for (const [k, c] of want) if (!had.has(k)) out.push(c);
    for (const [k, c] of had) if (!want.has(k)) out.push({ ...c, action: 'delete' });
    if (want.size) this.owned.set(key, want);
    else this.owned.delete(key);
    return out;
  }

  private apply(changes: NegChange[]): void {
    if (changes.length === 0) return;
    const results = this.hook?.(changes) ?? [];
    changes.forEach((c, i) => {
      const k = `${c.zone}/${c.name}`;
      if (c.action === 'ensure') this.pending.delete(k);
      else if (results[i]?.ok === false) this.pending.set(k, c);
      else this.pending.delete(k);
    });
  }

  private writeStatus(key: string): void {
    const [namespace, name] = key.split('/');
    const current = this.store.find(this.svcDef, namespace, name);
    if (!current) return;
    const ports = new Map(
      [...(this.owned.get(key)?.values() ?? [])].map((c) => [c.port, c.name] as [number, string]),
    );
    const value = negStatusValue(ports, this.zones);
    const annotations = { ...(current.metadata.annotations ?? {}) };
    if (annotations[NEG_STATUS_ANNOTATION] === value) return;
    if (value === undefined) delete annotations[NEG_STATUS_ANNOTATION];
    else annotations[NEG_STATUS_ANNOTATION] = value;
    const next: KubeObj = { ...current, metadata: { ...current.metadata, annotations } };
    this.store.replace(this.svcDef, current, next, undefined, MANAGER);
  }
}

function checkZones(zones: string[]): string[] {
  const bad = zones.filter((z) => typeof z !== 'string' || !ZONE_RE.test(z));
  if (bad.length)
    throw new Error(`NEG zones must be zone names like us-central1-a; bad: ${JSON.stringify(bad)}`);
  return [...new Set(zones)].sort();
}
