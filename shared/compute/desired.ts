// The desired Compute state (docs/backends.md §3): from the backend Services of a snapshot and the
// backend services translate's accepted routes send to (Desired.backends), the global health checks
// and INTERNAL_SELF_MANAGED backend services that give those routes endpoints. Pure and
// deterministic: the same Services and mappings give the same bodies, in name order.
//
// - One backend service per Service port, named by translate (names.ts backendServiceName), with one
//   backend per zonal NEG the GKE NEG controller reports (neg.ts), RATE balancing.
// - A port whose Service names its own backend service (gamma-csm.dev/backend-service.<port>) gets
//   nothing here: that backend service is the user's, referenced and never written.
// - Health checks are shared by every backend service of the cluster with the same check
//   configuration: USE_SERVING_PORT probes each endpoint on its own port, so one check serves every
//   Service, and a cluster needs one or two checks instead of one per port (fewer writes, a smaller
//   quota footprint); a check is deleted only once no owned backend service uses it.
import type { Service } from '../gamma/types.ts';
import { serviceIndex } from '../translate/backends.ts';
import { hasBackendServiceOverride, healthCheckId } from '../translate/names.ts';
import { idOf } from '../plan/index.ts';
import type { BackendMapping } from '../translate/types.ts';
import { portNegs } from './neg.ts';
import type { HealthCheckConfig, PortBackend } from './protocol.ts';
import { portBackend } from './protocol.ts';
import type { ComputeBackend, ComputeBackendService, ComputeHealthCheck, DesiredCompute } from './types.ts';
import { COMPUTE_ROOT } from './types.ts';

export interface ComputeOptions {
  project: string;
  clusterId: string;
}

/** What a description of ours says; anything else in a description means "not ours". */
export interface OwnerRecord {
  managedBy: 'gamma-csm';
  cluster: string;
  /** Backend services: the Service port they serve. */
  service?: string;
  port?: number;
  /** Backend services of TCPRoute/TLSRoute destinations: 'TCP' (absent for HTTP and gRPC). */
  transport?: 'TCP';
  /** Health checks: their configuration, as healthCheckKind writes it. */
  healthCheck?: string;
}

export const MANAGED_BY = 'gamma-csm';

/** The machine-readable description that marks a resource as this cluster's (docs/backends.md §6). */
export function ownerDescription(record: Omit<OwnerRecord, 'managedBy'>): string {
  return JSON.stringify({ managedBy: MANAGED_BY, ...record });
}

/** `tcp`, `http:/healthz`, `grpc:svc`: the configuration's name, part of the check's id. */
export function healthCheckKind(config: HealthCheckConfig): string {
  const type = config.type.toLowerCase();
  if (config.requestPath !== undefined) return `${type}:${config.requestPath}`;
  if (config.grpcServiceName !== undefined) return `${type}:${config.grpcServiceName}`;
  return type;
}

export function globalUrl(project: string, collection: string, id: string): string {
  return `${COMPUTE_ROOT}projects/${project}/global/${collection}/${id}`;
}

export function negUrl(project: string, zone: string, name: string): string {
  return `${COMPUTE_ROOT}projects/${project}/zones/${zone}/networkEndpointGroups/${name}`;
}

function healthCheckBody(options: ComputeOptions, config: HealthCheckConfig): ComputeHealthCheck {
  const kind = healthCheckKind(config);
  const body: ComputeHealthCheck = {
    name: healthCheckId(options.clusterId, kind),
    description: ownerDescription({ cluster: options.clusterId, healthCheck: kind }),
    type: config.type,
  };
  const probe = { portSpecification: 'USE_SERVING_PORT' };
  if (config.type === 'TCP') body.tcpHealthCheck = probe;
  else if (config.type === 'HTTP') body.httpHealthCheck = { ...probe, requestPath: config.requestPath };
  else if (config.type === 'HTTP2') body.http2HealthCheck = { ...probe, requestPath: config.requestPath };
  else
    body.grpcHealthCheck =
      config.grpcServiceName === undefined ? probe : { ...probe, grpcServiceName: config.grpcServiceName };
  return body;
}

function backendServiceBody(
  options: ComputeOptions,
  mapping: BackendMapping,
  backend: PortBackend,
  healthCheck: ComputeHealthCheck,
  service: Service,
): ComputeBackendService {
  const negs = portNegs(service, mapping.port);
  const backends: ComputeBackend[] = negs.ok
    ? negs.negs.zones.map((zone) => ({
        group: negUrl(options.project, zone, negs.negs.name),
        ...backend.balancing,
      }))
    : [];
  return {
    name: idOf(mapping.serviceName),
    description: ownerDescription({
      cluster: options.clusterId,
      service: `${mapping.namespace}/${mapping.service}`,
      port: mapping.port,
      ...(mapping.transport ? { transport: mapping.transport } : {}),
    }),
    loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
    protocol: backend.protocol,
    healthChecks: [globalUrl(options.project, 'healthChecks', healthCheck.name as string)],
    backends,
  };
}

/** A Service by namespace and name. */
export type FindService = (namespace: string, name: string) => Service | undefined;

export function serviceFinder(services: readonly Service[]): FindService {
  return serviceIndex(services).find;
}

/**
 * The health checks and backend services the mappings need. Mappings whose Service is missing, or
 * whose port's protocol is unsupported, get nothing (translate already reported them unresolved).
 */
export function desiredCompute(
  services: Service[] | FindService,
  mappings: BackendMapping[],
  options: ComputeOptions,
): DesiredCompute {
  const find = typeof services === 'function' ? services : serviceFinder(services);
  const checks = new Map<string, ComputeHealthCheck>();
  const backendServices = new Map<string, ComputeBackendService>();
  for (const mapping of mappings) {
    const service = find(mapping.namespace, mapping.service);
    if (!service || hasBackendServiceOverride(service, mapping.port)) continue;
    const chosen = portBackend(service, mapping.port, mapping.transport);
    if (!chosen.ok) continue;
    const check = healthCheckBody(options, chosen.backend.healthCheck);
    if (!checks.has(check.name as string)) checks.set(check.name as string, check);
    const body = backendServiceBody(options, mapping, chosen.backend, check, service);
    backendServices.set(body.name as string, body);
  }
  const byName = <T extends { name?: string | null }>(a: T, b: T) =>
    (a.name as string) < (b.name as string) ? -1 : 1;
  return {
    healthChecks: [...checks.values()].sort(byName),
    backendServices: [...backendServices.values()].sort(byName),
  };
}
