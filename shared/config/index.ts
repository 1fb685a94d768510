// Environment -> typed, validated configuration for each entry point. Fails fast with one error that
// lists every missing or bad variable. Each variable is documented in infra/terraform/README.md.
// The shapes live in types.ts; cluster and API access, backend settings and caps in modules of their own.
import { DEFAULT_CONTROLLER_NAME, type TranslateOptions } from '../translate/types.ts';
import { readClusterAccess, readEndpoint } from './access.ts';
import { readBackendTemplate, readOverrides } from './backends.ts';
import { readFunctionGuards, readRouteLimits } from './limits.ts';
import {
  CLUSTER_ID_PATTERN,
  CONTROLLER_NAME_PATTERN,
  DNS_SUBDOMAIN_PATTERN,
  PROJECT_ID_PATTERN,
  RESOURCE_ID_PATTERN,
  TOPIC_PATTERN,
} from './patterns.ts';
import { EnvReader } from './read.ts';
import {
  type CliConfig,
  type CommonConfig,
  type Component,
  type Config,
  ConfigError,
  DEFAULTS,
  type FunctionConfig,
  type WatcherConfig,
  type WatcherSettings,
} from './types.ts';

export * from './patterns.ts';
export { parseBackendServiceOverrides } from './backends.ts';
export { ConfigError, DEFAULTS } from './types.ts';
export type {
  CliConfig,
  ClusterAccess,
  Component,
  Config,
  FunctionConfig,
  FunctionGuards,
  LogFormat,
  WatcherConfig,
} from './types.ts';

function readProject(r: EnvReader): string | undefined {
  const name = r.raw('GAMMA_PROJECT') !== undefined ? 'GAMMA_PROJECT' : 'GOOGLE_CLOUD_PROJECT';
  return r.matching(
    name,
    PROJECT_ID_PATTERN,
    'a Google Cloud project id (6-30 chars, lowercase, digits, hyphens)',
  );
}

function readCommon(r: EnvReader, component: Component): CommonConfig {
  const common: CommonConfig = {
    location:
      r.matching('GAMMA_LOCATION', /^global$/, '"global" (Network Services mesh routes are global)') ??
      DEFAULTS.location,
    manageMesh: r.bool('GAMMA_MANAGE_MESH', true),
    controllerName:
      r.matching(
        'GAMMA_CONTROLLER_NAME',
        CONTROLLER_NAME_PATTERN,
        'a domain-prefixed path like example.com/gamma',
      ) ?? DEFAULT_CONTROLLER_NAME,
    clusterDomain:
      r.matching('GAMMA_CLUSTER_DOMAIN', DNS_SUBDOMAIN_PATTERN, 'a DNS domain like cluster.local') ??
      DEFAULTS.clusterDomain,
    routeEventsTopic:
      r.matching('GAMMA_ROUTE_EVENTS_TOPIC', TOPIC_PATTERN, 'a Pub/Sub topic id or projects/P/topics/T') ??
      DEFAULTS.routeEventsTopic,
    rateLimitRps: r.number('GAMMA_RATE_LIMIT_RPS', DEFAULTS.rateLimitRps, { min: 0.1, max: 100 }),
    maxConcurrency: r.number('GAMMA_MAX_CONCURRENCY', DEFAULTS.maxConcurrency, {
      min: 1,
      max: 1000,
      integer: true,
    }),
    maxDeleteFraction: r.number('GAMMA_MAX_DELETE_FRACTION', DEFAULTS.maxDeleteFraction, { min: 0, max: 1 }),
    maxDeleteAbsolute: r.number('GAMMA_MAX_DELETE_ABSOLUTE', DEFAULTS.maxDeleteAbsolute, {
      min: 0,
      max: 100000,
      integer: true,
    }),
    forceDelete: r.bool('GAMMA_FORCE_DELETE', false),
    backendServices: r.oneOf('GAMMA_BACKEND_SERVICES', ['provision', 'off'] as const, 'provision'),
    autoNeg: r.bool('GAMMA_AUTO_NEG', false),
    crossNamespaceBackends: r.oneOf(
      'GAMMA_CROSS_NAMESPACE_BACKENDS',
      ['allow', 'referencegrant'] as const,
      'allow',
    ),
    backendServiceOverrides: readOverrides(r),
    logFormat: r.oneOf('GAMMA_LOG_FORMAT', ['json', 'text'] as const, component === 'cli' ? 'text' : 'json'),
  };
  const netsvcEndpoint = readEndpoint(r, 'GAMMA_NETSVC_ENDPOINT');
  if (netsvcEndpoint !== undefined) common.netsvcEndpoint = netsvcEndpoint;
  const computeEndpoint = readEndpoint(r, 'GAMMA_COMPUTE_ENDPOINT');
  if (computeEndpoint !== undefined) common.computeEndpoint = computeEndpoint;
  const emulator = r.raw('PUBSUB_EMULATOR_HOST');
  if (emulator !== undefined) common.pubsubEmulatorHost = emulator;
  const template = readBackendTemplate(r);
  if (template !== undefined) common.backendServiceTemplate = template;
  const limits = readRouteLimits(r);
  if (limits) common.routeLimits = limits;
  return common;
}

function readWatcherSettings(r: EnvReader): WatcherSettings {
  const debounceMs = r.number('GAMMA_DEBOUNCE_MS', DEFAULTS.debounceMs, {
    min: 0,
    max: 600000,
    integer: true,
  });
  const maxWaitMs = r.number('GAMMA_MAX_WAIT_MS', DEFAULTS.maxWaitMs, { min: 0, max: 600000, integer: true });
  if (maxWaitMs < debounceMs)
    r.problem('GAMMA_MAX_WAIT_MS', `must be >= GAMMA_DEBOUNCE_MS (${debounceMs}), got ${maxWaitMs}`);
  const healthPort = r.number('GAMMA_HEALTH_PORT', DEFAULTS.healthPort, {
    min: 0,
    max: 65535,
    integer: true,
  });
  return { debounceMs, maxWaitMs, healthPort };
}

function readIdentity(r: EnvReader) {
  return {
    project: readProject(r),
    mesh: r.matching(
      'GAMMA_MESH',
      RESOURCE_ID_PATTERN,
      'a Mesh id (lowercase letters, digits, hyphens; max 63)',
    ),
    clusterId: r.matching(
      'GAMMA_CLUSTER_ID',
      CLUSTER_ID_PATTERN,
      'a label-safe id (lowercase letters, digits, hyphens; max 63)',
    ),
  };
}

function buildConfig(r: EnvReader, component: Component): Config | undefined {
  const common = readCommon(r, component);
  const id = readIdentity(r);
  const access = readClusterAccess(r);
  const need = (name: string, v: string | undefined) => r.required(name, v, `for ${component}`);
  if (component === 'sync' || component === 'reconcile') {
    const project = need('GAMMA_PROJECT', id.project);
    const mesh = need('GAMMA_MESH', id.mesh);
    const clusterId = need('GAMMA_CLUSTER_ID', id.clusterId);
    const accessVarSet = ['GAMMA_KUBECONFIG', 'GAMMA_CLUSTER_ENDPOINT', 'GAMMA_CLUSTER_CA'].some(
      (n) => r.raw(n) !== undefined,
    );
    if (!accessVarSet)
      r.problem(
        'GAMMA_KUBECONFIG',
        `or GAMMA_CLUSTER_ENDPOINT + GAMMA_CLUSTER_CA is required for ${component}`,
      );
    if (access?.kind === 'in-cluster') return undefined;
    const timeoutSeconds = r.number(
      'GAMMA_FUNCTION_TIMEOUT_SECONDS',
      component === 'sync' ? DEFAULTS.syncTimeoutSeconds : DEFAULTS.reconcileTimeoutSeconds,
      { min: 10, max: 600, integer: true },
    );
    const guards = readFunctionGuards(r);
    if (!project || !mesh || !clusterId || !access) return undefined;
    return { ...common, component, project, mesh, clusterId, cluster: access, timeoutSeconds, guards };
  }
  if (component === 'watcher') {
    const project = need('GAMMA_PROJECT', id.project);
    const clusterId = need('GAMMA_CLUSTER_ID', id.clusterId);
    const settings = readWatcherSettings(r);
    if (access?.kind === 'endpoint')
      r.problem(
        'GAMMA_CLUSTER_ENDPOINT',
        'is for the functions; the watcher uses in-cluster credentials or GAMMA_KUBECONFIG',
      );
    if (!project || !clusterId || access?.kind === 'endpoint') return undefined;
    const cluster = access ?? { kind: 'in-cluster' as const };
    return {
      ...common,
      ...settings,
      component,
      project,
      clusterId,
      cluster,
      ...(id.mesh ? { mesh: id.mesh } : {}),
    };
  }
  const cli: CliConfig = { ...common, ...readWatcherSettings(r), component: 'cli' };
  if (id.project) cli.project = id.project;
  if (id.mesh) cli.mesh = id.mesh;
  if (id.clusterId) cli.clusterId = id.clusterId;
  if (access) cli.cluster = access;
  return cli;
}

export function loadConfig(env: NodeJS.ProcessEnv, which: 'sync' | 'reconcile'): FunctionConfig;
export function loadConfig(env: NodeJS.ProcessEnv, which: 'watcher'): WatcherConfig;
export function loadConfig(env: NodeJS.ProcessEnv, which: 'cli'): CliConfig;
export function loadConfig(env: NodeJS.ProcessEnv, which: Component): Config;
/** Reads and validates the environment for one entry point; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv, which: Component): Config {
  const r = new EnvReader(env);
  const config = buildConfig(r, which);
  if (r.problems.length > 0 || config === undefined) throw new ConfigError(which, r.problems);
  return config;
}

/** The translate options a loaded config implies (CLI flags may override them afterwards). */
export function translateOptionsFrom(
  config: Pick<
    Config,
    'location' | 'controllerName' | 'clusterDomain' | 'backendServiceTemplate' | 'backendServices'
  > &
    Partial<Pick<Config, 'routeLimits' | 'crossNamespaceBackends' | 'backendServiceOverrides'>> & {
      project: string;
      mesh: string;
      clusterId: string;
    },
): TranslateOptions {
  const options: TranslateOptions = {
    project: config.project,
    location: config.location,
    mesh: config.mesh,
    clusterId: config.clusterId,
    controllerName: config.controllerName,
    clusterDomain: config.clusterDomain,
  };
  if (config.backendServiceTemplate !== undefined)
    options.backendServiceTemplate = config.backendServiceTemplate;
  // Live, a backend resolves only once GKE reports its NEGs (offline callers relax it to 'requested').
  if (config.backendServices === 'provision') options.negCheck = 'reported';
  if (config.routeLimits !== undefined) options.limits = config.routeLimits;
  if (config.crossNamespaceBackends === 'referencegrant') options.crossNamespaceBackends = 'referencegrant';
  if (config.backendServiceOverrides?.length)
    options.backendServiceOverrides = config.backendServiceOverrides;
  return options;
}
