// The `sync` and `reconcile` Cloud Functions served in-process by functions-framework (its own
// Express server and CloudEvent parsing), around the same shared/pipeline handlers the deployed
// functions use. The wrapper only observes: it reports each delivery (what the handler returned or
// threw, and the Network Services writes it made) and rethrows failures, so the framework answers
// 500 and Pub/Sub redelivers exactly as in the cloud.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cloudEvent } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { decodeRouteEvent } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import { handleReconcileEvent, handleSyncEvent, pubsubMessageOf } from '../../shared/pipeline/index.ts';
import type {
  CloudEventLike,
  PipelineDeps,
  ReconcileHandling,
  SyncHandling,
} from '../../shared/pipeline/index.ts';
import type { ObservedNetsvcClient, Write } from './observed-netsvc.ts';

export interface FunctionServer {
  url: string;
  port: number;
  /** Requests received so far. */
  deliveries: number;
  /** Requests being handled right now. */
  inFlight: number;
  close(): Promise<void>;
}

/** What one delivery came to: the handler's result, or what it threw (the delivery is redelivered). */
export type Delivery =
  | { fn: 'sync'; cloudEvent: CloudEventLike; event?: RouteEvent; writes: Write[]; handling: SyncHandling }
  | { fn: 'sync'; cloudEvent: CloudEventLike; event?: RouteEvent; writes: Write[]; error: unknown }
  | { fn: 'reconcile'; cloudEvent: CloudEventLike; writes: Write[]; handling: ReconcileHandling }
  | { fn: 'reconcile'; cloudEvent: CloudEventLike; writes: Write[]; error: unknown };

export type DeliveryListener = (d: Delivery) => void;

export type FunctionDeps = PipelineDeps & { netsvc: ObservedNetsvcClient };

let registered = 0;

/** How long close() lets deliveries in progress finish before their connections are cut. */
const DRAIN_MS = 2000;

/** Serves `handler` as a registered CloudEvent function through the framework's real server. */
export async function serveFunction(
  name: string,
  handler: (e: CloudEventLike) => Promise<void>,
  host: string,
  port = 0,
): Promise<FunctionServer> {
  const running = new Set<Promise<void>>();
  const fnName = `${name}-${++registered}`;
  cloudEvent(fnName, (event: CloudEventLike) => {
    const run = handler(event);
    running.add(run);
    const forget = () => void running.delete(run);
    run.then(forget, forget);
    return run;
  });
  const server: http.Server = getTestServer(fnName);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const close = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Let handlers in progress finish (bounded) so none fails against a stand-in already closed.
    let timer: NodeJS.Timeout | undefined;
    const drained = Promise.allSettled([...running]);
    await Promise.race([drained, new Promise<void>((r) => (timer = setTimeout(r, DRAIN_MS)))]);
    clearTimeout(timer);
    server.closeAllConnections();
    await closed;
  };
  const handle: FunctionServer = {
    url: `http://${host}:${bound}/`,
    port: bound,
    deliveries: 0,
    inFlight: 0,
    close,
  };
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    handle.deliveries++;
    handle.inFlight++;
    res.on('close', () => handle.inFlight--);
  });
  return handle;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What the framework prints for a failed delivery (it logs `err.stack`): one line, since the
 * function's log and the delivery report have already said what failed and why.
 */
function redeliver(what: string, cause: unknown): Error {
  const e = new Error(`${what} failed: ${message(cause)}`, { cause });
  e.stack = `${what}: answered 500, Pub/Sub will redeliver`;
  return e;
}

/** The route event a delivery carries, when it decodes (for reports; the handler decides). */
export function routeEventOf(event: CloudEventLike): RouteEvent | undefined {
  const envelope = pubsubMessageOf(event);
  if (!envelope.ok) return undefined;
  const result = decodeRouteEvent(envelope.message.data, envelope.message.attributes);
  return result.ok ? result.event : undefined;
}

export function startSyncFunction(
  deps: FunctionDeps,
  report: DeliveryListener,
  host: string,
  port = 0,
): Promise<FunctionServer> {
  return serveFunction(
    'gamma-local-sync',
    async (cloudEvent) => {
      const event = routeEventOf(cloudEvent);
      const base = { fn: 'sync' as const, cloudEvent, ...(event ? { event } : {}) };
      const writes: Write[] = [];
      try {
        const observed = await deps.netsvc.observe(() => handleSyncEvent(cloudEvent, deps), writes);
        report({ ...base, writes, handling: observed.result });
      } catch (e) {
        report({ ...base, writes, error: e });
        const what = event ? `sync of ${event.parent.namespace}/${event.parent.name}` : 'sync';
        throw redeliver(what, e);
      }
    },
    host,
    port,
  );
}

export function startReconcileFunction(
  deps: FunctionDeps,
  report: DeliveryListener,
  host: string,
  port = 0,
): Promise<FunctionServer> {
  return serveFunction(
    'gamma-local-reconcile',
    async (cloudEvent) => {
      const writes: Write[] = [];
      try {
        const observed = await deps.netsvc.observe(() => handleReconcileEvent(cloudEvent, deps), writes);
        report({ fn: 'reconcile', cloudEvent, writes, handling: observed.result });
      } catch (e) {
        report({ fn: 'reconcile', cloudEvent, writes, error: e });
        throw redeliver('reconcile', e);
      }
    },
    host,
    port,
  );
}
