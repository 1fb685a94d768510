// UDPRoute has no Network Services counterpart (a Mesh routes HTTP, gRPC, TCP and TLS): translate writes
// nothing for one (the CLI lists it as ignored, with UDP_ROUTE_REASON) but rejects it visibly in its
// status: Accepted=False, UnsupportedValue, per Service parentRef (docs/support-matrix.md, "UDPRoute").
// In a cluster, sync writes that status within seconds: the watcher watches UDPRoutes and puts them in
// their parents' events (shared/cluster/parent-snapshot.ts), which sync confirms against their live
// copies (shared/pipeline/liveness.ts); reconcile reads them too (shared/cluster/snapshot.ts).
import type { KubeObject, ParentReference } from '../gamma/types.ts';
import { isServiceParentRef } from '../gamma/refs.ts';
import { UDP_ROUTE_REASON } from '../gamma/snapshot.ts';
import type { RouteStatusEntry } from './types.ts';
import { rejectedCondition } from './status.ts';
import { asArray, isObj } from './util.ts';

/** The status of a UDPRoute for its Service parents, or undefined when it has none (not ours). */
export function udpRouteStatus(route: KubeObject, controllerName: string): RouteStatusEntry | undefined {
  const raw: unknown = (route as { spec?: unknown }).spec;
  const spec = isObj(raw) ? raw : {};
  const refs = asArray<unknown>(spec.parentRefs).filter(isServiceParentRef) as ParentReference[];
  if (!refs.length || !isObj(route.metadata)) return undefined;
  const { name, namespace = 'default', generation } = route.metadata;
  const gen = typeof generation === 'number' ? generation : undefined;
  const message = `${UDP_ROUTE_REASON}; nothing is written for this route`;
  const parents = refs.map((parentRef) => ({
    parentRef,
    controllerName,
    conditions: [rejectedCondition('UnsupportedValue', message, gen)],
  }));
  return gen === undefined
    ? { kind: 'UDPRoute', namespace, name, parents }
    : { kind: 'UDPRoute', namespace, name, generation: gen, parents };
}
