// The Compute contract: the global health checks and backend services that give every Network
// Services route destination real endpoints (docs/backends.md). Pure shapes, shared by the desired
// stage (desired.ts), the planner (plan.ts), the client (client.ts), the emulator and the CLI.
import type { compute_v1 } from 'googleapis/build/src/apis/compute/v1.js';

export type ComputeBackendService = compute_v1.Schema$BackendService;
export type ComputeBackend = compute_v1.Schema$Backend;
export type ComputeHealthCheck = compute_v1.Schema$HealthCheck;
export type ComputeNeg = compute_v1.Schema$NetworkEndpointGroup;
export type ComputeOperation = compute_v1.Schema$Operation;
export type ComputeBackendServiceGroupHealth = compute_v1.Schema$BackendServiceGroupHealth;
export type ComputeFirewall = compute_v1.Schema$Firewall;

/** REST collection names of the global resources gamma-csm owns. */
export type ComputeKind = 'healthChecks' | 'backendServices';
export const COMPUTE_KINDS: readonly ComputeKind[] = ['healthChecks', 'backendServices'];

export interface ComputeBodies {
  healthChecks: ComputeHealthCheck;
  backendServices: ComputeBackendService;
}
export type ComputeBody<K extends ComputeKind = ComputeKind> = ComputeBodies[K];

/** What the desired stage derives (translate -o json prints both lists). */
export interface DesiredCompute {
  healthChecks: ComputeHealthCheck[];
  backendServices: ComputeBackendService[];
}

/** Everything owned-or-not under the gamma- prefix, as listed; complete=false when a read failed. */
export interface ActualCompute {
  healthChecks: ComputeHealthCheck[];
  backendServices: ComputeBackendService[];
  complete: boolean;
}

/** The Compute API root every self link and NEG group URL starts with. */
export const COMPUTE_ROOT = 'https://www.googleapis.com/compute/v1/';

/** GKE's NEG annotations (see docs/backends.md). */
export const NEG_ANNOTATION = 'cloud.google.com/neg';
export const NEG_STATUS_ANNOTATION = 'cloud.google.com/neg-status';

/** Per Service port overrides, on the backend Service. */
/**
 * GCE_VM_IP_PORT NEG backends one backend service may have (Cloud Load Balancing quotas and limits:
 * 50); gamma-csm adds one per zone of a Service port's NEG (docs/backends.md).
 */
export const MAX_NEG_BACKENDS = 50;
export const BACKEND_PROTOCOL_ANNOTATION_PREFIX = 'gamma-csm.dev/backend-protocol.';
export const HEALTH_CHECK_ANNOTATION_PREFIX = 'gamma-csm.dev/health-check.';
export const MAX_RATE_ANNOTATION_PREFIX = 'gamma-csm.dev/max-rate-per-endpoint.';

/** The calls the Compute stage makes; shared/compute/client.ts ComputeClient implements them. */
export interface ComputeApi {
  /** null when absent (404). */
  get<K extends ComputeKind>(kind: K, name: string): Promise<ComputeBody<K> | null>;
  /** Every page; `filter` in Compute's list syntax, e.g. `name eq 'gamma-.*'`. */
  list<K extends ComputeKind>(kind: K, filter?: string): Promise<ComputeBody<K>[]>;
  /** Waits for the operation; 409 ALREADY_EXISTS throws. */
  insert<K extends ComputeKind>(kind: K, body: ComputeBody<K>): Promise<void>;
  /** Waits for the operation; a stale fingerprint throws 412. */
  patch<K extends ComputeKind>(kind: K, name: string, body: ComputeBody<K>): Promise<void>;
  /** Waits for the operation; absent (404) counts as done. */
  delete(kind: ComputeKind, name: string): Promise<void>;
}
