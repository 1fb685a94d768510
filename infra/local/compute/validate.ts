// What the Compute emulator refuses (400 invalid), checked on the full body a write would store. Field
// lists and enums follow Compute v1's schema (googleapis compute/v1.d.ts); the research notes in
// docs/backends.md explain which rules Google documents for backend services with NEG backends.
import { COMPUTE_ROOT, MAX_NEG_BACKENDS } from '../../../shared/compute/types.ts';
import type { Obj } from './store.ts';

export const NAME_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export { MAX_NEG_BACKENDS };

/** Fields Compute sets; a client may send them back (GET-modify-PUT) and they are ignored. */
export const OUTPUT_ONLY = ['id', 'creationTimestamp', 'kind', 'selfLink', 'region', 'usedBy'];

const BS_FIELDS = [
  'affinityCookieTtlSec',
  'backends',
  'cdnPolicy',
  'circuitBreakers',
  'compressionMode',
  'connectionDraining',
  'connectionTrackingPolicy',
  'consistentHash',
  'customMetrics',
  'customRequestHeaders',
  'customResponseHeaders',
  'description',
  'edgeSecurityPolicy',
  'enableCDN',
  'externalManagedMigrationState',
  'externalManagedMigrationTestingPercentage',
  'failoverPolicy',
  'fingerprint',
  'haPolicy',
  'healthChecks',
  'iap',
  'ipAddressSelectionPolicy',
  'loadBalancingScheme',
  'localityLbPolicies',
  'localityLbPolicy',
  'logConfig',
  'maxStreamDuration',
  'metadatas',
  'name',
  'network',
  'networkPassThroughLbTrafficPolicy',
  'orchestrationInfo',
  'outlierDetection',
  'params',
  'port',
  'portName',
  'protocol',
  'securityPolicy',
  'securitySettings',
  'serviceBindings',
  'serviceLbPolicy',
  'sessionAffinity',
  'strongSessionAffinityCookie',
  'subsetting',
  'timeoutSec',
  'tlsSettings',
];
const BACKEND_FIELDS = [
  'balancingMode',
  'capacityScaler',
  'customMetrics',
  'description',
  'failover',
  'group',
  'maxConnections',
  'maxConnectionsPerEndpoint',
  'maxConnectionsPerInstance',
  'maxInFlightRequests',
  'maxInFlightRequestsPerEndpoint',
  'maxInFlightRequestsPerInstance',
  'maxRate',
  'maxRatePerEndpoint',
  'maxRatePerInstance',
  'maxUtilization',
  'orchestrationInfo',
  'preference',
  'trafficDuration',
];
const HC_FIELDS = [
  'checkIntervalSec',
  'description',
  'grpcHealthCheck',
  'grpcTlsHealthCheck',
  'healthyThreshold',
  'http2HealthCheck',
  'httpHealthCheck',
  'httpsHealthCheck',
  'logConfig',
  'name',
  'sourceRegions',
  'sslHealthCheck',
  'tcpHealthCheck',
  'timeoutSec',
  'type',
  'unhealthyThreshold',
];
/** Global backend services: INTERNAL (passthrough) is regional only. */
export const SCHEMES = ['EXTERNAL', 'EXTERNAL_MANAGED', 'INTERNAL_MANAGED', 'INTERNAL_SELF_MANAGED'];
export const PROTOCOLS = ['HTTP', 'HTTPS', 'HTTP2', 'H2C', 'TCP', 'SSL', 'UDP', 'GRPC', 'UNSPECIFIED'];
const BALANCING_MODES = ['RATE', 'CONNECTION', 'UTILIZATION', 'CUSTOM_METRICS', 'IN_FLIGHT'];
const RATE_FIELDS = ['maxRate', 'maxRatePerEndpoint', 'maxRatePerInstance'];
const CONNECTION_FIELDS = ['maxConnections', 'maxConnectionsPerEndpoint', 'maxConnectionsPerInstance'];
/** Protocols RATE balancing serves for INTERNAL_SELF_MANAGED (gcloud's add-backend reference; GRPC as Google's own tests use it). */
const RATE_PROTOCOLS = ['HTTP', 'HTTPS', 'HTTP2', 'H2C', 'GRPC'];
/** HealthCheck.type -> the one sub-object it takes. */
export const HC_TYPES: Record<string, string> = {
  TCP: 'tcpHealthCheck',
  SSL: 'sslHealthCheck',
  HTTP: 'httpHealthCheck',
  HTTPS: 'httpsHealthCheck',
  HTTP2: 'http2HealthCheck',
  GRPC: 'grpcHealthCheck',
  GRPC_WITH_TLS: 'grpcTlsHealthCheck',
};
const PORT_SPECS = ['USE_FIXED_PORT', 'USE_NAMED_PORT', 'USE_SERVING_PORT'];

export interface Refs {
  project: string;
  /** The stored health check a (full or partial) URL names, if any. */
  healthCheckExists(key: string): boolean;
  negExists(project: string, zone: string, name: string): boolean;
}

const HC_URL =
  /^(?:https:\/\/www\.googleapis\.com\/compute\/v1\/)?(?:projects\/([^/]+)\/)?global\/healthChecks\/([^/]+)$/;
const NEG_URL = new RegExp(
  `^${COMPUTE_ROOT.replace(/[.]/g, '\\.')}projects/([^/]+)/zones/([^/]+)/networkEndpointGroups/([^/]+)$`,
);

/** `projects/P/global/healthChecks/N` for any accepted form of a health check reference. */
export function healthCheckKey(ref: string, project: string): string | undefined {
  const m = HC_URL.exec(ref);
  return m ? `projects/${m[1] ?? project}/global/healthChecks/${m[2]}` : undefined;
}

/** Project, zone and name of a fully-qualified NEG URL. */
export function parseNegUrl(url: string): { project: string; zone: string; name: string } | undefined {
  const m = NEG_URL.exec(url);
  return m ? { project: m[1], zone: m[2], name: m[3] } : undefined;
}

export function nameProblems(name: unknown, what: string): string[] {
  if (typeof name !== 'string' || name === '') return [`Required field 'name' not specified for ${what}.`];
  if (name.length > 63 || !NAME_RE.test(name))
    return [
      `Invalid value for field 'resource.name': '${name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`,
    ];
  return [];
}

function unknownFields(body: Obj, known: string[], prefix: string): string[] {
  return Object.keys(body)
    .filter((k) => !known.includes(k) && !OUTPUT_ONLY.includes(k))
    .map((k) => `Invalid JSON payload received. Unknown name "${k}" at '${prefix}': Cannot find field.`);
}

function enumProblem(field: string, v: unknown, values: string[]): string[] {
  if (v === undefined || v === null) return [];
  return values.includes(v as string)
    ? []
    : [`Invalid value for field '${field}': '${String(v)}'. Expected one of ${values.join(', ')}.`];
}

/** Problems with a backend service body (already merged for PATCH); refs checked against `refs`. */
export function backendServiceProblems(body: Obj, refs: Refs): string[] {
  const out = [...nameProblems(body.name, 'backend service'), ...unknownFields(body, BS_FIELDS, 'resource')];
  out.push(...enumProblem('resource.loadBalancingScheme', body.loadBalancingScheme, SCHEMES));
  out.push(...enumProblem('resource.protocol', body.protocol, PROTOCOLS));
  const hcs = body.healthChecks ?? [];
  if (!Array.isArray(hcs)) out.push(`Invalid value for field 'resource.healthChecks': must be a list.`);
  else {
    if (hcs.length > 1)
      out.push(
        `Invalid value for field 'resource.healthChecks': at most one health check is allowed, got ${hcs.length}.`,
      );
    for (const [i, ref] of hcs.entries()) {
      const key = typeof ref === 'string' ? healthCheckKey(ref, refs.project) : undefined;
      if (!key)
        out.push(
          `Invalid value for field 'resource.healthChecks[${i}]': '${String(ref)}'. Not a health check URL.`,
        );
      else if (!refs.healthCheckExists(key))
        out.push(
          `Invalid value for field 'resource.healthChecks[${i}]': The resource '${key}' was not found.`,
        );
    }
  }
  const backends = body.backends ?? [];
  if (!Array.isArray(backends))
    return [...out, `Invalid value for field 'resource.backends': must be a list.`];
  if (backends.length > MAX_NEG_BACKENDS)
    out.push(
      `Invalid value for field 'resource.backends': at most ${MAX_NEG_BACKENDS} network endpoint group backends per backend service, got ${backends.length}.`,
    );
  if (backends.length > 0 && Array.isArray(hcs) && hcs.length === 0 && !body.haPolicy)
    out.push(
      `Invalid value for field 'resource.healthChecks': backend services with zonal NEG backends must have a health check.`,
    );
  const groups = new Set<string>();
  for (const [i, b] of backends.entries()) {
    out.push(...backendProblems(b as Obj, `resource.backends[${i}]`, refs, body.protocol ?? 'HTTP'));
    const g = (b as Obj)?.group;
    if (typeof g === 'string' && groups.has(g))
      out.push(`Invalid value for field 'resource.backends[${i}].group': duplicate backend group '${g}'.`);
    if (typeof g === 'string') groups.add(g);
  }
  return out;
}

function backendProblems(b: Obj, at: string, refs: Refs, protocol: unknown): string[] {
  if (!b || typeof b !== 'object' || Array.isArray(b))
    return [`Invalid value for field '${at}': must be an object.`];
  const out = unknownFields(b, BACKEND_FIELDS, at);
  const neg = typeof b.group === 'string' ? parseNegUrl(b.group) : undefined;
  if (!neg)
    out.push(
      `Invalid value for field '${at}.group': '${String(b.group)}'. Must be the fully-qualified URL ${COMPUTE_ROOT}projects/P/zones/Z/networkEndpointGroups/N.`,
    );
  else if (!refs.negExists(neg.project, neg.zone, neg.name))
    out.push(
      `Invalid value for field '${at}.group': The resource 'projects/${neg.project}/zones/${neg.zone}/networkEndpointGroups/${neg.name}' was not found.`,
    );
  const mode = b.balancingMode ?? 'UTILIZATION';
  out.push(...enumProblem(`${at}.balancingMode`, mode, BALANCING_MODES));
  if (mode === 'UTILIZATION')
    out.push(
      `Invalid value for field '${at}.balancingMode': UTILIZATION (the default) is only for instance group backends; use RATE or CONNECTION.`,
    );
  if (mode === 'RATE' && !RATE_PROTOCOLS.includes(String(protocol)))
    out.push(
      `Invalid value for field '${at}.balancingMode': RATE is not supported for protocol ${String(protocol)}; use CONNECTION.`,
    );
  const capacity = mode === 'RATE' ? RATE_FIELDS : mode === 'CONNECTION' ? CONNECTION_FIELDS : [];
  const set = capacity.filter((f) => b[f] !== undefined && b[f] !== null);
  if (capacity.length && set.length !== 1)
    out.push(
      `Invalid value for field '${at}': balancingMode ${String(mode)} needs exactly one of ${capacity.join(', ')}, got ${set.length ? set.join(', ') : 'none'}.`,
    );
  return out;
}

/** Problems with a health check body: type and its one matching sub-object. */
export function healthCheckProblems(body: Obj): string[] {
  const out = [...nameProblems(body.name, 'health check'), ...unknownFields(body, HC_FIELDS, 'resource')];
  const type = body.type;
  if (typeof type !== 'string' || !(type in HC_TYPES))
    return [
      ...out,
      `Invalid value for field 'resource.type': '${String(type)}'. Expected one of ${Object.keys(HC_TYPES).join(', ')}.`,
    ];
  const wanted = HC_TYPES[type];
  for (const sub of Object.values(HC_TYPES)) {
    if (sub !== wanted && body[sub] !== undefined)
      out.push(
        `Invalid value for field 'resource.${sub}': a health check of type ${type} takes only '${wanted}'.`,
      );
  }
  const spec = (body[wanted] ?? {}) as Obj;
  if (typeof spec !== 'object' || Array.isArray(spec))
    return [...out, `Invalid value for field 'resource.${wanted}': must be an object.`];
  out.push(...enumProblem(`resource.${wanted}.portSpecification`, spec.portSpecification, PORT_SPECS));
  if (
    spec.port !== undefined &&
    !(Number.isInteger(spec.port) && (spec.port as number) >= 1 && (spec.port as number) <= 65535)
  )
    out.push(
      `Invalid value for field 'resource.${wanted}.port': '${String(spec.port)}'. Must be from 1 to 65535.`,
    );
  if (
    spec.portSpecification === 'USE_SERVING_PORT' &&
    (spec.port !== undefined || spec.portName !== undefined)
  )
    out.push(
      `Invalid value for field 'resource.${wanted}': port and portName must not be set with USE_SERVING_PORT.`,
    );
  return out;
}
