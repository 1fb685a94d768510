import type http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { RpcError } from './errors.ts';
import { adminUrl, startAdminServer } from './admin.ts';
import { Broker } from './broker.ts';
import type { Faults, SubscriptionStats } from './broker.ts';
import { publisherHandlers, subscriberHandlers } from './handlers.ts';
import { loadPubsubServices } from './proto.ts';
import { PushConsumer } from './push.ts';
import type { PushOptions } from './push.ts';

export interface PubsubEmulatorOptions {
  port?: number;
  host?: string;
  /** Port of the HTTP admin endpoint (faults, stats); 0 picks a free one. */
  adminPort?: number;
  /** Push requests in flight per subscription (default 8; always one per ordering key). */
  pushConcurrency?: number;
  /** Push HTTP timeout override for tests (default: the subscription's ack deadline, at least 10 s). */
  pushTimeoutMs?: number;
  /** How long a unary Pull without returnImmediately waits for messages (default 2000 ms). */
  pullWaitMs?: number;
  /** Random source for the fault switches, for reproducible tests. */
  random?: () => number;
}

export interface PubsubStats {
  topics: Record<string, { published: number }>;
  subscriptions: Record<string, SubscriptionStats>;
}

export interface PubsubEmulator {
  /** host:port, what PUBSUB_EMULATOR_HOST and the client's apiEndpoint take. */
  endpoint: string;
  port: number;
  /** http://host:port of the admin endpoint. */
  adminUrl: string;
  setFaults(faults: Partial<Faults>): Faults;
  stats(): PubsubStats;
  subscriptionStats(subscription: string): SubscriptionStats;
  /** Resolves once `predicate(stats())` holds, or rejects after `timeoutMs`. */
  waitForStats(predicate: (stats: PubsubStats) => boolean, timeoutMs?: number): Promise<PubsubStats>;
  close(): Promise<void>;
}

/** Keeps one push worker per push subscription, in step with its config. */
function pushSync(broker: Broker, options: PushOptions): { sync(name: string): void; stopAll(): void } {
  const workers = new Map<string, PushConsumer>();
  const stop = (name: string): void => {
    const worker = workers.get(name);
    if (!worker) return;
    workers.delete(name);
    broker.detach(name, worker);
    worker.end(new RpcError(status.CANCELLED, 'push stopped'));
  };
  const sync = (name: string): void => {
    let endpoint: string | undefined;
    try {
      endpoint = broker.subscription(name).config.pushEndpoint;
    } catch {
      endpoint = undefined; // deleted
    }
    if (!endpoint) return stop(name);
    const existing = workers.get(name);
    if (existing) return existing.retarget(endpoint);
    const deadline = (): number => broker.subscription(name).config.ackDeadlineSeconds;
    const worker = new PushConsumer(broker, name, endpoint, deadline, options);
    workers.set(name, worker);
    broker.attach(name, worker);
  };
  return { sync, stopAll: () => [...workers.keys()].forEach(stop) };
}

export async function startPubsubEmulator(opts: PubsubEmulatorOptions = {}): Promise<PubsubEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const broker = new Broker(opts.random);
  const push = pushSync(broker, { concurrency: opts.pushConcurrency ?? 8, timeoutMs: opts.pushTimeoutMs });
  const services = loadPubsubServices();
  // Large enough to answer an oversized Publish with the service's INVALID_ARGUMENT instead of a transport error.
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 32 * 1024 * 1024 });
  server.addService(services.Publisher, publisherHandlers(broker));
  server.addService(
    services.Subscriber,
    subscriberHandlers(broker, { syncPush: push.sync, pullWaitMs: opts.pullWaitMs ?? 2000 }),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${opts.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const stats = (): PubsubStats => broker.stats();
  const admin: http.Server = await startAdminServer(
    { setFaults: (f) => broker.setFaults(f), stats },
    host,
    opts.adminPort ?? 0,
  );
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    push.stopAll();
    broker.close();
    admin.closeAllConnections();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => server.forceShutdown(), 1000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    await new Promise<void>((resolve) => admin.close(() => resolve()));
  };
  return {
    endpoint: `${host}:${port}`,
    port,
    adminUrl: adminUrl(admin, host),
    setFaults: (faults) => broker.setFaults(faults),
    stats,
    subscriptionStats: (name) => {
      const s = stats().subscriptions[name];
      if (!s) throw new Error(`subscriptionStats: no subscription ${name}`);
      return s;
    },
    waitForStats: (predicate, timeoutMs = 10_000) => waitFor(() => stats(), predicate, timeoutMs),
    close: () => (closing ??= close()),
  };
}

async function waitFor<T>(read: () => T, predicate: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (predicate(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`waitForStats: condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
