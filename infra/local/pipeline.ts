// The whole gamma-csm pipeline on loopback, in one process: Kubernetes API stand-in -> watcher ->
// Pub/Sub emulator (push subscriptions, binary CloudEvents) -> the `sync` and `reconcile` functions
// served by functions-framework's own server -> Network Services emulator, plus the Compute emulator
// whose NEGs the Kubernetes stand-in's NEG controller keeps. The one place where the
// emulators, watcher, functions, topics and subscriptions are wired: the e2e tests and benchmarks
// use it as is, `npm start` (stack.ts) adds fixed ports, persistence, seeding and a live log.
//
// A push gate sits between the route-events subscription and the sync function so tests can lose
// deliveries on purpose (acknowledged without reaching the function).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PubSub } from '@google-cloud/pubsub';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadConfig } from '../../shared/config/index.ts';
import type { FunctionConfig, LogFormat } from '../../shared/config/index.ts';
import { encodeReconcileTick } from '../../shared/events/index.ts';
import type { NetsvcClientOptions } from '../../shared/netsvc/client.ts';
import type { ComputeClientOptions } from '../../shared/compute/client.ts';
import {
  computeClientFor,
  createDeps,
  makeLogger,
  meshMemo,
  netsvcOptionsFor,
  parentMemo,
} from '../../shared/pipeline/index.ts';
import type { Logger, PipelineDeps, ReconcileSummary, SyncHandling } from '../../shared/pipeline/index.ts';
import { startWatcher } from '../../functions/watcher/index.ts';
import { startComputeEmulator } from './compute/server.ts';
import type { ComputeEmulator } from './compute/server.ts';
import { startK8sEmulator } from './k8s/index.ts';
import type { K8sEmulator, NegHook } from './k8s/index.ts';
import { startNetsvcEmulator } from './netsvc/server.ts';
import type { NetsvcEmulator } from './netsvc/server.ts';
import { startPubsubEmulator } from './pubsub/emulator.ts';
import type { PubsubEmulator } from './pubsub/emulator.ts';
import { startReconcileFunction, startSyncFunction } from './functions.ts';
import type { Delivery, DeliveryListener, FunctionServer } from './functions.ts';
import { ObservedNetsvcClient } from './observed-netsvc.ts';

export type { Delivery, FunctionServer } from './functions.ts';

export const ROUTE_EVENTS_TOPIC = 'route-events';
export const RECONCILE_TICKS_TOPIC = 'reconcile-ticks';
/** The subscription ids, as in infra/terraform. */
export const SYNC_SUBSCRIPTION = `${ROUTE_EVENTS_TOPIC}-sync`;
export const RECONCILE_SUBSCRIPTION = `${RECONCILE_TICKS_TOPIC}-reconcile`;

/** Every port the pipeline listens on (the gate excepted: always a free port). */
export interface PipelinePorts {
  kubernetes?: number;
  netsvc?: number;
  compute?: number;
  pubsub?: number;
  pubsubAdmin?: number;
  sync?: number;
  reconcile?: number;
  watcherHealth?: number;
}

export interface PipelineOptions {
  host?: string;
  project?: string;
  mesh?: string;
  clusterId?: string;
  /** Start the watcher (functions/watcher) against the k8s stand-in (default true). */
  watcher?: boolean;
  /** Watcher coalescing window (default 20 ms) and its cap (default 200 ms). */
  debounceMs?: number;
  maxWaitMs?: number;
  /** How long closing waits for the watcher to publish what it holds (default 10 s). */
  watcherShutdownTimeoutMs?: number;
  /** Pub/Sub ordering on the route-events subscription (default true). */
  ordering?: boolean;
  /** Redelivery backoff of both subscriptions (default: the emulator's, immediate). */
  redeliveryBackoffSeconds?: { min: number; max: number };
  /** Where function logs go: 'memory' (default, see `logs`), 'stdout', or a callback. */
  logs?: 'memory' | 'stdout' | ((line: string) => void);
  /** Use this logger for every component instead (labelled function=sync|reconcile|watcher). */
  logger?: Logger;
  logFormat?: LogFormat;
  /** Extra environment for the functions' configuration (GAMMA_* variables). */
  env?: Record<string, string>;
  /** Network Services client settings beyond the configuration (e.g. a short retry for fault tests). */
  netsvcClient?: Partial<NetsvcClientOptions>;
  /** Compute client settings beyond the configuration (e.g. a short retry for fault tests). */
  computeClient?: Partial<ComputeClientOptions>;
  /** The Network Services emulator's clock (quota windows, outages, operation delays; default Date.now). */
  netsvcClock?: () => number;
  /** How long sync trusts its last read of the Mesh (default shared/pipeline DEFAULT_MESH_MEMO_TTL_MS). */
  meshMemoTtlMs?: number;
  /** Within this long after applying a parent, sync passes over stale snapshots of it (default 1 s). */
  staleApplyIntervalMs?: number;
  /** Fixed ports; 0 or absent picks a free one. */
  ports?: PipelinePorts;
  /** Where the k8s stand-in writes its kubeconfig (default: a temporary file). */
  kubeconfigPath?: string;
  /** Keep the emulators' state in these files between runs. */
  statePaths?: { kubernetes?: string; netsvc?: string; compute?: string };
  /** Runs once the emulators listen, before the functions and the watcher start (seeding). */
  onEmulators?: (e: {
    k8s: K8sEmulator;
    netsvc: NetsvcEmulator;
    compute: ComputeEmulator;
    pubsub: PubsubEmulator;
  }) => void;
  /** Every delivery the functions handled or failed, with the Network Services writes it made. */
  onDelivery?: DeliveryListener;
  /** A component that failed to close (closing goes on with the others). */
  onCloseError?: (component: string, error: unknown) => void;
}

export interface Pipeline {
  project: string;
  mesh: string;
  clusterId: string;
  k8s: K8sEmulator;
  netsvc: NetsvcEmulator;
  /** Backend services, health checks and the NEGs the stand-in's NEG controller creates. */
  compute: ComputeEmulator;
  pubsub: PubsubEmulator;
  /** A Pub/Sub client on the emulator (publish ticks or hand-made events). */
  pubsubClient: PubSub;
  kube: KubeConfig;
  config: FunctionConfig;
  deps: PipelineDeps;
  sync: FunctionServer;
  reconcile: FunctionServer;
  /** The watcher when started (functions/watcher startWatcher). */
  watcher?: { close(): Promise<boolean>; stats(): Record<string, unknown>; healthPort: number };
  topics: { routeEvents: string; reconcileTicks: string };
  /** Full subscription names, as the emulator's stats key them. */
  subscriptions: { sync: string; reconcile: string };
  /** Function log lines (when logs = 'memory'). */
  logs: string[];
  /** What sync did with each delivery that reached it (completed ones; thrown ones are in the logs). */
  syncResults: SyncHandling[];
  /** Deliveries for which `drop` answers true are acknowledged without reaching sync. */
  dropDeliveries(drop: ((body: PushBody) => boolean) | undefined): void;
  /**
   * Resolves once nothing is moving: the watcher has nothing pending, the route-events subscription
   * has no backlog or outstanding delivery, and no function request is in progress.
   */
  idle(timeoutMs?: number): Promise<void>;
  /** Publishes a reconcile tick (without waiting for it to be handled). */
  tick(tick?: { dryRun?: boolean }): Promise<void>;
  /** Publishes a reconcile tick and resolves when the reconcile function has answered it. */
  runReconcile(tick?: { dryRun?: boolean }): Promise<ReconcileSummary | undefined>;
  close(): Promise<void>;
}

export interface PushBody {
  message?: { data?: string; attributes?: Record<string, string>; messageId?: string; orderingKey?: string };
}

async function listen(server: http.Server, host: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}/`;
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Forwards pushes to `target` unless `drop` says to lose them (answered 204: acknowledged, lost). */
async function startGate(target: string, host: string) {
  let drop: ((b: PushBody) => boolean) | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let parsed: PushBody = {};
      try {
        parsed = JSON.parse(body.toString('utf8')) as PushBody;
      } catch {
        // not JSON: forwarded as is, the function decides
      }
      if (drop?.(parsed)) return void res.writeHead(204).end();
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k.startsWith('ce-') || k === 'content-type'),
      ) as Record<string, string>;
      fetch(target, { method: 'POST', headers, body })
        .then(async (r) => res.writeHead(r.status).end(Buffer.from(await r.arrayBuffer())))
        .catch(() => res.writeHead(502).end());
    });
  });
  const url = await listen(server, host);
  return { url, setDrop: (d: typeof drop) => (drop = d), close: () => closeServer(server) };
}

function logWriter(opts: PipelineOptions, lines: string[]): (line: string) => void {
  if (typeof opts.logs === 'function') return opts.logs;
  if (opts.logs === 'stdout') return (l) => process.stdout.write(`${l}\n`);
  return (l) => lines.push(l);
}

/** Stops what was started, newest first; a failure is reported, never thrown, so everything gets its turn. */
class Closers {
  private readonly list: { name: string; close: () => Promise<unknown> }[] = [];
  constructor(private readonly onError: (name: string, e: unknown) => void) {}
  add(name: string, close: () => Promise<unknown>): void {
    this.list.push({ name, close });
  }
  async closeAll(): Promise<void> {
    for (const { name, close } of this.list.splice(0).reverse()) {
      try {
        await close();
      } catch (e) {
        this.onError(name, e);
      }
    }
  }
}

async function startEmulators(opts: PipelineOptions, host: string) {
  const ports = opts.ports ?? {};
  const state = opts.statePaths ?? {};
  return Promise.all([
    startK8sEmulator({
      host,
      port: ports.kubernetes ?? 0,
      ...(opts.kubeconfigPath ? { kubeconfigPath: opts.kubeconfigPath } : {}),
      ...(state.kubernetes ? { statePath: state.kubernetes } : {}),
    }),
    startNetsvcEmulator({
      host,
      port: ports.netsvc ?? 0,
      ...(state.netsvc ? { statePath: state.netsvc } : {}),
      ...(opts.netsvcClock ? { clock: opts.netsvcClock } : {}),
    }),
    startPubsubEmulator({ host, port: ports.pubsub ?? 0, adminPort: ports.pubsubAdmin ?? 0 }),
    startComputeEmulator({
      host,
      port: ports.compute ?? 0,
      ...(state.compute ? { statePath: state.compute } : {}),
    }),
  ]);
}

/**
 * The NEG controller's hook: NEGs (project-less, so whatever project the functions use sees them) go
 * to the Compute emulator; a delete it refuses (a backend service still uses the NEG) stays pending.
 */
export function negHookFor(compute: ComputeEmulator): NegHook {
  return (changes) =>
    changes.map((c) => {
      if (c.action === 'ensure') {
        compute.store.putNeg({ zone: c.zone, name: c.name });
        return { ok: true };
      }
      const r = compute.store.deleteNeg(c.zone, c.name);
      return r.deleted || r.reason === 'notFound' ? { ok: true } : { ok: false, message: r.message };
    });
}

export async function startPipeline(opts: PipelineOptions = {}): Promise<Pipeline> {
  const host = opts.host ?? '127.0.0.1';
  const project = opts.project ?? 'local-proj';
  const mesh = opts.mesh ?? 'gamma-mesh';
  const clusterId = opts.clusterId ?? 'local';
  const ports = opts.ports ?? {};
  const closers = new Closers(opts.onCloseError ?? (() => {}));
  try {
    // Closing runs in reverse: the emulators go last, after every component that talks to them.
    const [k8s, netsvc, pubsub, compute] = await startEmulators(opts, host);
    closers.add('kubernetes stand-in', () => k8s.close());
    closers.add('network services emulator', () => netsvc.close());
    closers.add('compute emulator', () => compute.close());
    k8s.negController?.setHook(negHookFor(compute));
    closers.add('pub/sub emulator', () => pubsub.close()); // idempotent; closed early below
    opts.onEmulators?.({ k8s, netsvc, compute, pubsub });

    const config = loadConfig(
      {
        GAMMA_PROJECT: project,
        GAMMA_MESH: mesh,
        GAMMA_CLUSTER_ID: clusterId,
        GAMMA_KUBECONFIG: k8s.kubeconfigPath,
        GAMMA_NETSVC_ENDPOINT: netsvc.url,
        GAMMA_COMPUTE_ENDPOINT: compute.url,
        GAMMA_ROUTE_EVENTS_TOPIC: ROUTE_EVENTS_TOPIC,
        GAMMA_LOG_FORMAT: opts.logFormat ?? 'json',
        ...opts.env,
      },
      'sync',
    );
    const lines: string[] = [];
    const log: Logger =
      opts.logger ?? makeLogger(config.logFormat, { component: 'pipeline' }, logWriter(opts, lines), 'DEBUG');
    const netsvcClient = new ObservedNetsvcClient({ ...netsvcOptionsFor(config), ...opts.netsvcClient });
    const memo = {
      ...(opts.meshMemoTtlMs === undefined ? {} : { meshMemo: meshMemo(opts.meshMemoTtlMs) }),
      ...(opts.staleApplyIntervalMs === undefined
        ? {}
        : { parentMemo: parentMemo(undefined, undefined, opts.staleApplyIntervalMs) }),
    };
    const computeOverride = opts.computeClient
      ? { compute: computeClientFor(config, opts.computeClient) }
      : {};
    const created = createDeps(config, { log, netsvc: netsvcClient, ...memo, ...computeOverride });
    const deps = {
      ...created,
      netsvc: netsvcClient,
      ...(created.compute ? { compute: netsvcClient.observing(created.compute) } : {}),
    };

    const syncResults: SyncHandling[] = [];
    let lastReconcile: ReconcileSummary | undefined;
    const report = (d: Delivery) => {
      if (d.fn === 'sync' && 'handling' in d) syncResults.push(d.handling);
      if (d.fn === 'reconcile' && 'handling' in d && d.handling.ran) lastReconcile = d.handling.summary;
      opts.onDelivery?.(d);
    };
    const syncDeps = { ...deps, log: deps.log.with({ function: 'sync' }) };
    const reconcileDeps = { ...deps, log: deps.log.with({ function: 'reconcile' }) };
    const sync = await startSyncFunction(syncDeps, report, host, ports.sync);
    closers.add('sync function', () => sync.close());
    const reconcile = await startReconcileFunction(reconcileDeps, report, host, ports.reconcile);
    closers.add('reconcile function', () => reconcile.close());
    const gate = await startGate(sync.url, host);
    closers.add('push gate', () => gate.close());

    const pubsubClient = new PubSub({ projectId: project, apiEndpoint: pubsub.endpoint, emulatorMode: true });
    closers.add('pub/sub client', () => pubsubClient.close());
    // Closed before the functions: no new deliveries while the ones in progress finish, and no push
    // may reach a function whose cluster or API stand-in is already gone.
    closers.add('pub/sub emulator', () => pubsub.close());
    const topics = { routeEvents: config.routeEventsTopic, reconcileTicks: RECONCILE_TICKS_TOPIC };
    const [routeEvents] = await pubsubClient.createTopic(topics.routeEvents);
    const [ticks] = await pubsubClient.createTopic(topics.reconcileTicks);
    const backoff = opts.redeliveryBackoffSeconds;
    const retryPolicy = backoff
      ? {
          retryPolicy: { minimumBackoff: { seconds: backoff.min }, maximumBackoff: { seconds: backoff.max } },
        }
      : {};
    await routeEvents.createSubscription(SYNC_SUBSCRIPTION, {
      pushConfig: { pushEndpoint: gate.url },
      enableMessageOrdering: opts.ordering ?? true,
      ackDeadlineSeconds: 60,
      ...retryPolicy,
    });
    await ticks.createSubscription(RECONCILE_SUBSCRIPTION, {
      pushConfig: { pushEndpoint: reconcile.url },
      ackDeadlineSeconds: 300,
      ...retryPolicy,
    });
    const subscriptions = {
      sync: `projects/${project}/subscriptions/${SYNC_SUBSCRIPTION}`,
      reconcile: `projects/${project}/subscriptions/${RECONCILE_SUBSCRIPTION}`,
    };

    let watcher: Pipeline['watcher'];
    if (opts.watcher ?? true) {
      const w = await startWatcher(
        {
          project,
          clusterId,
          routeEventsTopic: topics.routeEvents,
          debounceMs: opts.debounceMs ?? 20,
          maxWaitMs: opts.maxWaitMs ?? 200,
          healthPort: ports.watcherHealth ?? 0,
          healthHost: host,
          logFormat: config.logFormat,
          cluster: { kind: 'kubeconfig', path: k8s.kubeconfigPath },
          minWatchIntervalMs: 50,
          informerBackoff: { initialMs: 50, maxMs: 1000 },
          ...(opts.watcherShutdownTimeoutMs !== undefined
            ? { shutdownTimeoutMs: opts.watcherShutdownTimeoutMs }
            : {}),
        },
        { pubsub: pubsubClient, logger: log.with({ function: 'watcher' }) },
      );
      // Closed first: what it still holds is published while Pub/Sub and the functions are up.
      closers.add('watcher', () => w.close());
      await w.ready;
      watcher = { close: () => w.close(), stats: () => ({ ...w.stats() }), healthPort: w.healthPort };
    }

    const tick = async (t: { dryRun?: boolean } = {}) =>
      void (await ticks.publishMessage({ data: encodeReconcileTick(t) }));
    const runReconcile = async (t: { dryRun?: boolean } = {}) => {
      const before = pubsub.subscriptionStats(subscriptions.reconcile).acked;
      lastReconcile = undefined;
      await tick(t);
      await pubsub.waitForStats(
        (s) => (s.subscriptions[subscriptions.reconcile]?.acked ?? 0) > before,
        30_000,
      );
      return lastReconcile;
    };

    const isIdle = () => {
      const w = watcher?.stats() as { pending?: number; coalescing?: number } | undefined;
      const sub = pubsub.subscriptionStats(subscriptions.sync);
      return (
        (w?.pending ?? 0) === 0 &&
        (w?.coalescing ?? 0) === 0 &&
        sub.backlog === 0 &&
        sub.outstanding === 0 &&
        sync.inFlight === 0
      );
    };
    const idle = async (timeoutMs = 10_000) => {
      const end = Date.now() + timeoutMs;
      // Twice in a row, 20 ms apart: a push may be between the backlog and the function.
      for (let quiet = 0; quiet < 2;) {
        if (Date.now() > end) throw new Error('pipeline not idle in time');
        quiet = isIdle() ? quiet + 1 : 0;
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    let closing: Promise<void> | undefined;
    return {
      project,
      mesh,
      clusterId,
      k8s,
      netsvc,
      compute,
      pubsub,
      pubsubClient,
      kube: deps.kube,
      config,
      deps,
      sync,
      reconcile,
      watcher,
      topics,
      subscriptions,
      logs: lines,
      syncResults,
      dropDeliveries: (d) => gate.setDrop(d),
      idle,
      tick,
      runReconcile,
      close: () => (closing ??= closers.closeAll()),
    };
  } catch (e) {
    await closers.closeAll();
    throw e;
  }
}
