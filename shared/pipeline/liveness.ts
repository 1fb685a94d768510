// The freshness check of a route event against the cluster (docs/architecture.md §5.2): the event is current only
// if the parent Service and every route it carries still exist with the same translation-relevant
// content (uid + the fields the watcher compares before emitting). Anything else means a newer
// event exists or will come: a stale event's routes are applied only when it is newer than what is
// applied (mayApplyStale), and its route status is never written. Comparing resourceVersions
// instead would call an event stale after our own status write (which bumps the route's
// resourceVersion but is no change the watcher emits for), leaving a second parent of a shared
// route never applied.
//
// An event's UDPRoutes are read live too, but only to decide whether their status is written (a
// deleted one's is not): they shape nothing in Network Services and their status is computed from
// the live copy alone, so they never make an event stale and stay out of the digest
// (snapshot-routes.ts). An event from a watcher that predates them has none, and reads as before.
import { createHash } from 'node:crypto';
import { ApiException, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { cleanObject, readRoute } from '../cluster/index.ts';
import { listReferenceGrants } from '../cluster/snapshot.ts';
import type {
  KubeObject,
  ReferenceGrant,
  Route,
  RouteKind,
  Service,
  StatusRouteKind,
  UDPRoute,
} from '../gamma/types.ts';
import { compareSequences, isDecimalSequence } from '../events/index.ts';
import type { RouteEvent } from '../events/index.ts';
import { canonicalJson } from '../translate/util.ts';
import type { Snapshot } from '../translate/types.ts';
import { mapLimit, withTimeout } from './bounded.ts';
import { mapRouteLists, snapshotRoutes, statusRoutes, udpRoutesOf } from './snapshot-routes.ts';

export interface LiveObjects {
  service: Service | null;
  /** Keyed `Kind ns/name`; null when the route no longer exists. */
  routes: Map<string, Route | null>;
  /** The event's UDPRoutes, keyed and null like `routes`; absent when it named none. */
  udpRoutes?: Map<string, UDPRoute | null>;
  /** Every Service of the snapshot (backends too), keyed `ns/name`; null when it does not exist. */
  services?: Map<string, Service | null>;
  /** The namespaces of every Service named like the parent (the short-name fact, docs/architecture.md §4.3). */
  shortNameNamespaces?: string[];
  /** The cluster's current resourceVersion, from the same LIST (what it has issued so far). */
  resourceVersion?: string;
  /** Every ReferenceGrant, listed when cross-namespace backendRefs need them (never the event's). */
  referenceGrants?: ReferenceGrant[];
}

export interface ReadLiveOptions {
  /** Cluster reads in flight at once (default 8). */
  concurrency?: number;
  /** Per call (default 30 s): shorter than the function's own timeout. */
  timeoutMs?: number;
  /** List the ReferenceGrants too (GAMMA_CROSS_NAMESPACE_BACKENDS=referencegrant). */
  referenceGrants?: boolean;
}

export type Freshness = { fresh: true } | { fresh: false; why: string };

export function routeKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind} ${namespace ?? 'default'}/${name}`;
}

/** The fields of a route that change its translation (the watcher's own criterion). */
export function routeEssence(r: Route): string {
  const { uid, labels, annotations, deletionTimestamp } = r.metadata;
  return canonicalJson([uid ?? '', r.spec, labels ?? {}, annotations ?? {}, deletionTimestamp ?? null]);
}

/**
 * The fields of a Service the translation reads: ports, type, annotations and, for TCPRoutes, its
 * cluster IPs. A single cluster IP is fixed for the Service's life (the API server refuses to change
 * it; a new one means a new uid), so it adds nothing and single-stack essences, and the digests
 * built on them, stay as they were; a Service that turns dual-stack gains a second IP without a new
 * uid, and that must read as a change.
 */
export function serviceEssence(s: Service): string {
  const ips = s.spec?.clusterIPs ?? [];
  return canonicalJson([
    s.metadata.uid ?? '',
    s.spec?.ports ?? [],
    s.spec?.type ?? '',
    s.spec?.externalName ?? '',
    s.metadata.annotations ?? {},
    ...(ips.length > 1 ? [ips] : []),
  ]);
}

async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return null;
    throw e;
  }
}

const serviceKey = (o: { metadata: { namespace?: string; name: string } }) =>
  `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

type Ref = { metadata: { namespace?: string; name: string } };

/** One Service as the cluster has it now, or null. */
async function readLiveService(core: CoreV1Api, s: Ref, timeoutMs: number): Promise<Service | null> {
  return orNull(async () =>
    cleanObject<Service>({
      apiVersion: 'v1',
      kind: 'Service',
      ...(await withTimeout(`reading Service ${serviceKey(s)}`, timeoutMs, () =>
        core.readNamespacedService({ name: s.metadata.name, namespace: s.metadata.namespace ?? 'default' }),
      )),
    }),
  );
}

/**
 * One route as the cluster has it now, read at the version it was seen at first (objects.ts
 * readRoute); null when it is gone, or its kind is no longer served (its CRD removed).
 */
async function readLiveRoute(
  custom: CustomObjectsApi,
  kind: StatusRouteKind,
  r: Ref & { apiVersion?: string },
  timeoutMs: number,
): Promise<KubeObject | null> {
  const read = await withTimeout(`reading ${kind} ${serviceKey(r)}`, timeoutMs, () =>
    readRoute(custom, kind, r.metadata.namespace ?? 'default', r.metadata.name, { apiVersion: r.apiVersion }),
  );
  return read.found ? cleanObject<KubeObject>(read.object) : null;
}

/**
 * GETs every Service and route the snapshot names, UDPRoutes too (bounded concurrency, each call
 * with a timeout), and LISTs the Services named like the parent: the short-name fact and the
 * cluster's current resourceVersion in one read. Throws on anything but 404.
 */
export async function readLiveObjects(
  kube: KubeConfig,
  event: RouteEvent,
  opts: ReadLiveOptions = {},
): Promise<LiveObjects> {
  const core = kube.makeApiClient(CoreV1Api);
  const custom = kube.makeApiClient(CustomObjectsApi);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const { namespace, name } = event.parent;
  const parentRef = { metadata: { namespace, name } };
  const serviceRefs = [
    parentRef,
    ...event.snapshot.services.filter((s) => serviceKey(s) !== serviceKey(parentRef)),
  ];
  const routeRefs = statusRoutes(event.snapshot);
  const reads: (() => Promise<KubeObject | null>)[] = [
    ...serviceRefs.map((s) => () => readLiveService(core, s, timeoutMs)),
    ...routeRefs.map((ref) => () => readLiveRoute(custom, ref.kind, ref.route, timeoutMs)),
  ];
  const [list, results, grants] = await Promise.all([
    withTimeout(`listing Services named ${name}`, timeoutMs, () =>
      core.listServiceForAllNamespaces({ fieldSelector: `metadata.name=${name}` }),
    ),
    mapLimit(reads, opts.concurrency ?? 8, (read) => read()),
    opts.referenceGrants
      ? withTimeout('listing ReferenceGrants', timeoutMs, () => listReferenceGrants(custom, 500))
      : undefined,
  ]);
  const services = new Map(serviceRefs.map((s, i) => [serviceKey(s), results[i] as Service | null]));
  const routes = new Map<string, Route | null>();
  const udpRoutes = new Map<string, UDPRoute | null>();
  routeRefs.forEach(({ kind, route: r }, i) => {
    const key = routeKey(kind, r.metadata.namespace, r.metadata.name);
    const current = results[serviceRefs.length + i];
    if (kind === 'UDPRoute') udpRoutes.set(key, current as UDPRoute | null);
    else routes.set(key, current as Route | null);
  });
  return {
    service: services.get(serviceKey(parentRef)) ?? null,
    routes,
    ...(udpRoutes.size ? { udpRoutes } : {}),
    services,
    shortNameNamespaces: [...new Set(list.items.map((s) => s.metadata?.namespace ?? 'default'))].sort(),
    ...(list.metadata?.resourceVersion ? { resourceVersion: list.metadata.resourceVersion } : {}),
    ...(grants ? { referenceGrants: grants.items } : {}),
  };
}

/** The live copy of a route the event named (null: gone; undefined: the event did not name it). */
export function liveRoute(
  live: LiveObjects,
  kind: StatusRouteKind,
  namespace: string | undefined,
  name: string,
): Route | UDPRoute | null | undefined {
  const key = routeKey(kind, namespace, name);
  return kind === 'UDPRoute' ? live.udpRoutes?.get(key) : live.routes.get(key);
}

/** Backend Services and the short-name fact, when they were read: why they differ from the snapshot. */
function otherServicesDiffer(event: RouteEvent, live: LiveObjects): string | undefined {
  for (const s of event.snapshot.services) {
    const current = live.services?.get(serviceKey(s));
    if (current === undefined) continue;
    if (current === null) return `Service ${serviceKey(s)} no longer exists`;
    if (serviceEssence(current) !== serviceEssence(s))
      return `Service ${serviceKey(s)} has changed since the snapshot`;
  }
  const { name } = event.parent;
  const claimed = event.snapshot.serviceNamespacesByName?.[name];
  if (
    live.shortNameNamespaces &&
    canonicalJson([...(claimed ?? [])].sort()) !== canonicalJson(live.shortNameNamespaces)
  )
    return `the namespaces with a Service named ${name} differ from the snapshot`;
  return undefined;
}

/**
 * Pure: the snapshot as the cluster has it. Every object the event names is replaced by its live
 * copy, objects the cluster lacks (deleted, or never existed) are dropped, and the short-name fact
 * is the one just listed: an event is a hint of what to look at, never a source of content.
 */
export function confirmedSnapshot(event: RouteEvent, live: LiveObjects): Snapshot {
  const keep = <T>(xs: (T | null | undefined)[]) => xs.filter((x): x is T => x !== null && x !== undefined);
  const services = live.services ? keep([...live.services.values()]) : keep([live.service]);
  const routesOf = (list: Route[], kind: string) =>
    keep(list.map((r) => live.routes.get(routeKey(kind, r.metadata.namespace, r.metadata.name))));
  const udpRoutes = udpRoutesOf(event.snapshot).map((r) =>
    live.udpRoutes?.get(routeKey('UDPRoute', r.metadata.namespace, r.metadata.name)),
  );
  return {
    services,
    ...mapRouteLists(event.snapshot, routesOf),
    ...(event.snapshot.udpRoutes !== undefined ? { udpRoutes: keep(udpRoutes) } : {}),
    serviceNamespacesByName: {
      [event.parent.name]:
        live.shortNameNamespaces ?? event.snapshot.serviceNamespacesByName?.[event.parent.name] ?? [],
    },
    ...(live.referenceGrants ? { referenceGrants: live.referenceGrants } : {}),
  };
}

/** Pure: does the event's snapshot still describe the cluster? */
export function checkFreshness(event: RouteEvent, live: LiveObjects): Freshness {
  const { namespace, name } = event.parent;
  const inSnapshot = event.snapshot.services.find(
    (s) => (s.metadata.namespace ?? 'default') === namespace && s.metadata.name === name,
  );
  if (!inSnapshot && live.service)
    return { fresh: false, why: `Service ${namespace}/${name} exists but the snapshot has none` };
  if (inSnapshot && !live.service)
    return { fresh: false, why: `Service ${namespace}/${name} no longer exists` };
  if (inSnapshot && live.service && serviceEssence(inSnapshot) !== serviceEssence(live.service))
    return { fresh: false, why: `Service ${namespace}/${name} has changed since the snapshot` };
  const other = otherServicesDiffer(event, live);
  if (other) return { fresh: false, why: other };
  for (const { kind, route: r } of snapshotRoutes(event.snapshot)) {
    const key = routeKey(kind, r.metadata.namespace, r.metadata.name);
    const current = live.routes.get(key);
    if (!current) return { fresh: false, why: `${key} no longer exists` };
    if (routeEssence(current) !== routeEssence(r))
      return { fresh: false, why: `${key} has changed since the snapshot` };
  }
  return { fresh: true };
}

/** One letter per kind in the digest (H and G as before TCP/TLS routes, so digests did not move). */
const DIGEST_PREFIX: Record<RouteKind, string> = {
  HTTPRoute: 'H',
  GRPCRoute: 'G',
  TCPRoute: 'T',
  TLSRoute: 'L',
};

/**
 * A short digest of everything in the snapshot that shapes the translation (essences of every
 * Service and route, and the cross-parent short-name facts): equal digests mean equal inputs.
 */
export function snapshotDigest(event: Pick<RouteEvent, 'snapshot'>): string {
  const s = event.snapshot;
  const parts = [
    ...s.services.map((x) => `S ${x.metadata.namespace}/${x.metadata.name} ${serviceEssence(x)}`),
    ...snapshotRoutes(s).map(
      ({ kind, route: x }) =>
        `${DIGEST_PREFIX[kind]} ${x.metadata.namespace}/${x.metadata.name} ${routeEssence(x)}`,
    ),
  ].sort();
  parts.push(canonicalJson(s.serviceNamespacesByName ?? {}));
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

export type StaleVerdict = { apply: true } | { apply: false; why: string };

/**
 * Whether an event whose snapshot the cluster has moved past may still be applied (routes only).
 * Refusing every such event assumed a newer one would be applied instead; under sustained churn
 * the newer one is stale on arrival too, and nothing is applied until the churn stops (livelock).
 * So a stale snapshot is applied when it is provably newer than what is applied: every delivery
 * then moves the parent forward and never back (docs/architecture.md §5.2 forbids only regressing). Without a
 * decimal sequence on both sides there is no proof: nothing applied may mean its routes were
 * deleted by a newer event, which an older snapshot would bring back. Such an event is refused as
 * before, and a fresh event or the reconcile applies the parent. An equal sequence is the applied
 * state itself (a duplicate): nothing to gain, and the newer event that made it stale is coming.
 */
export function mayApplyStale(applied: string | undefined, incoming: string): StaleVerdict {
  if (!isDecimalSequence(applied) || !isDecimalSequence(incoming))
    return { apply: false, why: 'no applied sequence to prove it newer' };
  if (compareSequences(incoming, applied) <= 0)
    return { apply: false, why: `sequence ${incoming} is not newer than the applied ${applied}` };
  return { apply: true };
}
