// Test harness for the watcher: the k8s stand-in, our Pub/Sub emulator behind a TCP proxy that a
// test can cut (real publish failures for the real client), a subscription that decodes what the
// watcher published, and the watcher itself.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { PubSub } from '@google-cloud/pubsub';
import type { Message } from '@google-cloud/pubsub';
import { KubeConfig } from '@kubernetes/client-node';
import type { ExecutionContext } from 'ava';
import { startK8sEmulator } from '../../infra/local/k8s/index.ts';
import type { K8sEmulator, KubeObj } from '../../infra/local/k8s/index.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import { decodeRouteEvent } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import { startWatcher } from '../../watcher/index.ts';
import type { Watcher, WatcherSettings } from '../../watcher/index.ts';
import { makeLogger } from '../../watcher/log.ts';
import type { FakeClock } from './fake-clock.ts';

export const PROJECT = 'test-proj';
export const CLUSTER = 'test-cluster';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function eventually<T>(
  read: () => T,
  ok: (v: T) => boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 500)}`);
    await sleep(20);
  }
}

/** A TCP forwarder that can refuse and cut every connection while "down". */
export class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  private down = false;
  endpoint = '';

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<CuttableProxy> {
    const proxy = new CuttableProxy(target);
    await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
    proxy.endpoint = `127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  private accept(client: net.Socket): void {
    if (this.down) return void client.destroy();
    const upstream = net.connect(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((r) => this.server.close(() => r()));
  }
}

export interface Published {
  event: RouteEvent;
  attributes: Record<string, string>;
  orderingKey: string;
}

export interface Rig {
  emu: K8sEmulator;
  watcher: Watcher;
  proxy: CuttableProxy;
  received: Published[];
  logs: string[];
  /** Events for one parent ("ns/name"), in arrival order. */
  forParent(parent: string): RouteEvent[];
  /** Waits until an event for `parent` satisfies `ok`, returns it. */
  waitFor(
    parent: string,
    ok: (e: RouteEvent) => boolean,
    what?: string,
    timeoutMs?: number,
  ): Promise<RouteEvent>;
  health(path: '/healthz' | '/readyz'): Promise<number>;
  /**
   * Runs `act` (cluster changes) and waits until the watcher has taken in `count` more informer
   * events than before it: from then on, what those changes do to the coalescer has been done.
   */
  change(act: () => void, count?: number): Promise<void>;
  /**
   * The deterministic point after which nothing more is published for what the watcher has taken in:
   * with a fake clock, moves it past the longest coalescing window (every open window fires); then
   * waits until no window is open, the publisher has nothing queued, in flight or awaiting a retry,
   * and every message the Pub/Sub emulator accepted on the topic has reached the subscription.
   */
  settle(): Promise<void>;
}

export const routeNames = (e: RouteEvent) =>
  [...e.snapshot.httpRoutes, ...e.snapshot.grpcRoutes]
    .map((r) => `${r.metadata.namespace}/${r.metadata.name}`)
    .sort();
/** Names of a snapshot list (empty when absent). */
export const names = (list: { metadata: { name: string } }[] | undefined) =>
  (list ?? []).map((o) => o.metadata.name);

/** The watcher's /healthz body. */
export const healthz = async (port: number) =>
  (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
    status: string;
    notWatched: string[];
    failingInformers: string[];
  };

export const serviceNames = (e: RouteEvent) =>
  e.snapshot.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort();

let topics = 0;
const DEFAULT_MAX_WAIT_MS = 300;

export async function rig(
  t: ExecutionContext,
  pubsubEmu: PubsubEmulator,
  opts: {
    seed?: KubeObj[];
    settings?: Partial<WatcherSettings>;
    waitReady?: boolean;
    /** Take the API server down for this long just before the watcher starts. */
    downMs?: number;
    /** The watcher's timers (coalescing windows, publish retries, health bounds, parent sweeps). */
    clock?: FakeClock;
    /** Runs on the seeded stand-in just before the watcher starts (e.g. to inject faults). */
    beforeStart?(emu: K8sEmulator): void;
  } = {},
): Promise<Rig> {
  const emu = await startK8sEmulator({ port: 0, bookmarkIntervalMs: 500, negController: false });
  for (const o of opts.seed ?? []) emu.apply(o);
  const topicId = `route-events-${process.pid}-${++topics}`;
  const { admin, sub, received } = await subscribe(pubsubEmu, topicId);
  const proxy = await CuttableProxy.start({ host: '127.0.0.1', port: pubsubEmu.port });
  const publisherClient = new PubSub({ projectId: PROJECT, apiEndpoint: proxy.endpoint, emulatorMode: true });
  const kc = new KubeConfig();
  kc.loadFromFile(emu.kubeconfigPath);
  const logs: string[] = [];
  if (opts.downMs) emu.goDown(opts.downMs);
  opts.beforeStart?.(emu);
  const watcher = await startWatcher(
    {
      project: PROJECT,
      clusterId: CLUSTER,
      routeEventsTopic: topicId,
      debounceMs: 50,
      maxWaitMs: DEFAULT_MAX_WAIT_MS,
      healthPort: 0,
      healthHost: '127.0.0.1',
      logFormat: 'json',
      cluster: { kind: 'kubeconfig', path: emu.kubeconfigPath },
      resyncOnStart: false,
      minWatchIntervalMs: 50,
      informerBackoff: { initialMs: 100, maxMs: 400 },
      publishTimeoutMs: 5000,
      publishBackoff: { initialMs: 100, maxMs: 400 },
      shutdownTimeoutMs: 3000,
      ...opts.settings,
    },
    {
      kubeConfig: kc,
      pubsub: publisherClient,
      logger: makeLogger('json', (l) => logs.push(l), 'DEBUG'),
      ...(opts.clock ? { timers: opts.clock } : {}),
    },
  );
  t.teardown(async () => {
    await watcher.close();
    await sub.close();
    await publisherClient.close();
    await admin.close();
    await proxy.close();
    await emu.close();
  });
  if (opts.waitReady !== false) await watcher.ready;
  const forParent = (parent: string) =>
    received
      .filter((r) => `${r.event.parent.namespace}/${r.event.parent.name}` === parent)
      .map((r) => r.event);
  return {
    emu,
    watcher,
    proxy,
    received,
    logs,
    forParent,
    waitFor: async (parent, ok, what = `event for ${parent}`, timeoutMs = 5000) => {
      const list = await eventually(
        () => forParent(parent).filter(ok),
        (l) => l.length > 0,
        timeoutMs,
        what,
      );
      return list[list.length - 1];
    },
    health: async (path) => (await fetch(`http://127.0.0.1:${watcher.healthPort}${path}`)).status,
    ...timeDriven(watcher, {
      clock: opts.clock,
      maxWaitMs: opts.settings?.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      delivered: () => received.length,
      accepted: () =>
        Object.entries(pubsubEmu.stats().topics).find(([name]) => name.endsWith(`/${topicId}`))?.[1]
          .published ?? 0,
    }),
  };
}

/** A topic and an ordered subscription on it, whose messages are decoded into `received` once each. */
async function subscribe(pubsubEmu: PubsubEmulator, topicId: string) {
  const admin = new PubSub({ projectId: PROJECT, apiEndpoint: pubsubEmu.endpoint, emulatorMode: true });
  const [topic] = await admin.createTopic(topicId);
  const [sub] = await topic.createSubscription(`${topicId}-sub`, { enableMessageOrdering: true });
  const received: Published[] = [];
  const seenIds = new Set<string>();
  sub.on('message', (m: Message) => {
    m.ack();
    // Pub/Sub is at-least-once: drop redeliveries of one message (retried publishes keep their own id).
    if (seenIds.has(m.id)) return;
    seenIds.add(m.id);
    const decoded = decodeRouteEvent(m.data, m.attributes);
    if (!decoded.ok) throw new Error(decoded.error);
    received.push({ event: decoded.event, attributes: m.attributes, orderingKey: m.orderingKey ?? '' });
  });
  sub.on('error', () => {});
  return { admin, sub, received };
}

/** Rig.change and Rig.settle: the deterministic points the tests assert from. */
function timeDriven(
  watcher: Watcher,
  o: { clock?: FakeClock; maxWaitMs: number; delivered(): number; accepted(): number },
): Pick<Rig, 'change' | 'settle'> {
  return {
    change: async (act, count = 1) => {
      const before = watcher.stats().changes;
      act();
      await eventually(
        () => watcher.stats().changes,
        (n) => n >= before + count,
        10_000,
        `${count} change(s) taken in`,
      );
    },
    settle: async () => {
      o.clock?.advance(o.maxWaitMs);
      await eventually(
        () => watcher.stats(),
        (s) => s.coalescing === 0 && s.pending === 0,
        10_000,
        'no open window, nothing left to publish',
      );
      await eventually(
        () => [o.delivered(), o.accepted()],
        ([got, sent]) => got >= sent,
        10_000,
        'every accepted message delivered',
      );
    },
  };
}

// ---- k8s objects as the stand-in takes them ----
const GROUP = 'gateway.networking.k8s.io';

export function service(name: string, namespace = 'default', ports: number[] = [80]): KubeObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: ports.map((port) => ({ name: `p${port}`, port })) },
  };
}

export function route(
  name: string,
  parent: string,
  backends: string[] = [parent],
  extra: { namespace?: string; kind?: 'HTTPRoute' | 'GRPCRoute'; labels?: Record<string, string> } = {},
): KubeObj {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: extra.kind ?? 'HTTPRoute',
    metadata: {
      name,
      namespace: extra.namespace ?? 'default',
      ...(extra.labels ? { labels: extra.labels } : {}),
    },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: parent }],
      rules: [{ backendRefs: backends.map((b) => ({ name: b, port: 80 })) }],
    },
  };
}

/** An HTTPRoute on `parent` whose label `v` marks its version, and that label as an event carries it. */
export const labelled = (name: string, parent: string, v: string) =>
  route(name, parent, [parent], { labels: { v } });
export const labelOf = (e: RouteEvent, name: string) =>
  e.snapshot.httpRoutes.find((r) => r.metadata.name === name)?.metadata.labels?.v;
