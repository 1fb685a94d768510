// The whole pipeline on one machine (`npm start`): startPipeline (pipeline.ts, where the emulators,
// watcher, functions, topics and subscriptions are wired) plus what a person at a terminal needs:
// fixed consecutive ports, state kept between runs, a kubeconfig under .gamma-csm/local, seeding,
// endpoints.json, a live log naming the objects involved, and a reconcile timer. Everything runs in
// this process on loopback, so one signal stops it all and no child process can be orphaned.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parentKey } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import type { Logger, LogFields, Severity as LogSeverity } from '../../shared/log/index.ts';
import { TransientError } from '../../shared/pipeline/index.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../shared/translate/types.ts';
import type { K8sEmulator, KubeObj } from './k8s/index.ts';
import type { ComputeEmulator } from './compute/server.ts';
import type { NetsvcEmulator } from './netsvc/server.ts';
import type { PubsubEmulator } from './pubsub/emulator.ts';
import type { Delivery } from './functions.ts';
import type { RouteCondition, RouteRef, RouteStatusView, Severity, StackEvent } from './live-log.ts';
import { startPipeline, RECONCILE_TICKS_TOPIC, ROUTE_EVENTS_TOPIC } from './pipeline.ts';
import type { Pipeline, PipelineOptions } from './pipeline.ts';
import { loadSeed } from './seed.ts';
import { watchSkippedRoutes } from './route-notices.ts';
import { statusRoutes } from '../../shared/pipeline/snapshot-routes.ts';

export { RECONCILE_TICKS_TOPIC, ROUTE_EVENTS_TOPIC };

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
  /** Compute root URL: `${compute}compute/v1/projects/...`. */
  compute: string;
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
  compute: ComputeEmulator;
  pubsub: PubsubEmulator;
  /** The pipeline underneath (deps, clients, idle(), runReconcile()...). */
  pipeline: Pipeline;
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
  'compute',
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

/**
 * The pipeline's logger, feeding the live log: each line becomes a `log` event of the component its
 * `function` label names; `keep` decides which lines reach the live log at all.
 */
function forwardingLogger(
  emit: Emit,
  keep: (component: string, severity: LogSeverity, message: string) => boolean,
  labels: Record<string, string> = {},
): Logger {
  const log = (severity: LogSeverity, message: string, fields?: LogFields) => {
    const { function: fn, component: _pipeline, ...rest } = labels;
    const component = fn ?? 'stack';
    if (severity === 'DEBUG' || !keep(component, severity, message)) return;
    const all = { ...rest, ...fields };
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
    with: (more) => forwardingLogger(emit, keep, { ...labels, ...more }),
  };
}

/**
 * Component lines shown in text mode: the watcher's start-up facts, warnings and errors. Per-publish
 * lines and the functions' own lines are covered by the delivery lines (synced, reconciled...).
 */
function liveLogKeeps(verbose: boolean) {
  return (component: string, severity: LogSeverity, message: string) => {
    if (verbose) return true;
    if (component !== 'watcher') return false;
    return severity !== 'INFO' || message === 'informers synced';
  };
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

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The routes a route event carries, every kind gamma-csm writes status on, named kind ns/name. */
export function routesOf(ev: RouteEvent): RouteRef[] {
  return statusRoutes(ev.snapshot).map(({ kind, route }) => ({
    kind,
    namespace: route.metadata?.namespace ?? ev.parent.namespace,
    name: route.metadata?.name ?? '',
  }));
}

/** A function delivery as the live log tells it; `statusOf` reads a route's status after the sync. */
export function deliveryEvent(
  d: Delivery,
  statusOf: (route: RouteRef, parent: { namespace: string; name: string }) => RouteStatusView,
): StackEvent | undefined {
  if (d.fn === 'reconcile') {
    if ('error' in d)
      return {
        type: 'reconcile-failed',
        error: message(d.error),
        transient: d.error instanceof TransientError,
      };
    return d.handling.ran ? { type: 'reconciled', summary: d.handling.summary, writes: d.writes } : undefined;
  }
  const ev = d.event;
  const parent = ev
    ? parentKey(ev.cluster, ev.parent.namespace, ev.parent.name)
    : `message ${d.cloudEvent.id ?? '?'}`;
  const routes = ev ? routesOf(ev) : [];
  if ('error' in d) return { type: 'sync-failed', parent, routes, error: message(d.error) };
  const handling = d.handling;
  if (handling.acked === 'malformed')
    return { type: 'sync-failed', parent, routes, error: `malformed event dropped: ${handling.error}` };
  const outcome = handling.outcome;
  if (outcome.result === 'skipped')
    return { type: 'skipped', parent, routes, why: `${outcome.skip}: ${outcome.detail}` };
  return {
    type: 'synced',
    parent,
    reasons: ev?.reason ?? [],
    ms: outcome.ms,
    writes: d.writes,
    unchanged: outcome.counts.unchanged,
    routes: ev ? routes.map((r) => statusOf(r, ev.parent)) : [],
    problems: outcome.messages,
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started = performance.now();
  const emit: Emit = options.onEvent ?? (() => {});
  const names = {
    project: options.project ?? 'local-project',
    mesh: options.mesh ?? 'gamma-mesh',
    cluster: options.clusterId ?? 'local',
  };
  const dir = localDir(options.workDir ?? process.cwd());
  mkdirSync(options.persist ? path.join(dir, 'state') : dir, { recursive: true });
  const kubeconfig = path.join(dir, 'kubeconfig');
  // Nothing local may reach for the GCE metadata server (google-auth-library probes it otherwise).
  process.env.METADATA_SERVER_DETECTION ??= 'none';

  const pipeline = await startPipeline(stackPipelineOptions(options, names, dir, kubeconfig, emit));
  const timer = startReconcileTimer(pipeline, options.reconcileIntervalMs ?? 30_000, emit);
  const endpoints = endpointsOf(pipeline, names, kubeconfig);
  const endpointsFile = path.join(dir, 'endpoints.json');
  try {
    writeFileSync(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);
  } catch (e) {
    clearInterval(timer);
    await pipeline.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    endpoints,
    endpointsFile,
    readyMs: Math.round(performance.now() - started),
    k8s: pipeline.k8s,
    netsvc: pipeline.netsvc,
    compute: pipeline.compute,
    pubsub: pipeline.pubsub,
    pipeline,
    tick: () => pipeline.tick(),
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer);
        await pipeline.close();
      })()),
  };
}

interface StackNames {
  project: string;
  mesh: string;
  cluster: string;
}

/** The pipeline as a person at a terminal runs it: fixed ports, state files, seeding, the live log. */
function stackPipelineOptions(
  options: LocalStackOptions,
  names: StackNames,
  dir: string,
  kubeconfig: string,
  emit: Emit,
): PipelineOptions {
  const stateDir = path.join(dir, 'state');
  let k8s: K8sEmulator | undefined;
  const statusOf = (r: RouteRef, parent: { namespace: string; name: string }): RouteStatusView => {
    const conditions = conditionsOf(
      k8s?.getObject(r.kind, r.namespace, r.name),
      DEFAULT_CONTROLLER_NAME,
      parent,
    );
    return { ...r, ...(conditions ? { conditions } : {}) };
  };
  const debounceMs = options.debounceMs ?? 100;
  return {
    host: HOST,
    project: names.project,
    mesh: names.mesh,
    clusterId: names.cluster,
    debounceMs,
    maxWaitMs: Math.max(1000, debounceMs),
    watcherShutdownTimeoutMs: 3000,
    redeliveryBackoffSeconds: { min: 1, max: 10 },
    logger: forwardingLogger(emit, liveLogKeeps(Boolean(options.verbose))),
    ports: Object.fromEntries(PORT_ORDER.map((c) => [c, portFor(options.portBase ?? 0, c)])),
    kubeconfigPath: kubeconfig,
    ...(options.persist
      ? {
          statePaths: {
            kubernetes: path.join(stateDir, 'kubernetes.json'),
            netsvc: path.join(stateDir, 'netsvc.json'),
            compute: path.join(stateDir, 'compute.json'),
          },
        }
      : {}),
    onEmulators: (e) => {
      k8s = e.k8s;
      announceEmulators(e, emit);
      watchSkippedRoutes(e.k8s.store, emit);
      if (options.seed) seedCluster(e.k8s, options.seed, Boolean(options.persist), emit);
    },
    onDelivery: (d) => {
      const e = deliveryEvent(d, statusOf);
      if (e) emit(e);
    },
    onCloseError: (component, e) =>
      emit({
        type: 'log',
        component: 'stack',
        severity: 'WARNING',
        message: `closing ${component}: ${message(e)}`,
      }),
  };
}

function announceEmulators(e: Parameters<NonNullable<PipelineOptions['onEmulators']>>[0], emit: Emit): void {
  emit({ type: 'listening', component: 'kubernetes API stand-in', address: e.k8s.url });
  emit({ type: 'listening', component: 'network services emulator', address: e.netsvc.url });
  emit({ type: 'listening', component: 'compute emulator', address: e.compute.url });
  emit({ type: 'listening', component: 'pub/sub emulator', address: e.pubsub.endpoint });
}

/** Publishes a reconcile tick every `interval` ms (unref'd: it never keeps the process alive). */
function startReconcileTimer(pipeline: Pipeline, interval: number, emit: Emit): NodeJS.Timeout {
  const timer = setInterval(() => {
    // Both emulators log every request for tests; a long session must not grow those logs forever.
    pipeline.k8s.requests.length = 0;
    pipeline.netsvc.resetStats();
    pipeline.compute.resetStats();
    pipeline
      .tick()
      .catch((e: unknown) => emit({ type: 'reconcile-failed', error: `publishing the tick: ${message(e)}` }));
  }, interval);
  timer.unref();
  return timer;
}

function endpointsOf(pipeline: Pipeline, names: StackNames, kubeconfig: string): Endpoints {
  return {
    kubeconfig,
    kubernetes: pipeline.k8s.url,
    netsvc: pipeline.netsvc.url,
    compute: pipeline.compute.url,
    pubsub: pipeline.pubsub.endpoint,
    project: names.project,
    mesh: names.mesh,
    cluster: names.cluster,
    pubsubAdmin: pipeline.pubsub.adminUrl,
    sync: pipeline.sync.url,
    reconcile: pipeline.reconcile.url,
    watcherHealth: `http://${HOST}:${pipeline.watcher?.healthPort}/healthz`,
  };
}
