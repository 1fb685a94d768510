// The whole pipeline on one machine (`npm start`): Kubernetes stand-in -> watcher -> Pub/Sub
// emulator (route-events, push) -> `sync` function -> Network Services emulator + route status,
// and a reconcile tick (reconcile-ticks, push) -> `reconcile` function. Everything runs in this
// process on loopback, so one signal stops it all and no child process can be orphaned.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { loadConfig } from '../../shared/config/index.ts';
import { encodeReconcileTick } from '../../shared/events/index.ts';
import { createDeps } from '../../shared/pipeline/index.ts';
import type { Logger as PipelineLogger, LogFields } from '../../shared/pipeline/index.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../shared/translate/types.ts';
import { startWatcher, watcherSettingsFromEnv } from '../../functions/watcher/index.ts';
import type { Logger as WatcherLogger, Watcher } from '../../functions/watcher/index.ts';
import { startK8sEmulator } from './k8s/index.ts';
import type { K8sEmulator, KubeObj } from './k8s/index.ts';
import { startNetsvcEmulator } from './netsvc/server.ts';
import type { NetsvcEmulator } from './netsvc/server.ts';
import { startPubsubEmulator } from './pubsub/emulator.ts';
import type { PubsubEmulator } from './pubsub/emulator.ts';
import { startReconcileFunction, startSyncFunction } from './functions.ts';
import type { FunctionServer } from './functions.ts';
import type { RouteCondition, RouteStatusView, Severity, StackEvent } from './live-log.ts';
import { ObservedNetsvcClient } from './observed-netsvc.ts';
import { loadSeed } from './seed.ts';

export const ROUTE_EVENTS_TOPIC = 'route-events';
export const RECONCILE_TICKS_TOPIC = 'reconcile-ticks';

export interface LocalStackOptions {
  /** Directory that receives .gamma-csm/local (default: the current directory). */
  workDir?: string;
  /** 0: free ports; N: N, N+1, ... in the order of PORT_ORDER. */
  portBase?: number;
  project?: string;
  mesh?: string;
  clusterId?: string;
  /** Directory of manifests to seed, or false for none. */
  seed?: string | false;
  reconcileIntervalMs?: number;
  /** Keep Kubernetes and Network Services state under .gamma-csm/local/state between runs. */
  persist?: boolean;
  /** Watcher debounce (default 100 ms: a person is waiting for the result). */
  debounceMs?: number;
  /** Pass every component log line through (structured mode), not only warnings and errors. */
  verbose?: boolean;
  onEvent?: (e: StackEvent) => void;
}

export interface Endpoints {
  kubeconfig: string;
  kubernetes: string;
  netsvc: string;
  pubsub: string;
  project: string;
  mesh: string;
  cluster: string;
  pubsubAdmin: string;
  sync: string;
  reconcile: string;
  watcherHealth: string;
}

export interface LocalStack {
  endpoints: Endpoints;
  /** Where endpoints.json was written. */
  endpointsFile: string;
  /** Milliseconds from start to ready. */
  readyMs: number;
  k8s: K8sEmulator;
  netsvc: NetsvcEmulator;
  pubsub: PubsubEmulator;
  /** Publishes one reconcile tick now (the timer does it every reconcileIntervalMs). */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/** Port offsets from --port-base, in this order. */
export const PORT_ORDER = [
  'kubernetes',
  'netsvc',
  'pubsub',
  'pubsubAdmin',
  'sync',
  'reconcile',
  'watcherHealth',
] as const;

export function portFor(base: number, component: (typeof PORT_ORDER)[number]): number {
  return base === 0 ? 0 : base + PORT_ORDER.indexOf(component);
}

const HOST = '127.0.0.1';

export function localDir(workDir: string): string {
  return path.join(workDir, '.gamma-csm', 'local');
}

function conditionsOf(
  obj: KubeObj | undefined,
  controllerName: string,
  parent: { namespace: string; name: string },
): RouteCondition[] | undefined {
  const parents = (obj?.status as { parents?: unknown[] } | undefined)?.parents ?? [];
  const ns = obj?.metadata?.namespace;
  const mine = parents.find((p) => {
    const e = p as { controllerName?: string; parentRef?: { name?: string; namespace?: string } };
    return (
      e.controllerName === controllerName &&
      e.parentRef?.name === parent.name &&
      (e.parentRef.namespace ?? ns) === parent.namespace
    );
  }) as { conditions?: RouteCondition[] } | undefined;
  return mine?.conditions?.map(({ type, status, reason, message }) => ({ type, status, reason, message }));
}

type Emit = (e: StackEvent) => void;

/** A component logger feeding the live log; `keep` decides which lines reach it. */
function forwardingLogger(
  component: string,
  emit: Emit,
  keep: (severity: string, message: string) => boolean,
  labels: Record<string, string> = {},
): PipelineLogger {
  const log = (severity: string, message: string, fields?: LogFields) => {
    if (severity === 'DEBUG' || !keep(severity, message)) return;
    const all = { ...labels, ...fields };
    emit({
      type: 'log',
      component,
      severity: severity as Severity,
      message,
      ...(Object.keys(all).length ? { fields: all } : {}),
    });
  };
  return {
    log,
    debug: (m, f) => log('DEBUG', m, f),
    info: (m, f) => log('INFO', m, f),
    warn: (m, f) => log('WARNING', m, f),
    error: (m, f) => log('ERROR', m, f),
    with: (more) => forwardingLogger(component, emit, keep, { ...labels, ...more }),
  };
}

/** Watcher lines shown in text mode: start-up facts, warnings and errors; per-publish lines are covered by the sync line. */
function watcherKeep(verbose: boolean, stopping: () => boolean) {
  return (severity: string, message: string) => {
    // Closing aborts the informers' watch requests; saying so as warnings would only alarm.
    if (stopping() && / informer error/.test(message)) return false;
    return verbose || severity !== 'INFO' || message === 'informers synced';
  };
}

async function createTopics(pubsub: PubSub, syncUrl: string, reconcileUrl: string): Promise<void> {
  const [events] = await pubsub.createTopic(ROUTE_EVENTS_TOPIC);
  const [ticks] = await pubsub.createTopic(RECONCILE_TICKS_TOPIC);
  const retryPolicy = { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 10 } };
  await events.createSubscription(`${ROUTE_EVENTS_TOPIC}-sync`, {
    enableMessageOrdering: true,
    ackDeadlineSeconds: 60,
    retryPolicy,
    pushConfig: { pushEndpoint: syncUrl },
  });
  await ticks.createSubscription(`${RECONCILE_TICKS_TOPIC}-reconcile`, {
    ackDeadlineSeconds: 300,
    retryPolicy,
    pushConfig: { pushEndpoint: reconcileUrl },
  });
}

/** Seeds the cluster; with persisted state, objects already there are kept as the user left them. */
function seedCluster(k8s: K8sEmulator, root: string, keepExisting: boolean, emit: Emit): void {
  const set = loadSeed(root);
  for (const ns of set.namespaces)
    if (!k8s.getObject('Namespace', undefined, ns))
      k8s.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as KubeObj);
  let skipped = 0;
  for (const obj of set.objects) {
    if (keepExisting && k8s.getObject(obj.kind, obj.metadata.namespace, obj.metadata.name)) {
      skipped += 1;
      continue;
    }
    k8s.apply(obj as unknown as KubeObj);
  }
  emit({ type: 'seeded', objects: set.objects.length - skipped, sources: set.sources, skipped });
}

/** Stops what was started, newest first; errors are reported, never thrown, so everything gets its turn. */
class Closers {
  private readonly list: { name: string; close: () => Promise<unknown> }[] = [];
  add(name: string, close: () => Promise<unknown>): void {
    this.list.push({ name, close });
  }
  async closeAll(emit: Emit): Promise<void> {
    for (const { name, close } of this.list.reverse()) {
      try {
        await close();
      } catch (e) {
        emit({
          type: 'log',
          component: 'stack',
          severity: 'WARNING',
          message: `closing ${name}: ${(e as Error).message}`,
        });
      }
    }
    this.list.length = 0;
  }
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started = performance.now();
  const emit: Emit = options.onEvent ?? (() => {});
  const verbose = Boolean(options.verbose);
  const base = options.portBase ?? 0;
  const project = options.project ?? 'local-project';
  const mesh = options.mesh ?? 'gamma-mesh';
  const cluster = options.clusterId ?? 'local';
  const dir = localDir(options.workDir ?? process.cwd());
  const stateDir = path.join(dir, 'state');
  mkdirSync(options.persist ? stateDir : dir, { recursive: true });
  const kubeconfig = path.join(dir, 'kubeconfig');
  const closers = new Closers();
  let stopping = false;
  // Nothing local may reach for the GCE metadata server (google-auth-library probes it otherwise).
  process.env.METADATA_SERVER_DETECTION ??= 'none';

  try {
    const [k8s, netsvc, pubsubEmu] = await Promise.all([
      startK8sEmulator({
        host: HOST,
        port: portFor(base, 'kubernetes'),
        kubeconfigPath: kubeconfig,
        ...(options.persist ? { statePath: path.join(stateDir, 'kubernetes.json') } : {}),
      }),
      startNetsvcEmulator({
        host: HOST,
        port: portFor(base, 'netsvc'),
        ...(options.persist ? { statePath: path.join(stateDir, 'netsvc.json') } : {}),
      }),
      startPubsubEmulator({
        host: HOST,
        port: portFor(base, 'pubsub'),
        adminPort: portFor(base, 'pubsubAdmin'),
      }),
    ]);
    closers.add('kubernetes stand-in', () => k8s.close());
    closers.add('network services emulator', () => netsvc.close());
    closers.add('pub/sub emulator', () => pubsubEmu.close()); // idempotent; added again below
    emit({ type: 'listening', component: 'kubernetes API stand-in', address: k8s.url });
    emit({ type: 'listening', component: 'network services emulator', address: netsvc.url });
    emit({ type: 'listening', component: 'pub/sub emulator', address: pubsubEmu.endpoint });

    if (options.seed) seedCluster(k8s, options.seed, Boolean(options.persist), emit);

    const env: NodeJS.ProcessEnv = {
      GAMMA_PROJECT: project,
      GAMMA_MESH: mesh,
      GAMMA_CLUSTER_ID: cluster,
      GAMMA_KUBECONFIG: kubeconfig,
      GAMMA_NETSVC_ENDPOINT: netsvc.url,
      GAMMA_MANAGE_MESH: 'true',
      GAMMA_ROUTE_EVENTS_TOPIC: ROUTE_EVENTS_TOPIC,
      GAMMA_LOG_FORMAT: 'json',
      GAMMA_DEBOUNCE_MS: String(options.debounceMs ?? 100),
      GAMMA_MAX_WAIT_MS: String(Math.max(1000, options.debounceMs ?? 100)),
      GAMMA_HEALTH_PORT: String(portFor(base, 'watcherHealth')),
      GAMMA_RESYNC_ON_START: 'true',
    };
    const functionDeps = (component: 'sync' | 'reconcile') => {
      const config = loadConfig(env, component);
      const observed = new ObservedNetsvcClient({
        project: config.project,
        location: config.location,
        requestsPerSecond: config.rateLimitRps,
        maxConcurrency: config.maxConcurrency,
        endpoint: netsvc.url,
      });
      const log = forwardingLogger(component, emit, () => verbose);
      return createDeps(config, { netsvc: observed, log }) as ReturnType<typeof createDeps> & {
        netsvc: ObservedNetsvcClient;
      };
    };
    const hooks = {
      emit,
      routeStatus: (
        r: { kind: string; namespace: string; name: string },
        parent: { namespace: string; name: string },
      ): RouteStatusView => {
        const conditions = conditionsOf(
          k8s.getObject(r.kind, r.namespace, r.name),
          DEFAULT_CONTROLLER_NAME,
          parent,
        );
        return { ...r, ...(conditions ? { conditions } : {}) };
      },
    };
    const syncFn: FunctionServer = await startSyncFunction(
      functionDeps('sync'),
      hooks,
      HOST,
      portFor(base, 'sync'),
    );
    closers.add('sync function', () => syncFn.close());
    const reconcileFn: FunctionServer = await startReconcileFunction(
      functionDeps('reconcile'),
      hooks,
      HOST,
      portFor(base, 'reconcile'),
    );
    closers.add('reconcile function', () => reconcileFn.close());

    const pubsub = new PubSub({ projectId: project, apiEndpoint: pubsubEmu.endpoint, emulatorMode: true });
    closers.add('pub/sub client', () => pubsub.close());
    // Closed before the functions: no new deliveries while the ones in progress finish.
    closers.add('pub/sub emulator', () => pubsubEmu.close());
    await createTopics(pubsub, syncFn.url, reconcileFn.url);

    const watcherLog = forwardingLogger(
      'watcher',
      emit,
      watcherKeep(verbose, () => stopping),
    );
    const watcher: Watcher = await startWatcher(
      { ...watcherSettingsFromEnv(env), healthHost: HOST, shutdownTimeoutMs: 3000 },
      { pubsub, logger: watcherLog as WatcherLogger },
    );
    closers.add('watcher', () => watcher.close());
    await watcher.ready;

    const ticks = pubsub.topic(RECONCILE_TICKS_TOPIC);
    const tick = async () => void (await ticks.publishMessage({ data: encodeReconcileTick() }));
    const interval = options.reconcileIntervalMs ?? 30_000;
    const timer = setInterval(() => {
      // Both emulators log every request for tests; a long session must not grow those logs forever.
      k8s.requests.length = 0;
      netsvc.resetStats();
      tick().catch((e: unknown) =>
        emit({ type: 'reconcile-failed', error: `publishing the tick: ${(e as Error).message}` }),
      );
    }, interval);
    timer.unref();
    closers.add('reconcile timer', async () => clearInterval(timer));

    const endpoints: Endpoints = {
      kubeconfig,
      kubernetes: k8s.url,
      netsvc: netsvc.url,
      pubsub: pubsubEmu.endpoint,
      project,
      mesh,
      cluster,
      pubsubAdmin: pubsubEmu.adminUrl,
      sync: syncFn.url,
      reconcile: reconcileFn.url,
      watcherHealth: `http://${HOST}:${watcher.healthPort}/healthz`,
    };
    const endpointsFile = path.join(dir, 'endpoints.json');
    writeFileSync(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);
    const readyMs = Math.round(performance.now() - started);
    let closing: Promise<void> | undefined;
    return {
      endpoints,
      endpointsFile,
      readyMs,
      k8s,
      netsvc,
      pubsub: pubsubEmu,
      tick,
      close: () => {
        stopping = true;
        return (closing ??= closers.closeAll(emit));
      },
    };
  } catch (e) {
    await closers.closeAll(emit);
    throw e;
  }
}
