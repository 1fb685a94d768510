// What the pipeline needs from the outside world, built once per function instance from the
// configuration (clients are reused across events), or handed in by tests and the local stack.
import { GoogleAuth } from 'google-auth-library';
import type { KubeConfig } from '@kubernetes/client-node';
import type { FunctionConfig } from '../config/index.ts';
import { translateOptionsFrom } from '../config/index.ts';
import { makeKubeConfig } from '../cluster/index.ts';
import { NetsvcClient } from '../netsvc/client.ts';
import { ComputeClient } from '../compute/client.ts';
import type { ComputeClientOptions } from '../compute/client.ts';
import type { NetsvcClientOptions } from '../netsvc/client.ts';
import type { PlanOptions } from '../plan/index.ts';
import type { TranslateOptions } from '../translate/types.ts';
import type { ComputeApi } from '../compute/types.ts';
import type { Logger } from './log.ts';
import { makeLogger } from './log.ts';
import { meshMemo } from './mesh-memo.ts';
import type { MeshMemo } from './mesh-memo.ts';
import { parentMemo } from './parent-memo.ts';
import { deleteBudget } from './delete-budget.ts';
import type { DeleteBudget } from './delete-budget.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { withTimeout } from './bounded.ts';
import type { PipelineLimits } from './limits.ts';
import type { ParentMemo } from './parent-memo.ts';

export interface PipelineSettings {
  translate: TranslateOptions;
  /** Plan options without `scope` (sync adds its own per parent). */
  plan: Omit<PlanOptions, 'scope'>;
  controllerName: string;
  /** GAMMA_AUTO_NEG: annotate backend Services that lack NEGs (auto-neg.ts). */
  autoNeg?: boolean;
  /** The function's timeout: each invocation's Network Services retries end before it (handlers.ts). */
  invocationTimeoutMs?: number;
  /** What one parent may cost (limits.ts); defaults when absent. */
  limits?: PipelineLimits;
  /** Reconcile ticks older than this are dropped (default 10 min, the Terraform schedule). */
  reconcileIntervalMs?: number;
  /** Per Kubernetes call (default 30 s), well under the functions' timeouts (300 s, 540 s). */
  kubeTimeoutMs?: number;
}

export interface PipelineDeps {
  settings: PipelineSettings;
  netsvc: NetsvcClient;
  /**
   * Compute (backend services and health checks, docs/backends.md); absent when the configuration
   * says GAMMA_BACKEND_SERVICES=off: then only routes are written.
   */
  compute?: ComputeApi;
  kube: KubeConfig;
  log: Logger;
  /** The instance's last read of the shared Mesh (sync only); without it every event reads the Mesh. */
  meshMemo?: MeshMemo;
  /**
   * The instance's last applied state per parent (sync only); it stands in for reading a parent's
   * routes when the next event directly succeeds the last one. Without it every event reads.
   */
  parentMemo?: ParentMemo;
  /** Route deletes per window, shared by sync and reconcile in this instance (delete-budget.ts). */
  deleteBudget?: DeleteBudget;
  /** The clock (ms since the epoch); tests inject one. */
  now?: () => number;
  /** What this instance has said once and need not repeat (a route kind the cluster does not serve). */
  notices?: Set<string>;
}

export function settingsFromConfig(config: FunctionConfig): PipelineSettings {
  return {
    translate: translateOptionsFrom(config),
    plan: {
      clusterId: config.clusterId,
      manageMesh: config.manageMesh,
      adopt: false,
      maxDeleteFraction: config.maxDeleteFraction,
      maxDeleteAbsolute: config.maxDeleteAbsolute,
      forceDelete: config.forceDelete,
    },
    controllerName: config.controllerName,
    ...(config.autoNeg && config.backendServices === 'provision' ? { autoNeg: true } : {}),
    invocationTimeoutMs: config.timeoutSeconds * 1000,
    limits: {
      ...DEFAULT_LIMITS,
      maxPortsPerParent: config.guards.maxPortsPerParent,
      maxRoutesPerSnapshot: config.guards.maxRoutesPerSnapshot,
      maxServicesPerSnapshot: config.guards.maxServicesPerSnapshot,
    },
    reconcileIntervalMs: config.guards.reconcileIntervalSeconds * 1000,
  };
}

/** The cluster as the functions reach it: a kubeconfig file (local) or GKE endpoint + CA + a Google token. */
export function kubeConfigFor(config: FunctionConfig): KubeConfig {
  if (config.cluster.kind === 'kubeconfig') return makeKubeConfig({ kubeconfigPath: config.cluster.path });
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  return makeKubeConfig({
    gke: {
      endpoint: config.cluster.server,
      caData: config.cluster.caData,
      tokenProvider: async () => {
        // The metadata server answers in milliseconds; a hung token fetch must not hold the function.
        const token = await withTimeout('fetching a Google access token', 30_000, () =>
          auth.getAccessToken(),
        );
        if (!token) throw new Error('no Google access token for the GKE API server');
        return token;
      },
    },
  });
}

/**
 * Network Services calls end before the function does: requests after 30 s, operations 60 s before
 * the function's own timeout (sync 300 s, reconcile 540 s: infra/terraform variables), so a hung
 * call becomes a transient failure and a redelivery rather than a killed instance.
 */
export const FUNCTION_TIMEOUT_MS = { sync: 300_000, reconcile: 540_000 } as const;

export function netsvcOptionsFor(config: FunctionConfig): NetsvcClientOptions {
  return {
    requestTimeoutMs: 30_000,
    operationTimeoutMs: FUNCTION_TIMEOUT_MS[config.component] - 60_000,
    project: config.project,
    location: config.location,
    requestsPerSecond: config.rateLimitRps,
    maxConcurrency: config.maxConcurrency,
    ...(config.netsvcEndpoint ? { endpoint: config.netsvcEndpoint } : {}),
  };
}

export function netsvcClientFor(config: FunctionConfig): NetsvcClient {
  return new NetsvcClient(netsvcOptionsFor(config));
}

/** The Compute client, unless the configuration leaves backend services to someone else. */
export function computeClientFor(
  config: FunctionConfig,
  extra: Partial<ComputeClientOptions> = {},
): ComputeClient | undefined {
  if (config.backendServices === 'off') return undefined;
  return new ComputeClient({
    project: config.project,
    maxConcurrency: config.maxConcurrency,
    ...(config.computeEndpoint ? { endpoint: config.computeEndpoint } : {}),
    ...extra,
  });
}

export function createDeps(config: FunctionConfig, overrides: Partial<PipelineDeps> = {}): PipelineDeps {
  return {
    settings: overrides.settings ?? settingsFromConfig(config),
    netsvc: overrides.netsvc ?? netsvcClientFor(config),
    compute: 'compute' in overrides ? overrides.compute : computeClientFor(config),
    kube: overrides.kube ?? kubeConfigFor(config),
    log: overrides.log ?? makeLogger(config.logFormat, { component: config.component }),
    meshMemo: overrides.meshMemo ?? meshMemo(),
    parentMemo: overrides.parentMemo ?? parentMemo(),
    deleteBudget:
      overrides.deleteBudget ??
      deleteBudget({
        limit: config.guards.deleteBudget,
        windowMs: config.guards.deleteWindowSeconds * 1000,
        force: config.forceDelete,
        ...(overrides.now ? { now: overrides.now } : {}),
      }),
    ...(overrides.now ? { now: overrides.now } : {}),
    notices: overrides.notices ?? new Set(),
  };
}
