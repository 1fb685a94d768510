// The whole gamma-csm pipeline on loopback, in one process: Kubernetes API stand-in -> watcher ->
// Pub/Sub emulator (push subscriptions, binary CloudEvents) -> the `sync` and `reconcile` functions
// served by functions-framework's own server -> Network Services emulator, plus the Compute emulator
// whose NEGs the Kubernetes stand-in's NEG controller keeps. The one place where the
// emulators, watcher, functions, topics and subscriptions are wired: the e2e tests and benchmarks
// use it as is, `npm start` (stack.ts) adds fixed ports, persistence, seeding and a live log.
//
// A push gate (push-gate.ts) sits between the route-events subscription and the sync function so
// tests can lose deliveries on purpose.
import { PubSub } from '@google-cloud/pubsub';
import { loadConfig } from '../../shared/config/index.ts';
import type { FunctionConfig } from '../../shared/config/index.ts';
import { encodeReconcileTick } from '../../shared/events/index.ts';
import {
  computeClientFor,
  createDeps,
  makeLogger,
  meshMemo,
  netsvcOptionsFor,
  parentMemo,
} from '../../shared/pipeline/index.ts';
import type { Logger, ReconcileSummary, SyncHandling } from '../../shared/pipeline/index.ts';
import { startWatcher } from '../../watcher/index.ts';
import { startComputeEmulator } from './compute/server.ts';
import type { ComputeEmulator } from './compute/server.ts';
import { startK8sEmulator } from './k8s/index.ts';
import type { K8sEmulator, NegHook } from './k8s/index.ts';
import { startNetsvcEmulator } from './netsvc/server.ts';
import { startPubsubEmulator } from './pubsub/emulator.ts';
import type { PubsubEmulator } from './pubsub/emulator.ts';
import { startReconcileFunction, startSyncFunction } from './functions.ts';
import type { Delivery, FunctionServer } from './functions.ts';
import { ObservedNetsvcClient } from './observed-netsvc.ts';
import { Closers } from './closers.ts';
import type { Pipeline, PipelineOptions } from './pipeline-types.ts';
import { startGate } from './push-gate.ts';

export type { Delivery, FunctionServer } from './functions.ts';
export type { PushBody } from './push-gate.ts';
export type { Pipeline, PipelineOptions, PipelinePorts } from './pipeline-types.ts';

export const ROUTE_EVENTS_TOPIC = 'route-events';
export const RECONCILE_TICKS_TOPIC = 'reconcile-ticks';
/** The subscription ids, as in infra/terraform. */
export const SYNC_SUBSCRIPTION = `${ROUTE_EVENTS_TOPIC}-sync`;
export const RECONCILE_SUBSCRIPTION = `${RECONCILE_TICKS_TOPIC}-reconcile`;

function logWriter(opts: PipelineOptions, lines: string[]): (line: string) => void {
  if (typeof opts.logs === 'function') return opts.logs;
  if (opts.logs === 'stdout') return (l) => process.stdout.write(`${l}\n`);
  return (l) => lines.push(l);
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

/** Names every part agrees on. */
interface Names {
  host: string;
  project: string;
  mesh: string;
  clusterId: string;
}

type Deps = ReturnType<typeof functionDeps>['deps'];
type Emulators = Awaited<ReturnType<typeof startEmulators>>;

/** What the functions answered, for syncResults and runReconcile. */
interface Results {
  sync: SyncHandling[];
  lastReconcile?: ReconcileSummary;
}

export async function startPipeline(opts: PipelineOptions = {}): Promise<Pipeline> {
  const names: Names = {
    host: opts.host ?? '127.0.0.1',
    project: opts.project ?? 'local-proj',
    mesh: opts.mesh ?? 'gamma-mesh',
    clusterId: opts.clusterId ?? 'local',
  };
  const closers = new Closers(opts.onCloseError ?? (() => {}));
  try {
    // Closing runs in reverse: the emulators go last, after every component that talks to them.
    const emulators = await startEmulators(opts, names.host);
    const [k8s, netsvc, pubsub, compute] = emulators;
    closers.add('kubernetes stand-in', () => k8s.close());
    closers.add('network services emulator', () => netsvc.close());
    closers.add('compute emulator', () => compute.close());
    k8s.negController?.setHook(negHookFor(compute));
    closers.add('pub/sub emulator', () => pubsub.close()); // idempotent; closed early below
    opts.onEmulators?.({ k8s, netsvc, compute, pubsub });
    const lines: string[] = [];
    const { config, deps, log } = functionDeps(opts, names, emulators, lines);
    const results: Results = { sync: [] };
    const fns = await startFunctions(opts, names.host, deps, results, closers);
    const bus = await wirePubsub(opts, names.project, config, pubsub, fns, closers);
    const watcher =
      (opts.watcher ?? true)
        ? await startPipelineWatcher(opts, names, config, k8s, bus, log, closers)
        : undefined;
    const activity = { pubsub, bus, sync: fns.sync, watcher };
    let closing: Promise<void> | undefined;
    return {
      project: names.project,
      mesh: names.mesh,
      clusterId: names.clusterId,
      k8s,
      netsvc,
      compute,
      pubsub,
      pubsubClient: bus.client,
      kube: deps.kube,
      config,
      deps,
      sync: fns.sync,
      reconcile: fns.reconcile,
      watcher,
      topics: bus.topics,
      subscriptions: bus.subscriptions,
      logs: lines,
      syncResults: results.sync,
      dropDeliveries: (d) => fns.gate.setDrop(d),
      idle: (timeoutMs = 10_000) => waitIdle(activity, timeoutMs),
      tick: bus.tick,
      runReconcile: (t = {}) => runReconcile(pubsub, bus, results, t),
      close: () => (closing ??= closers.closeAll()),
    };
  } catch (e) {
    await closers.closeAll();
    throw e;
  }
}

/** The functions' configuration on the emulators, and their dependencies (clients observed for writes). */
function functionDeps(
  opts: PipelineOptions,
  names: Names,
  [k8s, netsvc, , compute]: Emulators,
  lines: string[],
) {
  const config = loadConfig(
    {
      GAMMA_PROJECT: names.project,
      GAMMA_MESH: names.mesh,
      GAMMA_CLUSTER_ID: names.clusterId,
      GAMMA_KUBECONFIG: k8s.kubeconfigPath,
      GAMMA_NETSVC_ENDPOINT: netsvc.url,
      GAMMA_COMPUTE_ENDPOINT: compute.url,
      GAMMA_ROUTE_EVENTS_TOPIC: ROUTE_EVENTS_TOPIC,
      GAMMA_LOG_FORMAT: opts.logFormat ?? 'json',
      ...opts.env,
    },
    'sync',
  );
  const log: Logger =
    opts.logger ?? makeLogger(config.logFormat, { component: 'pipeline' }, logWriter(opts, lines), 'DEBUG');
  const netsvcClient = new ObservedNetsvcClient({ ...netsvcOptionsFor(config), ...opts.netsvcClient });
  const memo = {
    ...(opts.meshMemoTtlMs === undefined ? {} : { meshMemo: meshMemo(opts.meshMemoTtlMs) }),
    ...(opts.staleApplyIntervalMs === undefined
      ? {}
      : { parentMemo: parentMemo(undefined, undefined, opts.staleApplyIntervalMs) }),
  };
  const computeOverride = opts.computeClient ? { compute: computeClientFor(config, opts.computeClient) } : {};
  const created = createDeps(config, { log, netsvc: netsvcClient, ...memo, ...computeOverride });
  const deps = {
    ...created,
    netsvc: netsvcClient,
    ...(created.compute ? { compute: netsvcClient.observing(created.compute) } : {}),
  };
  return { config, deps, log };
}

/** The sync and reconcile functions, and the push gate in front of sync. */
async function startFunctions(
  opts: PipelineOptions,
  host: string,
  deps: Deps,
  results: Results,
  closers: Closers,
) {
  const ports = opts.ports ?? {};
  const report = (d: Delivery) => {
    if (d.fn === 'sync' && 'handling' in d) results.sync.push(d.handling);
    if (d.fn === 'reconcile' && 'handling' in d && d.handling.ran) results.lastReconcile = d.handling.summary;
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
  return { sync, reconcile, gate };
}

type Bus = Awaited<ReturnType<typeof wirePubsub>>;

/** The topics and push subscriptions, as in infra/terraform, and a client on the emulator. */
async function wirePubsub(
  opts: PipelineOptions,
  project: string,
  config: FunctionConfig,
  pubsub: PubsubEmulator,
  fns: { reconcile: FunctionServer; gate: { url: string } },
  closers: Closers,
) {
  const client = new PubSub({ projectId: project, apiEndpoint: pubsub.endpoint, emulatorMode: true });
  closers.add('pub/sub client', () => client.close());
  // Closed before the functions: no new deliveries while the ones in progress finish, and no push
  // may reach a function whose cluster or API stand-in is already gone.
  closers.add('pub/sub emulator', () => pubsub.close());
  const topics = { routeEvents: config.routeEventsTopic, reconcileTicks: RECONCILE_TICKS_TOPIC };
  const [routeEvents] = await client.createTopic(topics.routeEvents);
  const [ticks] = await client.createTopic(topics.reconcileTicks);
  const backoff = opts.redeliveryBackoffSeconds;
  const retryPolicy = backoff
    ? { retryPolicy: { minimumBackoff: { seconds: backoff.min }, maximumBackoff: { seconds: backoff.max } } }
    : {};
  await routeEvents.createSubscription(SYNC_SUBSCRIPTION, {
    pushConfig: { pushEndpoint: fns.gate.url },
    enableMessageOrdering: opts.ordering ?? true,
    ackDeadlineSeconds: 60,
    ...retryPolicy,
  });
  await ticks.createSubscription(RECONCILE_SUBSCRIPTION, {
    pushConfig: { pushEndpoint: fns.reconcile.url },
    ackDeadlineSeconds: 300,
    ...retryPolicy,
  });
  const subscriptions = {
    sync: `projects/${project}/subscriptions/${SYNC_SUBSCRIPTION}`,
    reconcile: `projects/${project}/subscriptions/${RECONCILE_SUBSCRIPTION}`,
  };
  const tick = async (t: { dryRun?: boolean } = {}) =>
    void (await ticks.publishMessage({ data: encodeReconcileTick(t) }));
  return { client, topics, subscriptions, tick };
}

async function startPipelineWatcher(
  opts: PipelineOptions,
  names: Names,
  config: FunctionConfig,
  k8s: K8sEmulator,
  bus: Bus,
  log: Logger,
  closers: Closers,
): Promise<Pipeline['watcher']> {
  const w = await startWatcher(
    {
      project: names.project,
      clusterId: names.clusterId,
      routeEventsTopic: bus.topics.routeEvents,
      debounceMs: opts.debounceMs ?? 20,
      maxWaitMs: opts.maxWaitMs ?? 200,
      healthPort: opts.ports?.watcherHealth ?? 0,
      healthHost: names.host,
      logFormat: config.logFormat,
      cluster: { kind: 'kubeconfig', path: k8s.kubeconfigPath },
      minWatchIntervalMs: 50,
      informerBackoff: { initialMs: 50, maxMs: 1000 },
      ...(opts.watcherShutdownTimeoutMs !== undefined
        ? { shutdownTimeoutMs: opts.watcherShutdownTimeoutMs }
        : {}),
    },
    { pubsub: bus.client, logger: log.with({ function: 'watcher' }) },
  );
  // Closed first: what it still holds is published while Pub/Sub and the functions are up.
  closers.add('watcher', () => w.close());
  await w.ready;
  return { close: () => w.close(), stats: () => ({ ...w.stats() }), healthPort: w.healthPort };
}

/** Publishes a reconcile tick and resolves once the reconcile subscription has acknowledged it. */
async function runReconcile(pubsub: PubsubEmulator, bus: Bus, results: Results, t: { dryRun?: boolean }) {
  const reconcileSub = bus.subscriptions.reconcile;
  const before = pubsub.subscriptionStats(reconcileSub).acked;
  results.lastReconcile = undefined;
  await bus.tick(t);
  await pubsub.waitForStats((s) => (s.subscriptions[reconcileSub]?.acked ?? 0) > before, 30_000);
  return results.lastReconcile;
}

interface Activity {
  pubsub: PubsubEmulator;
  bus: Bus;
  sync: FunctionServer;
  watcher: Pipeline['watcher'];
}

function isIdle({ pubsub, bus, sync, watcher }: Activity): boolean {
  const w = watcher?.stats() as { pending?: number; coalescing?: number } | undefined;
  const sub = pubsub.subscriptionStats(bus.subscriptions.sync);
  return (
    (w?.pending ?? 0) === 0 &&
    (w?.coalescing ?? 0) === 0 &&
    sub.backlog === 0 &&
    sub.outstanding === 0 &&
    sync.inFlight === 0
  );
}

async function waitIdle(activity: Activity, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  // Twice in a row, 20 ms apart: a push may be between the backlog and the function.
  for (let quiet = 0; quiet < 2;) {
    if (Date.now() > end) throw new Error('pipeline not idle in time');
    quiet = isIdle(activity) ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 20));
  }
}
