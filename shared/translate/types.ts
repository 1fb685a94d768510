// The translate contract (docs/architecture.md §3.1, §3.2). Pure data in, pure data out: everything downstream
// (plan, sync, reconcile, CLI, evaluators) depends only on these shapes.
import type { networkservices_v1 } from 'googleapis/build/src/apis/networkservices/v1.js';
import type {
  Condition,
  GRPCRoute,
  HTTPRoute,
  Namespace,
  ParentReference,
  KubeObject,
  ReferenceGrant,
  Service,
  StatusRouteKind,
  TCPRoute,
  TLSRoute,
} from '../gamma/types.ts';

export type NsMesh = networkservices_v1.Schema$Mesh;
export type NsHttpRoute = networkservices_v1.Schema$HttpRoute;
export type NsGrpcRoute = networkservices_v1.Schema$GrpcRoute;
export type NsTcpRoute = networkservices_v1.Schema$TcpRoute;
export type NsTlsRoute = networkservices_v1.Schema$TlsRoute;

/**
 * Input of translate: plain Kubernetes objects, as the API server or shared/gamma's buildSnapshot
 * returns them. translate does not rely on their defaults or validity: each route gets its CRD
 * defaults and is validated again (prepareRoute, which recognizes a complete, valid route in one
 * pass), and Services get theirs in uniqueSorted.
 */
export interface Snapshot {
  services: Service[];
  httpRoutes: HTTPRoute[];
  grpcRoutes: GRPCRoute[];
  /** TCPRoutes and TLSRoutes (experimental channel); absent = none. */
  tcpRoutes?: TCPRoute[];
  tlsRoutes?: TLSRoute[];
  namespaces?: Namespace[];
  /**
   * Cross-parent facts a per-parent snapshot cannot see by itself: namespaces of every Service in the
   * cluster, keyed by short name (docs/architecture.md §4.3). Absent means "derive from `services`".
   */
  serviceNamespacesByName?: Record<string, string[]>;
  /** ReferenceGrants of every namespace a backendRef names; read only in 'referencegrant' mode. */
  referenceGrants?: ReferenceGrant[];
  /** UDPRoutes, read only to reject those with a Service parent in their status (translate/udp.ts). */
  udpRoutes?: KubeObject[];
}

/**
 * Whether a backendRef or RequestMirror target in another namespace needs a ReferenceGrant there
 * (docs/security.md §2): 'allow' (absent; GEP-1294's mesh exception) or 'referencegrant'.
 */
export type CrossNamespaceBackends = 'allow' | 'referencegrant';

export interface TranslateOptions {
  project: string;
  location: string; // "global"
  mesh: string; // Mesh id (not the full name)
  clusterId: string;
  controllerName: string; // e.g. "gamma-csm.dev/controller"
  clusterDomain: string; // "cluster.local"
  /** Template for backend service ids; placeholders {namespace} {service} {port} {cluster}. */
  backendServiceTemplate?: string;
  /**
   * What a backend Service port needs to resolve (docs/backends.md): 'reported', the NEG in the GKE
   * NEG controller's `cloud.google.com/neg-status` (the functions: without it the backend service
   * would have no endpoints); 'requested', at least the `cloud.google.com/neg` annotation asking for
   * it (offline `translate`, where no controller has run); absent, NEGs are not looked at.
   */
  negCheck?: 'reported' | 'requested';
  /**
   * Backend services (full names) that cannot be used, with why: an override that does not exist,
   * a name taken by a backend service gamma-csm does not own, a body Compute refused. Filled by the
   * stage that reads Compute (translate itself does no I/O); refs to them are unresolved.
   */
  unavailableBackendServices?: Readonly<Record<string, string>>;
  /** Size caps on each emitted route (shared/translate/limits.ts; defaults there). */
  limits?: Partial<RouteLimits>;
  /** GAMMA_CROSS_NAMESPACE_BACKENDS; absent = 'allow'. */
  crossNamespaceBackends?: CrossNamespaceBackends;
  /**
   * GAMMA_BACKEND_SERVICE_OVERRIDES: the backend services the `gamma-csm.dev/backend-service.<port>`
   * annotation may name (ids or full names, `*` suffix wildcard). Absent or empty = none.
   */
  backendServiceOverrides?: readonly string[];
}

export interface BackendMapping {
  serviceName: string; // projects/P/locations/global/backendServices/BS
  namespace: string;
  service: string;
  port: number;
  /**
   * 'TCP' when the destination is a TCPRoute's or TLSRoute's: a backend service of its own (protocol
   * TCP, its own name), so one Service port can serve HTTP and TCP routes without two writers
   * disagreeing on one backend service's protocol. Absent for HTTPRoute and GRPCRoute destinations.
   */
  transport?: 'TCP';
}

export interface ParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

export interface RouteStatusEntry {
  kind: StatusRouteKind;
  namespace: string;
  name: string;
  generation?: number;
  parents: ParentStatus[];
  /** Human-readable warnings that are not conditions (e.g. a rule that can never match). */
  warnings?: string[];
}

export interface Desired {
  mesh: NsMesh;
  httpRoutes: NsHttpRoute[];
  grpcRoutes: NsGrpcRoute[];
  tcpRoutes: NsTcpRoute[];
  tlsRoutes: NsTlsRoute[];
  backends: BackendMapping[];
  statuses: RouteStatusEntry[];
}

/** A rejection is a value, collected into status (never a log line). */
export interface Rejection {
  type: string; // condition type, e.g. Accepted, ResolvedRefs
  reason: string; // e.g. UnsupportedValue, BackendNotFound
  message: string;
  rule?: number;
}

export const LABEL_MANAGED_BY = 'managed-by';
export const LABEL_MANAGED_BY_VALUE = 'gamma-csm';
export const LABEL_CLUSTER = 'gamma-csm-cluster';
export const LABEL_PARENT = 'gamma-csm-parent';
export const DEFAULT_CONTROLLER_NAME = 'gamma-csm.dev/controller';

/** Size caps on each emitted route (defaults and checks in shared/translate/limits.ts). */
export interface RouteLimits {
  /** Rules of one Network Services route (all the routes on one Service port together). */
  rulesPerRoute: number;
  /** Matches of one rule; longer runs are split into several rules. */
  matchesPerRule: number;
  /** Destinations of one rule. */
  destinationsPerRule: number;
  /** Header matches of one match. */
  headerMatchesPerMatch: number;
  /** Hostnames of one route. */
  hostnamesPerRoute: number;
  /** The route's JSON body, in bytes (UTF-8). */
  routeBytes: number;
}
