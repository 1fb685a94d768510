// Helpers for the function tests: route events built from the k8s stand-in's current objects (as the
// watcher would build them), pushed to a function as Eventarc's binary CloudEvent.
import { readClusterSnapshot } from '../../shared/cluster/index.ts';
import { buildParentSnapshot, snapshotObjects } from '../../shared/cluster/parent-snapshot.ts';
import { ROUTE_EVENT_SCHEMA, encodeRouteEvent, sequenceOf } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';

let counter = 0;

/** The event the watcher would publish for the parent right now. */
export async function currentEvent(
  p: Pipeline,
  namespace: string,
  name: string,
  extra: Partial<RouteEvent> = {},
): Promise<RouteEvent> {
  const snapshot = buildParentSnapshot(await readClusterSnapshot(p.kube), { namespace, name });
  const objects = snapshotObjects(snapshot);
  return {
    schema: ROUTE_EVENT_SCHEMA,
    cluster: p.clusterId,
    parent: { namespace, name },
    sequence: sequenceOf(objects, String(p.k8s.store.resourceVersion)),
    emittedAt: new Date().toISOString(),
    reason: ['test'],
    snapshot,
    ...extra,
  };
}

/** POSTs the event to a function URL the way Eventarc pushes a Pub/Sub message; returns the HTTP status. */
export async function push(
  url: string,
  event: RouteEvent | { raw: string; attributes?: Record<string, string> },
): Promise<number> {
  const id = `m-${++counter}`;
  const message =
    'raw' in event
      ? { data: event.raw, attributes: event.attributes ?? {} }
      : (() => {
          const enc = encodeRouteEvent(event);
          return {
            data: enc.data.toString('base64'),
            attributes: enc.attributes,
            orderingKey: enc.orderingKey,
          };
        })();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'ce-id': id,
      'ce-source': '//pubsub.googleapis.com/projects/local-proj/topics/route-events',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      'ce-time': new Date().toISOString(),
    },
    body: JSON.stringify({
      message: { ...message, messageId: id },
      subscription: 'projects/local-proj/subscriptions/s',
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Route requests at the NS emulator by `METHOD collection` since its last resetStats(). Mesh reads
 * are left out: the Mesh has its own memo (sync-budget.test.ts), re-read after a write and every few seconds.
 */
export function requestMix(p: Pipeline): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [collection, methods] of Object.entries(p.netsvc.stats().byCollection))
    for (const [method, n] of Object.entries(methods))
      if (n > 0 && collection !== 'meshes') out[`${method} ${collection}`] = n;
  return out;
}

export { accepted, httpRoute, namespace, prefixesOf, routeFor, service, statusOf } from '../e2e/support.ts';
