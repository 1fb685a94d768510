// Plain Kubernetes object shapes for the Gateway API mesh routes and core Services that gamma-csm
// reads. They mirror the v1 CRDs (gateway-api v1.6.1, standard + the experimental fields we handle);
// optional fields stay optional because raw YAML lacks the API server's defaults until
// shared/gamma applies them.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

// ---- core/v1 Service (only what the translator needs) ----
export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
  targetPort?: number | string;
}

export interface Service extends KubeObject {
  kind: 'Service';
  spec: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: ServicePort[];
    externalName?: string;
    selector?: Record<string, string>;
  };
}

// ---- Gateway API common ----
export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface BackendObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HeaderModifier {
  set?: HTTPHeader[];
  add?: HTTPHeader[];
  remove?: string[];
}

export interface HTTPPathModifier {
  type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export interface RequestMirrorFilter {
  backendRef: BackendObjectReference;
  percent?: number;
  fraction?: { numerator: number; denominator?: number };
}

export interface LocalObjectReference {
  group: string;
  kind: string;
  name: string;
}

export interface HTTPRouteFilter {
  type: string; // RequestHeaderModifier | ResponseHeaderModifier | RequestRedirect | URLRewrite | RequestMirror | CORS | ExternalAuth | ExtensionRef
  requestHeaderModifier?: HeaderModifier;
  responseHeaderModifier?: HeaderModifier;
  requestRedirect?: {
    scheme?: 'http' | 'https';
    hostname?: string;
    path?: HTTPPathModifier;
    port?: number;
    statusCode?: number;
  };
  urlRewrite?: { hostname?: string; path?: HTTPPathModifier };
  requestMirror?: RequestMirrorFilter;
  cors?: {
    allowOrigins?: string[];
    allowCredentials?: boolean;
    allowMethods?: string[];
    allowHeaders?: string[];
    exposeHeaders?: string[];
    maxAge?: number;
  };
  extensionRef?: LocalObjectReference;
  externalAuth?: unknown;
  [key: string]: unknown;
}

export type GRPCRouteFilter = HTTPRouteFilter;

export interface HTTPBackendRef extends BackendObjectReference {
  weight?: number;
  filters?: HTTPRouteFilter[];
}

export type GRPCBackendRef = HTTPBackendRef;

export interface HTTPPathMatch {
  type?: 'Exact' | 'PathPrefix' | 'RegularExpression' | string;
  value?: string;
}

export interface HeaderMatch {
  type?: 'Exact' | 'RegularExpression' | string;
  name: string;
  value: string;
}

export type QueryParamMatch = HeaderMatch;

export interface HTTPRouteMatch {
  path?: HTTPPathMatch;
  headers?: HeaderMatch[];
  queryParams?: QueryParamMatch[];
  method?: string;
}

export interface SessionPersistence {
  sessionName?: string;
  absoluteTimeout?: string;
  idleTimeout?: string;
  type?: 'Cookie' | 'Header' | string;
  cookieConfig?: { lifetimeType?: 'Session' | 'Permanent' | string };
}

export interface HTTPRouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
  retry?: { codes?: number[]; attempts?: number; backoff?: string };
  sessionPersistence?: SessionPersistence;
}

export interface GRPCMethodMatch {
  type?: 'Exact' | 'RegularExpression' | string;
  service?: string;
  method?: string;
}

export interface GRPCRouteMatch {
  method?: GRPCMethodMatch;
  headers?: HeaderMatch[];
}

export interface GRPCRouteRule {
  name?: string;
  matches?: GRPCRouteMatch[];
  filters?: GRPCRouteFilter[];
  backendRefs?: GRPCBackendRef[];
  sessionPersistence?: SessionPersistence;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

export interface RouteStatus {
  parents?: RouteParentStatus[];
}

export interface HTTPRoute extends KubeObject {
  kind: 'HTTPRoute';
  spec: {
    parentRefs?: ParentReference[];
    hostnames?: string[];
    rules?: HTTPRouteRule[];
  };
  status?: RouteStatus;
}

export interface GRPCRoute extends KubeObject {
  kind: 'GRPCRoute';
  spec: {
    parentRefs?: ParentReference[];
    hostnames?: string[];
    rules?: GRPCRouteRule[];
  };
  status?: RouteStatus;
}

// ---- TCPRoute (v1alpha2, experimental) and TLSRoute (v1alpha2/v1alpha3/v1): docs/support-matrix.md ----
export interface BackendRef extends BackendObjectReference {
  weight?: number;
}

export interface TCPRouteRule {
  name?: string;
  backendRefs?: BackendRef[];
}

export interface TCPRoute extends KubeObject {
  kind: 'TCPRoute';
  spec: {
    parentRefs?: ParentReference[];
    rules?: TCPRouteRule[];
  };
  status?: RouteStatus;
}

export interface TLSRouteRule {
  name?: string;
  backendRefs?: BackendRef[];
}

export interface TLSRoute extends KubeObject {
  kind: 'TLSRoute';
  spec: {
    parentRefs?: ParentReference[];
    hostnames?: string[];
    rules?: TLSRouteRule[];
  };
  status?: RouteStatus;
}

export type Route = HTTPRoute | GRPCRoute | TCPRoute | TLSRoute;

/**
 * A UDPRoute (v1alpha2, experimental) as gamma-csm reads it: not a Route, since nothing is translated
 * from it; only its parentRefs matter, to reject it in status (translate/udp.ts). Its rules are
 * never followed, so they are left untyped.
 */
export interface UDPRoute extends KubeObject {
  kind: 'UDPRoute';
  spec?: {
    parentRefs?: ParentReference[];
    rules?: unknown[];
  };
  status?: RouteStatus;
}

/** The kinds of mesh route gamma-csm translates. */
export type RouteKind = Route['kind'];

/**
 * The route kinds gamma-csm writes status on: those it translates, and UDPRoute, which it reads only
 * to reject it visibly (Network Services has no UDP route; docs/support-matrix.md "UDPRoute").
 */
export type StatusRouteKind = RouteKind | 'UDPRoute';

export interface Namespace extends KubeObject {
  kind: 'Namespace';
}

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

// ---- gateway.networking.k8s.io ReferenceGrant (v1beta1; docs/security.md §2) ----
export interface ReferenceGrantFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface ReferenceGrantTo {
  group: string;
  kind: string;
  name?: string;
}

/** Lets objects of `from` (kind, namespace) reference objects of `to` in the grant's own namespace. */
export interface ReferenceGrant extends KubeObject {
  kind: 'ReferenceGrant';
  spec: { from: ReferenceGrantFrom[]; to: ReferenceGrantTo[] };
}
