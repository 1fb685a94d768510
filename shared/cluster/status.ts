// Route status writes (docs/architecture.md §5.4): our controller's `status.parents` entries only, other
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
import type { ParentKey } from '../gamma/refs.ts';
import { parentRefIdentity, parentRefNames } from '../gamma/refs.ts';
import type { ParentStatus, RouteStatusEntry } from '../translate/types.ts';
import { STATUS_ROUTE_RESOURCES, readRoute } from './objects.ts';

export interface WriteStatusOptions {
  controllerName: string;
  /** Recorded by the server as the writer (managedFields). */
  fieldManager?: string;
  /** Attempts per route on 409 Conflict (default 5). */
  maxAttempts?: number;
  /** Routes written in parallel (default 8). */
  concurrency?: number;
  now?: () => Date;
  /**
   * Write only our entries for these parents: our entries naming other parents are kept as read
   * (inside the same read-modify-write, so a concurrent writer of another parent is never undone),
   * unless the route no longer lists their parentRef. Entries in `statuses` outside these parents
   * are ignored. Without it, all of our controller's entries on the route are replaced.
   */
  onlyParents?: ParentKey[];
}

export interface WriteStatusResult {
  written: number;
  /** Nothing to change, or the route no longer exists. */
  skipped: number;
  failed: {
    kind: string;
    namespace: string;
    name: string;
    error: string;
    code?: number;
    permanent: boolean;
  }[];
}

/**
 * A failure another attempt cannot fix: any 4xx but 408 (timeout), 409 (conflict, retried above) and
 * 429 (throttled). 403 (RBAC) and 422 (e.g. status.parents over its limit because other controllers
 * also report) stay until someone changes the cluster; redelivering only delays newer events.
 */
export function isPermanentStatusFailure(code: number | undefined): boolean {
  return code !== undefined && code >= 400 && code < 500 && code !== 408 && code !== 409 && code !== 429;
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

export interface MergeOptions {
  controllerName: string;
  routeNamespace: string;
  generation?: number;
  now: string;
  /** See WriteStatusOptions.onlyParents. */
  onlyParents?: ParentKey[];
  /** The route's spec.parentRefs, when known: our kept out-of-scope entries must still be among them. */
  parentRefs?: ParentReference[];
}

/**
 * The new `status.parents`: other controllers' entries untouched and in place; ours replaced in
 * place, appended when new, removed when we no longer answer for that parentRef. With
 * `onlyParents`, our entries for other parents count as untouchable too (while the route has them).
 */
export function mergeParentStatuses(
  current: RouteParentStatus[],
  ours: ParentStatus[],
  opts: MergeOptions,
): RouteParentStatus[] {
  const key = (p: { parentRef: ParentReference }) => parentRefIdentity(p.parentRef, opts.routeNamespace);
  const scope = opts.onlyParents;
  const inScope = (p: { parentRef: ParentReference }) =>
    !scope || scope.some((parent) => parentRefNames(p.parentRef, opts.routeNamespace, parent));
  const listed =
    opts.parentRefs && new Set(opts.parentRefs.map((r) => parentRefIdentity(r, opts.routeNamespace)));
  const ourController = (p: RouteParentStatus) => p.controllerName === opts.controllerName;
  const mine = (p: RouteParentStatus) => ourController(p) && inScope(p);
  // Our out-of-scope entry for a parentRef the route dropped: nobody else will ever remove it.
  const orphan = (p: RouteParentStatus) => ourController(p) && !inScope(p) && listed && !listed.has(key(p));
  ours = ours.filter(inScope);
  const wanted = new Map(ours.map((p) => [key(p), p] as const));
  const build = (p: ParentStatus, old?: RouteParentStatus): RouteParentStatus => ({
    parentRef: p.parentRef,
    controllerName: opts.controllerName,
    conditions: withTimes(p.conditions, old?.conditions, opts.generation, opts.now),
  });
  const out: RouteParentStatus[] = [];
  const placed = new Set<string>();
  for (const p of current) {
    if (orphan(p)) continue;
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
  spec?: { parentRefs?: ParentReference[] };
  status?: { parents?: RouteParentStatus[] };
}

type Outcome = 'written' | 'skipped';

async function writeOne(
  api: CustomObjectsApi,
  entry: RouteStatusEntry,
  opts: WriteStatusOptions,
): Promise<Outcome> {
  const attempts = opts.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    // The status subresource at the version the cluster serves (objects.ts); a route that is gone,
    // or a kind whose CRD is gone, has no status to write.
    const read = await readRoute(api, entry.kind, entry.namespace, entry.name, { status: true });
    if (!read.found) return 'skipped';
    const route = read.object as unknown as RouteObject;
    const ref = {
      group: GATEWAY_GROUP,
      version: read.version,
      namespace: entry.namespace,
      plural: STATUS_ROUTE_RESOURCES[entry.kind].plural,
      name: entry.name,
    };
    const current = route.status?.parents ?? [];
    // Scoped writes (sync) name parents from an event: only parentRefs the live route lists are ours
    // to answer, so an event cannot make us write status onto a route that never named its parent.
    const listed = new Set((route.spec?.parentRefs ?? []).map((r) => parentRefIdentity(r, entry.namespace)));
    const answered = opts.onlyParents
      ? entry.parents.filter((p) => listed.has(parentRefIdentity(p.parentRef, entry.namespace)))
      : entry.parents;
    const now = (opts.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const generation = entry.generation ?? route.metadata.generation;
    const parents = mergeParentStatuses(current, answered, {
      controllerName: opts.controllerName,
      routeNamespace: entry.namespace,
      generation,
      now,
      ...(opts.onlyParents
        ? { onlyParents: opts.onlyParents, parentRefs: route.spec?.parentRefs ?? [] }
        : {}),
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
        const d = describe(e);
        result.failed.push({
          kind: entry.kind,
          namespace: entry.namespace,
          name: entry.name,
          ...d,
          permanent: isPermanentStatusFailure(d.code),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, statuses.length) }, worker));
  return result;
}
