// The end-of-run invariants, as pure comparisons that return their differences (empty = holds).
import type { NetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import type { K8sEmulator } from '../../infra/local/k8s/index.ts';
import { normalize } from '../../shared/plan/index.ts';
import type { Kind, NsResource } from '../../shared/plan/index.ts';
import { LABEL_CLUSTER, LABEL_PARENT } from '../../shared/translate/types.ts';
import type { Desired } from '../../shared/translate/types.ts';

type Obj = Record<string, unknown>;
const ROUTE_KINDS = ['httpRoutes', 'grpcRoutes'] as const;

/**
 * Labels the sync/reconcile pipeline stamps for its own bookkeeping (applied sequence, snapshot
 * digest): `gamma-csm-*` keys translate never writes. Everything else must match exactly.
 */
function isBookkeeping(key: string): boolean {
  return key.startsWith('gamma-csm-') && key !== LABEL_CLUSTER && key !== LABEL_PARENT;
}

/** Normalized body without the pipeline's bookkeeping labels. */
function comparable(kind: Kind, body: NsResource): Record<string, string> {
  const n = normalize(kind, body);
  const labels = { ...((n.labels as Record<string, string> | undefined) ?? {}) };
  for (const key of Object.keys(labels)) if (isBookkeeping(key)) delete labels[key];
  return Object.fromEntries(Object.entries({ ...n, labels }).map(([k, v]) => [k, JSON.stringify(v)]));
}

/** The top-level fields whose normalized values differ, each with both values (cut short). */
function differingFields(kind: Kind, actual: NsResource, desired: NsResource): string[] {
  const a = comparable(kind, actual);
  const d = comparable(kind, desired);
  return [...new Set([...Object.keys(a), ...Object.keys(d)])]
    .filter((k) => a[k] !== d[k])
    .map((k) => `${k}: have ${String(a[k]).slice(0, 300)} want ${String(d[k]).slice(0, 300)}`);
}

function owned(r: Obj, clusterLabel: string): boolean {
  const labels = (r.labels ?? {}) as Record<string, string>;
  return labels['managed-by'] === 'gamma-csm' && labels['gamma-csm-cluster'] === clusterLabel;
}

/** Differences between what translate(cluster) wants and the NS emulator's owned resources. */
export function stateDiff(desired: Desired, netsvc: NetsvcEmulator, clusterLabel: string): string[] {
  const diffs: string[] = [];
  for (const kind of ROUTE_KINDS) {
    const want = new Map(desired[kind].map((r) => [String(r.name), r as NsResource]));
    const have = new Map(
      (netsvc.resources(kind) as Obj[])
        .filter((r) => owned(r, clusterLabel))
        .map((r) => [String(r.name), r as NsResource]),
    );
    for (const [name, body] of want) {
      const actual = have.get(name);
      if (!actual) diffs.push(`missing ${name}`);
      else {
        const fields = differingFields(kind, actual, body);
        if (fields.length) diffs.push(`differs ${name} (${fields.join('; ')})`);
      }
    }
    for (const name of have.keys()) if (!want.has(name)) diffs.push(`extra ${name}`);
  }
  const mesh = (netsvc.resources('meshes') as Obj[]).find((m) => m.name === desired.mesh.name);
  if (!mesh) diffs.push(`missing ${desired.mesh.name}`);
  else {
    const fields = differingFields('meshes', mesh as NsResource, desired.mesh);
    if (fields.length) diffs.push(`differs ${desired.mesh.name} (${fields.join('; ')})`);
  }
  return diffs;
}

interface LiveCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

function conditions(list: unknown): string {
  return JSON.stringify(
    ((list ?? []) as LiveCondition[])
      .map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }))
      .sort((a, b) => a.type.localeCompare(b.type)),
  );
}

function refKey(ref: Obj): string {
  return JSON.stringify([
    ref.group ?? '',
    ref.kind ?? 'Service',
    ref.namespace ?? '',
    ref.name,
    ref.port ?? null,
  ]);
}

/** Routes whose live status (gamma-csm's entries) differs from the statuses translate computed. */
export function statusDiff(desired: Desired, k8s: K8sEmulator, controllerName: string): string[] {
  const diffs: string[] = [];
  for (const want of desired.statuses) {
    const live = k8s.getObject(want.kind, want.namespace, want.name) as
      { status?: { parents?: Obj[] } } | undefined;
    const ours = (live?.status?.parents ?? []).filter((p) => p.controllerName === controllerName);
    const liveByRef = new Map(ours.map((p) => [refKey(p.parentRef as Obj), conditions(p.conditions)]));
    const where = `${want.kind} ${want.namespace}/${want.name}`;
    if (ours.length !== want.parents.length)
      diffs.push(`${where}: ${ours.length} parent entries, want ${want.parents.length}`);
    for (const p of want.parents) {
      const got = liveByRef.get(refKey(p.parentRef as unknown as Obj));
      if (got !== conditions(p.conditions))
        diffs.push(`${where} -> ${p.parentRef.name}: ${got ?? 'no entry'} != ${conditions(p.conditions)}`);
    }
  }
  return diffs;
}

/** Resources gamma-csm must never touch, serialized as stored. */
export function foreignFingerprint(
  netsvc: NetsvcEmulator,
  names: string[],
): Record<string, string | undefined> {
  const all = new Map<string, Obj>();
  for (const kind of ['meshes', 'httpRoutes', 'grpcRoutes'] as const)
    for (const r of netsvc.resources(kind) as Obj[]) all.set(String(r.name), r);
  return Object.fromEntries(names.map((n) => [n, all.has(n) ? JSON.stringify(all.get(n)) : undefined]));
}
