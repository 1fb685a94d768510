// The `sync` and `reconcile` Cloud Functions served in-process by functions-framework (its own
// Express server and CloudEvent parsing), around the same shared/pipeline handlers the deployed
// functions use. The wrapper only observes: it reports each delivery to the live log and rethrows
// failures, so the framework answers 500 and Pub/Sub redelivers exactly as in the cloud.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cloudEvent } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { decodeRouteEvent, parentKey } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import {
  handleReconcileEvent,
  handleSyncEvent,
  pubsubMessageOf,
  TransientError,
} from '../../shared/pipeline/index.ts';
import type { CloudEventLike, PipelineDeps } from '../../shared/pipeline/index.ts';
import type { RouteStatusView, StackEvent } from './live-log.ts';
import type { ObservedNetsvcClient } from './observed-netsvc.ts';

export interface FunctionServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface FunctionHooks {
  emit(e: StackEvent): void;
  /** gamma-csm's status entry of a route, read after the sync wrote it. */
  routeStatus(
    route: { kind: string; namespace: string; name: string },
    parent: { namespace: string; name: string },
  ): RouteStatusView;
}

let registered = 0;

/** How long close() lets deliveries in progress finish before their connections are cut. */
const DRAIN_MS = 2000;

async function serve(
  name: string,
  handler: (e: CloudEventLike) => Promise<void>,
  host: string,
  port: number,
): Promise<FunctionServer> {
  const inFlight = new Set<Promise<void>>();
  cloudEvent(name, (event: CloudEventLike) => {
    const run = handler(event);
    inFlight.add(run);
    const forget = () => void inFlight.delete(run);
    run.then(forget, forget);
    return run;
  });
  const server: http.Server = getTestServer(name);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const close = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const drained = Promise.allSettled([...inFlight]);
    await Promise.race([drained, new Promise<void>((r) => (timer = setTimeout(r, DRAIN_MS)))]);
    clearTimeout(timer);
    server.closeAllConnections();
    await closed;
  };
  return { url: `http://${host}:${bound}/`, port: bound, close };
}

/**
 * What the framework prints for a failed delivery (it logs `err.stack`): one line, since the live
 * log has already said what failed and why.
 */
function redeliver(what: string, cause: unknown): Error {
  const e = new Error(`${what} failed: ${message(cause)}`, { cause });
  e.stack = `${what}: answered 500, Pub/Sub will redeliver`;
  return e;
}

function decoded(event: CloudEventLike): RouteEvent | undefined {
  const envelope = pubsubMessageOf(event);
  if (!envelope.ok) return undefined;
  const result = decodeRouteEvent(envelope.message.data, envelope.message.attributes);
  return result.ok ? result.event : undefined;
}

function routesOf(ev: RouteEvent): { kind: string; namespace: string; name: string }[] {
  const s = ev.snapshot as { httpRoutes?: RouteMeta[]; grpcRoutes?: RouteMeta[] };
  const list = (kind: string, rs: RouteMeta[] = []) =>
    rs.map((r) => ({
      kind,
      namespace: r.metadata?.namespace ?? ev.parent.namespace,
      name: r.metadata?.name ?? '',
    }));
  return [...list('HTTPRoute', s.httpRoutes), ...list('GRPCRoute', s.grpcRoutes)];
}

interface RouteMeta {
  metadata?: { name?: string; namespace?: string };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function startSyncFunction(
  deps: PipelineDeps & { netsvc: ObservedNetsvcClient },
  hooks: FunctionHooks,
  host: string,
  port: number,
): Promise<FunctionServer> {
  return serve(
    `gamma-local-sync-${++registered}`,
    async (event) => {
      const ev = decoded(event);
      const parent = ev
        ? parentKey(ev.cluster, ev.parent.namespace, ev.parent.name)
        : `message ${event.id ?? '?'}`;
      let observed;
      try {
        observed = await deps.netsvc.observe(() => handleSyncEvent(event, deps));
      } catch (e) {
        hooks.emit({ type: 'sync-failed', parent, error: message(e) });
        throw redeliver(`sync of ${parent}`, e);
      }
      const { result: handling, writes } = observed;
      if (handling.acked === 'malformed')
        return hooks.emit({
          type: 'sync-failed',
          parent,
          error: `malformed event dropped: ${handling.error}`,
        });
      const outcome = handling.outcome;
      if (outcome.result === 'skipped')
        return hooks.emit({ type: 'skipped', parent, why: `${outcome.skip}: ${outcome.detail}` });
      hooks.emit({
        type: 'synced',
        parent,
        reasons: ev?.reason ?? [],
        ms: outcome.ms,
        writes,
        unchanged: outcome.counts.unchanged,
        routes: ev ? routesOf(ev).map((r) => hooks.routeStatus(r, ev.parent)) : [],
        problems: outcome.messages,
      });
    },
    host,
    port,
  );
}

export async function startReconcileFunction(
  deps: PipelineDeps,
  hooks: FunctionHooks,
  host: string,
  port: number,
): Promise<FunctionServer> {
  return serve(
    `gamma-local-reconcile-${++registered}`,
    async (event) => {
      try {
        const handling = await handleReconcileEvent(event, deps);
        if (handling.ran) hooks.emit({ type: 'reconciled', summary: handling.summary });
      } catch (e) {
        hooks.emit({ type: 'reconcile-failed', error: message(e), transient: e instanceof TransientError });
        throw redeliver('reconcile', e);
      }
    },
    host,
    port,
  );
}
