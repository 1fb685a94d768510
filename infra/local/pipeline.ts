// The whole gamma-csm pipeline on loopback, in one process: Kubernetes API stand-in -> watcher ->
// Pub/Sub emulator (push subscriptions, binary CloudEvents) -> the `sync` and `reconcile` functions
// served by functions-framework's own server -> Network Services emulator. Used by the e2e tests,
// and meant for `npm start` (gamma-csm local) and benchmarks.
//
// A push gate sits between the route-events subscription and the sync function so tests can lose
// deliveries on purpose (acknowledged without reaching the function).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PubSub } from '@google-cloud/pubsub';
import { cloudEvent } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadConfig } from '../../shared/config/index.ts';
import type { FunctionConfig, LogFormat } from '../../shared/config/index.ts';
import { encodeReconcileTick } from '../../shared/events/index.ts';
import { NetsvcClient } from '../../shared/netsvc/client.ts';
import type { NetsvcClientOptions } from '../../shared/netsvc/client.ts';
import {
  createDeps,
  handleReconcileEvent,
  handleSyncEvent,
  makeLogger,
  netsvcOptionsFor,
} from '../../shared/pipeline/index.ts';
import type { Logger, PipelineDeps, ReconcileSummary, SyncHandling } from '../../shared/pipeline/index.ts';
import { startK8sEmulator } from './k8s/index.ts';
import type { K8sEmulator } from './k8s/index.ts';
import { startNetsvcEmulator } from './netsvc/server.ts';
import type { NetsvcEmulator } from './netsvc/server.ts';
import { startPubsubEmulator } from './pubsub/emulator.ts';
import type { PubsubEmulator } from './pubsub/emulator.ts';

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
  /** Pub/Sub ordering on the route-events subscription (default true). */
  ordering?: boolean;
  /** Where function logs go: 'memory' (default, see `logs`), 'stdout', or a callback. */
  logs?: 'memory' | 'stdout' | ((line: string) => void);
  logFormat?: LogFormat;
  /** Extra environment for the functions' configuration (GAMMA_* variables). */
  env?: Record<string, string>;
  /** Network Services client settings beyond the configuration (e.g. a short retry for fault tests). */
  netsvcClient?: Partial<NetsvcClientOptions>;
}

export interface FunctionServer {
  url: string;
  deliveries: number;
  /** Requests being handled right now. */
  inFlight: number;
  close(): Promise<void>;
}

export interface Pipeline {
  project: string;
  mesh: string;
  clusterId: string;
  k8s: K8sEmulator;
  netsvc: NetsvcEmulator;
  pubsub: PubsubEmulator;
  /** A Pub/Sub client on the emulator (publish ticks or hand-made events). */
  pubsubClient: PubSub;
  kube: KubeConfig;
  config: FunctionConfig;
  deps: PipelineDeps;
  sync: FunctionServer;
  reconcile: FunctionServer;
  /** The watcher when started (functions/watcher startWatcher). */
  watcher?: { close(): Promise<boolean>; stats(): Record<string, unknown> };
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
  /** Publishes a reconcile tick and resolves when the reconcile function has answered it. */
  runReconcile(tick?: { dryRun?: boolean }): Promise<ReconcileSummary | undefined>;
  close(): Promise<void>;
}

export interface PushBody {
  message?: { data?: string; attributes?: Record<string, string>; messageId?: string; orderingKey?: string };
}

let registered = 0;

async function listen(server: http.Server, host: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}/`;
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Serves a registered CloudEvent function through the framework's real Express server. */
async function serveFunction(
  name: string,
  fn: (e: { id?: string; data?: unknown }) => Promise<void>,
  host: string,
) {
  cloudEvent(name, fn);
  const server = getTestServer(name);
  const url = await listen(server, host);
  const handle: FunctionServer = {
    url,
    deliveries: 0,
    inFlight: 0,
    close: async () => {
      // Let handlers in progress finish (bounded) so none fails against a stand-in already closed.
      for (let i = 0; i < 200 && handle.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
      await closeServer(server);
    },
  };
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    handle.deliveries++;
    handle.inFlight++;
    res.on('close', () => handle.inFlight--);
  });
  return handle;
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

export async function startPipeline(opts: PipelineOptions = {}): Promise<Pipeline> {
  const host = opts.host ?? '127.0.0.1';
  const project = opts.project ?? 'local-proj';
  const mesh = opts.mesh ?? 'gamma-mesh';
  const clusterId = opts.clusterId ?? 'local';
  const cleanup: (() => Promise<unknown>)[] = [];
  let stopPushing: (() => Promise<unknown>) | undefined;
  const close = async () => {
    await stopPushing?.().catch(() => undefined);
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  };
  try {
    const k8s = await startK8sEmulator({ port: 0, host });
    cleanup.push(() => k8s.close());
    const netsvc = await startNetsvcEmulator({ port: 0, host });
    cleanup.push(() => netsvc.close());
    const pubsub = await startPubsubEmulator({ port: 0, host, adminPort: 0 });
    // Closed first (cleanup runs in reverse, this one is moved to the end): no push may reach a
    // function whose cluster or API stand-in is already gone.
    stopPushing = () => pubsub.close();

    const config = loadConfig(
      {
        GAMMA_PROJECT: project,
        GAMMA_MESH: mesh,
        GAMMA_CLUSTER_ID: clusterId,
        GAMMA_KUBECONFIG: k8s.kubeconfigPath,
        GAMMA_NETSVC_ENDPOINT: netsvc.url,
        GAMMA_LOG_FORMAT: opts.logFormat ?? 'json',
        ...opts.env,
      },
      'sync',
    );
    const lines: string[] = [];
    const log: Logger = makeLogger(
      config.logFormat,
      { component: 'pipeline' },
      logWriter(opts, lines),
      'DEBUG',
    );
    const netsvcClient = new NetsvcClient({
      ...netsvcOptionsFor(config),
      ...opts.netsvcClient,
    });
    const deps = createDeps(config, { log, netsvc: netsvcClient });
    const kube = deps.kube;

    const id = ++registered;
    const syncResults: SyncHandling[] = [];
    let lastReconcile: ReconcileSummary | undefined;
    const syncDeps = { ...deps, log: deps.log.with({ function: 'sync' }) };
    const reconcileDeps = { ...deps, log: deps.log.with({ function: 'reconcile' }) };
    const sync = await serveFunction(
      `sync-${id}`,
      async (e) => void syncResults.push(await handleSyncEvent(e, syncDeps)),
      host,
    );
    cleanup.push(() => sync.close());
    const reconcile = await serveFunction(
      `reconcile-${id}`,
      async (e) => {
        const r = await handleReconcileEvent(e, reconcileDeps);
        if (r.ran) lastReconcile = r.summary;
      },
      host,
    );
    cleanup.push(() => reconcile.close());
    const gate = await startGate(sync.url, host);
    cleanup.push(() => gate.close());

    const pubsubClient = new PubSub({ projectId: project, apiEndpoint: pubsub.endpoint, emulatorMode: true });
    cleanup.push(() => pubsubClient.close());
    const topics = { routeEvents: config.routeEventsTopic, reconcileTicks: 'reconcile-ticks' };
    const [routeEvents] = await pubsubClient.createTopic(topics.routeEvents);
    const [ticks] = await pubsubClient.createTopic(topics.reconcileTicks);
    await routeEvents.createSubscription('sync-push', {
      pushConfig: { pushEndpoint: gate.url },
      enableMessageOrdering: opts.ordering ?? true,
      ackDeadlineSeconds: 30,
    });
    const subscriptions = {
      sync: `projects/${project}/subscriptions/sync-push`,
      reconcile: `projects/${project}/subscriptions/reconcile-push`,
    };
    await ticks.createSubscription('reconcile-push', {
      pushConfig: { pushEndpoint: reconcile.url },
      ackDeadlineSeconds: 60,
    });

    let watcher: Pipeline['watcher'];
    if (opts.watcher ?? true) {
      const { startWatcher } = await import('../../functions/watcher/index.ts');
      const w = await startWatcher(
        {
          project,
          clusterId,
          routeEventsTopic: topics.routeEvents,
          debounceMs: opts.debounceMs ?? 20,
          maxWaitMs: opts.maxWaitMs ?? 200,
          healthPort: 0,
          healthHost: host,
          logFormat: config.logFormat,
          cluster: { kind: 'kubeconfig', path: k8s.kubeconfigPath },
          minWatchIntervalMs: 50,
          informerBackoff: { initialMs: 50, maxMs: 1000 },
        },
        {
          pubsub: pubsubClient,
          logger: makeWatcherLogger(log),
        },
      );
      cleanup.push(() => w.close());
      await w.ready;
      watcher = { close: () => w.close(), stats: () => ({ ...w.stats() }) };
    }

    const runReconcile = async (tick: { dryRun?: boolean } = {}) => {
      const before = pubsub.subscriptionStats(subscriptions.reconcile).acked;
      lastReconcile = undefined;
      await ticks.publishMessage({ data: encodeReconcileTick(tick) });
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

    return {
      project,
      mesh,
      idle,
      clusterId,
      k8s,
      netsvc,
      pubsub,
      pubsubClient,
      kube: kube as KubeConfig,
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
      runReconcile,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The watcher's logger interface on top of ours, lines labelled as the watcher's. */
function makeWatcherLogger(log: Logger) {
  const w = log.with({ function: 'watcher' });
  return {
    log: (
      severity: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR',
      message: string,
      fields?: Record<string, unknown>,
    ) => w.log(severity, message, fields),
    debug: (m: string, f?: Record<string, unknown>) => w.debug(m, f),
    info: (m: string, f?: Record<string, unknown>) => w.info(m, f),
    warn: (m: string, f?: Record<string, unknown>) => w.warn(m, f),
    error: (m: string, f?: Record<string, unknown>) => w.error(m, f),
  };
}
