// Live-log warnings for routes the pipeline never sees: a route whose only "Service" parentRefs
// lack `group: ""` is, per the Gateway API, not a mesh route, so the watcher publishes nothing and
// no status is written. The spec's meaning is kept; this only makes it visible (docs/cli.md).
import { STATUS_ROUTE_RESOURCES } from '../../shared/cluster/objects.ts';
import { noServiceParentReason } from '../../shared/translate/parents.ts';
import { RESOURCES } from './k8s/resources.ts';
import type { KubeObj } from './k8s/resources.ts';
import type { Store } from './k8s/store.ts';
import type { StackEvent } from './live-log.ts';

/** Every route kind gamma-csm reads (shared/cluster/objects.ts). */
const ROUTE_KINDS: string[] = Object.keys(STATUS_ROUTE_RESOURCES);

/** The warning for a route skipped only because of a parentRef's group, or undefined. */
export function skippedRouteWarning(obj: KubeObj): string | undefined {
  const reason = noServiceParentReason(obj);
  if (!reason?.includes('add group: ""')) return undefined;
  return `${obj.kind} ${obj.metadata.namespace ?? 'default'}/${obj.metadata.name} is not translated: ${reason}`;
}

/**
 * Follows every route of those kinds in the stand-in's store (current ones first) and emits one
 * warning per route and distinct text; returns the unsubscribe function.
 */
export function watchSkippedRoutes(store: Store, emit: (e: StackEvent) => void): () => void {
  const said = new Map<string, string>();
  const stops = RESOURCES.filter((def) => ROUTE_KINDS.includes(def.kind)).map((def) =>
    store.watch({ def, labels: [], fields: [] }, undefined, (type, obj) => {
      const key = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
      const warning = type === 'DELETED' ? undefined : skippedRouteWarning(obj);
      if (warning === undefined) {
        said.delete(key);
        return;
      }
      if (said.get(key) === warning) return;
      said.set(key, warning);
      emit({ type: 'log', component: 'routes', severity: 'WARNING', message: warning });
    }),
  );
  return () => stops.forEach((stop) => stop());
}
