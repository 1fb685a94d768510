// What a loaded configuration is, per entry point, its defaults, and the error that lists every
// problem (index.ts reads it from the environment).
import type { CrossNamespaceBackends } from '../translate/types.ts';
import type { RouteLimits } from '../translate/limits.ts';

export type Component = 'sync' | 'reconcile' | 'watcher' | 'cli';
export type LogFormat = 'json' | 'text';

/** How a process reaches the Kubernetes API. */
export type ClusterAccess =
  | { kind: 'kubeconfig'; path: string }
  // caData: base64 PEM, as GKE's master_auth gives it; absent only for a GKE DNS endpoint (*.gke.goog),
  // which presents a publicly trusted certificate (infra/terraform/README.md, "Private clusters").
  | { kind: 'endpoint'; server: string; caData?: string }
  | { kind: 'in-cluster' };

export interface CommonConfig {
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

export interface WatcherSettings {
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
