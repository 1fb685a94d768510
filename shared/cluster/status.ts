// Route status writes (DESIGN §4.4): our controller's `status.parents` entries only, other
// controllers' entries preserved in place, observedGeneration set, lastTransitionTime kept while a
// condition's status holds, no write when only timestamps would change.
//
// Write method: JSON merge patch of the status subresource after a read, carrying the read's
// metadata.resourceVersion as a precondition. Merge patch replaces the whole list, so the read is
// what preserves other controllers' entries, and the resourceVersion turns a concurrent writer into
// a 409 that we retry on a fresh read instead of a lost update. We need the read anyway (to keep
// lastTransitionTime and to skip no-op writes), and this works whether or not the CRD declares
// status.parents as a keyed list, which server-side apply would depend on.
import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Condition, ParentReference, RouteParentStatus } from '../gamma/types.ts';
import { GATEWAY_GROUP } from '../gamma/types.ts';
import type { ParentStatus, RouteStatusEntry } from '../translate/types.ts';

export interface WriteStatusOptions {
  controllerName: string;
  /** Recorded by the server as the writer (managedFields). */
  fieldManager?: string;
  /** Attempts per route on 409 Conflict (default 5). */
  maxAttempts?: number;
  /** Routes written in parallel (default 8). */
  concurrency?: number;
  now?: () => Date;
}

export interface WriteStatusResult {
  written: number;
  /** Nothing to change, or the route no longer exists. */
  skipped: number;
  failed: { kind: string; namespace: string; name: string; error: string; code?: number }[];
}

/** Identity of a parent entry: the parentRef with defaults applied. */
export function parentRefKey(ref: ParentReference, routeNamespace: string): string {
  return JSON.stringify([
    ref.group ?? GATEWAY_GROUP,
    ref.kind ?? 'Gateway',
    ref.namespace ?? routeNamespace,
    ref.name,
    ref.sectionName ?? '',
    ref.port ?? 0,
  ]);
}

function withTimes(
  conditions: Condition[],
  previous: Condition[] | undefined,
  generation: number | undefined,
  now: string,
): Condition[] {
  return conditions.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const lastTransitionTime =
      old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now;
    return {
      ...c,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      lastTransitionTime,
    };
  });
}

/**
 * The new `status.parents`: other controllers' entries untouched and in place; ours replaced in
 * place, appended when new, removed when we no longer answer for that parentRef.
 */
export function mergeParentStatuses(
  current: RouteParentStatus[],
  ours: ParentStatus[],
  opts: { controllerName: string; routeNamespace: string; generation?: number; now: string },
): RouteParentStatus[] {
  const key = (p: { parentRef: ParentReference }) => parentRefKey(p.parentRef, opts.routeNamespace);
  const mine = (p: RouteParentStatus) => p.controllerName === opts.controllerName;
  const wanted = new Map(ours.map((p) => [key(p), p] as const));
  const build = (p: ParentStatus, old?: RouteParentStatus): RouteParentStatus => ({
    parentRef: p.parentRef,
    controllerName: opts.controllerName,
    conditions: withTimes(p.conditions, old?.conditions, opts.generation, opts.now),
  });
  const out: RouteParentStatus[] = [];
  const placed = new Set<string>();
  for (const p of current) {
    if (!mine(p)) out.push(p);
    else if (wanted.has(key(p)) && !placed.has(key(p))) {
      out.push(build(wanted.get(key(p)) as ParentStatus, p));
      placed.add(key(p));
    }
  }
  for (const p of ours) if (!placed.has(key(p))) out.push(build(p));
  return out;
}

function withoutTimestamps(parents: RouteParentStatus[]): unknown {
  return parents.map((p) => ({
    ...p,
    conditions: (p.conditions ?? []).map((c) => ({ ...c, lastTransitionTime: undefined })),
  }));
}

export function sameIgnoringTimestamps(a: RouteParentStatus[], b: RouteParentStatus[]): boolean {
  return JSON.stringify(withoutTimestamps(a)) === JSON.stringify(withoutTimestamps(b));
}

interface RouteObject {
  metadata: { resourceVersion?: string; generation?: number };
  status?: { parents?: RouteParentStatus[] };
}

type Outcome = 'written' | 'skipped';

async function writeOne(
  api: CustomObjectsApi,
  entry: RouteStatusEntry,
  opts: WriteStatusOptions,
): Promise<Outcome> {
  const ref = {
    group: GATEWAY_GROUP,
    version: 'v1',
    namespace: entry.namespace,
    plural: entry.kind === 'HTTPRoute' ? 'httproutes' : 'grpcroutes',
    name: entry.name,
  };
  const attempts = opts.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    let route: RouteObject;
    try {
      route = (await api.getNamespacedCustomObjectStatus(ref)) as RouteObject;
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return 'skipped';
      throw e;
    }
    const current = route.status?.parents ?? [];
    const now = (opts.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const generation = entry.generation ?? route.metadata.generation;
    const parents = mergeParentStatuses(current, entry.parents, {
      controllerName: opts.controllerName,
      routeNamespace: entry.namespace,
      generation,
      now,
    });
    if (sameIgnoringTimestamps(current, parents)) return 'skipped';
    try {
      await api.patchNamespacedCustomObjectStatus(
        {
          ...ref,
          body: { metadata: { resourceVersion: route.metadata.resourceVersion }, status: { parents } },
          fieldManager: opts.fieldManager,
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      return 'written';
    } catch (e) {
      if (e instanceof ApiException && e.code === 409 && attempt < attempts) continue;
      if (e instanceof ApiException && e.code === 404) return 'skipped';
      throw e;
    }
  }
}

function describe(e: unknown): { error: string; code?: number } {
  if (e instanceof ApiException) {
    const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body);
    let message = body;
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // body was not JSON; keep it as is
    }
    return { error: `HTTP ${e.code}: ${message}`, code: e.code };
  }
  return { error: e instanceof Error ? e.message : String(e) };
}

export async function writeRouteStatuses(
  kc: KubeConfig,
  statuses: RouteStatusEntry[],
  opts: WriteStatusOptions,
): Promise<WriteStatusResult> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const result: WriteStatusResult = { written: 0, skipped: 0, failed: [] };
  const queue = [...statuses];
  const worker = async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      try {
        result[await writeOne(api, entry, opts)] += 1;
      } catch (e) {
        result.failed.push({
          kind: entry.kind,
          namespace: entry.namespace,
          name: entry.name,
          ...describe(e),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, statuses.length) }, worker));
  return result;
}
