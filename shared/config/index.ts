// Environment -> typed, validated configuration for each entry point. Fails fast with one error that
// lists every missing or bad variable. Each variable is documented in infra/terraform/README.md.
import { isGkeDnsEndpoint } from '../cluster/gke-endpoint.ts';
import {
  DEFAULT_CONTROLLER_NAME,
  type CrossNamespaceBackends,
  type TranslateOptions,
} from '../translate/types.ts';
import { DEFAULT_ROUTE_LIMITS, ROUTE_LIMIT_INFO, type RouteLimits } from '../translate/limits.ts';
import {
  BACKEND_TEMPLATE_PLACEHOLDERS,
  CLUSTER_ID_PATTERN,
  CONTROLLER_NAME_PATTERN,
  DNS_SUBDOMAIN_PATTERN,
  PROJECT_ID_PATTERN,
  RESOURCE_ID_PATTERN,
  TOPIC_PATTERN,
} from './patterns.ts';
import { EnvReader } from './read.ts';

export * from './patterns.ts';

export type Component = 'sync' | 'reconcile' | 'watcher' | 'cli';
export type LogFormat = 'json' | 'text';

/** How a process reaches the Kubernetes API. */
export type ClusterAccess =
  | { kind: 'kubeconfig'; path: string }
  // caData: base64 PEM, as GKE's master_auth gives it; absent only for a GKE DNS endpoint (*.gke.goog),
  // which presents a publicly trusted certificate (infra/terraform/README.md, "Private clusters").
  | { kind: 'endpoint'; server: string; caData?: string }
  | { kind: 'in-cluster' };

interface CommonConfig {
  location: string;
  manageMesh: boolean;
  controllerName: string;
  clusterDomain: string;
  /** Root URL of the Network Services API (an emulator); undefined = Google's default. */
  netsvcEndpoint?: string;
  /** Root URL of the Compute API (an emulator; `${root}compute/v1/projects/...`); undefined = Google's default. */
  computeEndpoint?: string;
  /** PUBSUB_EMULATOR_HOST, passed through; the Pub/Sub client reads it itself. */
  pubsubEmulatorHost?: string;
  routeEventsTopic: string;
  rateLimitRps: number;
  maxConcurrency: number;
  maxDeleteFraction: number;
  maxDeleteAbsolute: number;
  forceDelete: boolean;
  logFormat: LogFormat;
  /** Backend service id template; undefined = the translator's default. */
  backendServiceTemplate?: string;
  /**
   * 'provision': gamma-csm creates and maintains the backend services and health checks its routes
   * use, from GKE NEGs (docs/backends.md). 'off': routes only; the backend services are someone
   * else's (the override annotation or template names them) and NEGs are not checked.
   */
  backendServices: 'provision' | 'off';
  /**
   * Add a routed Service port to the Service's `cloud.google.com/neg` annotation when it lacks NEGs,
   * instead of only reporting it (docs/backends.md §11; needs `patch` on Services).
   */
  autoNeg: boolean;
  /** Size caps on each emitted route set through GAMMA_MAX_* (shared/translate/limits.ts). */
  routeLimits?: Partial<RouteLimits>;
  /** GAMMA_CROSS_NAMESPACE_BACKENDS: whether cross-namespace backendRefs need a ReferenceGrant (docs/security.md §2). */
  crossNamespaceBackends: CrossNamespaceBackends;
  /** GAMMA_BACKEND_SERVICE_OVERRIDES: backend services the override annotation may name (docs/backends.md §7). */
  backendServiceOverrides: string[];
}

export interface FunctionConfig extends CommonConfig {
  component: 'sync' | 'reconcile';
  /** The function's own timeout (Terraform sets it); retries are bounded to end before it. */
  timeoutSeconds: number;
  project: string;
  mesh: string;
  clusterId: string;
  cluster: Extract<ClusterAccess, { kind: 'kubeconfig' | 'endpoint' }>;
  /** What one event or run may cost and delete (docs/security.md §5); see readFunctionGuards. */
  guards: FunctionGuards;
}

/** Caps on one parent's cost, the shared delete budget, and the reconcile schedule (docs/security.md §5). */
export interface FunctionGuards {
  maxPortsPerParent: number;
  maxRoutesPerSnapshot: number;
  maxServicesPerSnapshot: number;
  /** Route deletes allowed per window per function instance (sync and reconcile alike). */
  deleteBudget: number;
  deleteWindowSeconds: number;
  /** Ticks older than this are dropped (the next one supersedes them). */
  reconcileIntervalSeconds: number;
}

interface WatcherSettings {
  debounceMs: number;
  maxWaitMs: number;
  healthPort: number;
}

export interface WatcherConfig extends CommonConfig, WatcherSettings {
  component: 'watcher';
  project: string;
  clusterId: string;
  mesh?: string;
  cluster: Extract<ClusterAccess, { kind: 'kubeconfig' | 'in-cluster' }>;
}

/** The CLI takes most values from flags, so nothing is required here; flags override these. */
export interface CliConfig extends CommonConfig, WatcherSettings {
  component: 'cli';
  project?: string;
  mesh?: string;
  clusterId?: string;
  cluster?: ClusterAccess;
}

export type Config = FunctionConfig | WatcherConfig | CliConfig;

export class ConfigError extends Error {
  constructor(
    readonly component: Component,
    readonly problems: string[],
  ) {
    super(`invalid ${component} configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULTS = {
  location: 'global',
  clusterDomain: 'cluster.local',
  routeEventsTopic: 'route-events',
  rateLimitRps: 50,
  maxConcurrency: 10,
  maxDeleteFraction: 0.5,
  maxDeleteAbsolute: 25,
  debounceMs: 100,
  maxWaitMs: 1000,
  healthPort: 8080,
  /** The Terraform module's default function timeouts (infra/terraform/modules/gamma-csm/variables.tf). */
  syncTimeoutSeconds: 300,
  reconcileTimeoutSeconds: 540,
  maxPortsPerParent: 64,
  maxRoutesPerSnapshot: 128,
  maxServicesPerSnapshot: 256,
  deleteBudget: 50,
  deleteWindowSeconds: 600,
  reconcileIntervalSeconds: 600,
} as const;

function readFunctionGuards(r: EnvReader): FunctionGuards {
  const int = (name: string, fallback: number, min: number, max: number) =>
    r.number(name, fallback, { min, max, integer: true });
  return {
    maxPortsPerParent: int('GAMMA_MAX_PORTS_PER_PARENT', DEFAULTS.maxPortsPerParent, 1, 1000),
    maxRoutesPerSnapshot: int('GAMMA_MAX_ROUTES_PER_SNAPSHOT', DEFAULTS.maxRoutesPerSnapshot, 1, 10000),
    maxServicesPerSnapshot: int('GAMMA_MAX_SERVICES_PER_SNAPSHOT', DEFAULTS.maxServicesPerSnapshot, 1, 10000),
    deleteBudget: int('GAMMA_DELETE_BUDGET', DEFAULTS.deleteBudget, 0, 100000),
    deleteWindowSeconds: int('GAMMA_DELETE_WINDOW_SECONDS', DEFAULTS.deleteWindowSeconds, 1, 86400),
    reconcileIntervalSeconds: int(
      'GAMMA_RECONCILE_INTERVAL_SECONDS',
      DEFAULTS.reconcileIntervalSeconds,
      10,
      86400,
    ),
  };
}

// ---- single variables ----

function readProject(r: EnvReader): string | undefined {
  const name = r.raw('GAMMA_PROJECT') !== undefined ? 'GAMMA_PROJECT' : 'GOOGLE_CLOUD_PROJECT';
  return r.matching(
    name,
    PROJECT_ID_PATTERN,
    'a Google Cloud project id (6-30 chars, lowercase, digits, hyphens)',
  );
}

/** A root URL variable (GAMMA_NETSVC_ENDPOINT, GAMMA_COMPUTE_ENDPOINT): origin only, with a slash. */
function readEndpoint(r: EnvReader, name: string): string | undefined {
  const v = r.raw(name);
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return r.problem(name, `must be a root URL like http://127.0.0.1:8085/, got ${JSON.stringify(v)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return r.problem(name, `must use http or https, got ${JSON.stringify(v)}`);
  // googleapis keeps only the origin of rootUrl, so a path would be silently dropped.
  if (url.pathname !== '/' || url.search !== '')
    return r.problem(
      name,
      `must be a root URL without a path (the client drops it), got ${JSON.stringify(v)}`,
    );
  return `${url.origin}/`;
}

function readBackendTemplate(r: EnvReader): string | undefined {
  const v = r.raw('GAMMA_BACKEND_SERVICE_TEMPLATE');
  if (v === undefined) return undefined;
  const placeholders = [...v.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  const unknown = placeholders.filter(
    (p) => !(BACKEND_TEMPLATE_PLACEHOLDERS as readonly string[]).includes(p),
  );
  if (unknown.length > 0)
    return r.problem(
      'GAMMA_BACKEND_SERVICE_TEMPLATE',
      `unknown placeholder(s) ${unknown.map((p) => `{${p}}`).join(', ')}; allowed: ${BACKEND_TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
    );
  if (!placeholders.includes('service'))
    return r.problem(
      'GAMMA_BACKEND_SERVICE_TEMPLATE',
      'must contain {service}, or every Service would share one backend',
    );
  const literal = v.replace(/\{[^}]*\}/g, 'x');
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(literal))
    return r.problem(
      'GAMMA_BACKEND_SERVICE_TEMPLATE',
      `may hold only lowercase letters, digits, hyphens and placeholders, got ${JSON.stringify(v)}`,
    );
  return v;
}

const OVERRIDE_ENTRY =
  /^(projects\/[^/*]+\/(locations\/[^/*]+|global|regions\/[^/*]+)\/backendServices\/)?([a-z][-a-z0-9]{0,62})?\*?$/;

/**
 * A GAMMA_BACKEND_SERVICE_OVERRIDES value (the CLI's --backend-service-overrides too): comma-separated
 * backend service ids or full names, each optionally ending in `*`. The entries, or what is wrong.
 */
export function parseBackendServiceOverrides(text: string): { entries: string[] } | { error: string } {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const bad = entries.filter((e) => !OVERRIDE_ENTRY.test(e));
  if (bad.length === 0) return { entries };
  return {
    error: `entries must be backend service ids or projects/P/locations/L/backendServices/ID, optionally ending in *: ${bad.map((e) => JSON.stringify(e)).join(', ')}`,
  };
}

/** GAMMA_BACKEND_SERVICE_OVERRIDES; default none. */
function readOverrides(r: EnvReader): string[] {
  const v = r.raw('GAMMA_BACKEND_SERVICE_OVERRIDES');
  if (v === undefined) return [];
  const parsed = parseBackendServiceOverrides(v);
  if ('error' in parsed) r.problem('GAMMA_BACKEND_SERVICE_OVERRIDES', parsed.error);
  return 'entries' in parsed ? parsed.entries : [];
}

function readCa(r: EnvReader): string | undefined {
  const v = r.raw('GAMMA_CLUSTER_CA');
  if (v === undefined) return undefined;
  const compact = v.replace(/\s+/g, '');
  const pem = /^[A-Za-z0-9+/]+={0,2}$/.test(compact) ? Buffer.from(compact, 'base64').toString('utf8') : '';
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    return r.problem(
      'GAMMA_CLUSTER_CA',
      'must be a base64-encoded PEM certificate (master_auth.cluster_ca_certificate)',
    );
  return compact;
}

function readServer(r: EnvReader): string | undefined {
  const v = r.raw('GAMMA_CLUSTER_ENDPOINT');
  if (v === undefined) return undefined;
  const withScheme = /^[a-z]+:\/\//i.test(v) ? v : `https://${v}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol === 'https:' && url.hostname !== '' && (url.pathname === '/' || url.pathname === ''))
      return url.origin;
  } catch {
    // fall through to the problem below
  }
  return r.problem(
    'GAMMA_CLUSTER_ENDPOINT',
    `must be a host[:port] or https:// URL of the API server, got ${JSON.stringify(v)}`,
  );
}

function readClusterAccess(r: EnvReader): ClusterAccess | undefined {
  const kubeconfig = r.raw('GAMMA_KUBECONFIG');
  const server = readServer(r);
  const caData = readCa(r);
  const endpointSet =
    r.raw('GAMMA_CLUSTER_ENDPOINT') !== undefined || r.raw('GAMMA_CLUSTER_CA') !== undefined;
  if (kubeconfig !== undefined && endpointSet)
    return r.problem(
      'GAMMA_KUBECONFIG',
      'set either GAMMA_KUBECONFIG or GAMMA_CLUSTER_ENDPOINT + GAMMA_CLUSTER_CA, not both',
    );
  if (kubeconfig !== undefined) return { kind: 'kubeconfig', path: kubeconfig };
  if (!endpointSet) return undefined;
  if (r.raw('GAMMA_CLUSTER_ENDPOINT') === undefined)
    return r.problem('GAMMA_CLUSTER_ENDPOINT', 'is required when GAMMA_CLUSTER_CA is set');
  if (r.raw('GAMMA_CLUSTER_CA') === undefined) {
    if (server !== undefined && isGkeDnsEndpoint(server)) return { kind: 'endpoint', server };
    return r.problem(
      'GAMMA_CLUSTER_CA',
      'is required when GAMMA_CLUSTER_ENDPOINT is set (only a GKE DNS endpoint, *.gke.goog, may omit it)',
    );
  }
  return server !== undefined && caData !== undefined ? { kind: 'endpoint', server, caData } : undefined;
}

// ---- assembling ----

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

/** GAMMA_MAX_RULES_PER_ROUTE and the other route size caps that are set (docs/support-matrix.md). */
function readRouteLimits(r: EnvReader): Partial<RouteLimits> | undefined {
  const out: Partial<RouteLimits> = {};
  for (const key of Object.keys(ROUTE_LIMIT_INFO) as (keyof RouteLimits)[]) {
    const env = ROUTE_LIMIT_INFO[key].env;
    if (r.raw(env) === undefined) continue;
    out[key] = r.number(env, DEFAULT_ROUTE_LIMITS[key], { min: 1, max: 100 * 1024 * 1024, integer: true });
  }
  return Object.keys(out).length ? out : undefined;
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
