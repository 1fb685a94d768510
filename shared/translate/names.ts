// Resource ids, labels, descriptions and backend service names (docs/architecture.md §5.1, §4.4).
//
// Route ids: `gamma-<cluster>-<namespace>-<service>-<port>-<hash8>`, where hash8 is the first 8 hex
// digits of sha256 over the full key (route kind, cluster, namespace, service, port). The readable
// part is sanitized and truncated so the id fits 63 characters; the hash is ALWAYS present, so ids
// never collide even when the readable part is ambiguous (namespace `a-b` + Service `c` versus
// namespace `a` + Service `b-c`) or truncated, nor across clusters or route kinds.
//
// Backend services: each Kubernetes Service port is served by one Compute backend service
// (INTERNAL_SELF_MANAGED) named `projects/<project>/locations/<location>/backendServices/<id>` where
// <id> comes from options.backendServiceTemplate (placeholders {cluster} {namespace} {service}
// {port}; default `gamma-{cluster}-{namespace}-{service}-{port}`). The default always gets the same
// 8-hex hash as route ids, since dashes make the readable part ambiguous (namespace `a-b` + Service
// `c` versus namespace `a` + Service `b-c`): two Services must never share a backend service. A custom
// template is used as written when it is a valid id (its author chose the names, and answers for
// their uniqueness); otherwise it is sanitized and hashed too. `gamma-csm translate -o text` and the
// `backends` list show every name.
// Override per Service port with an annotation on the backend Service:
//   gamma-csm.dev/backend-service.<port>: <id>                       e.g. "my-bs"
//   gamma-csm.dev/backend-service.<port>: projects/P/locations/L/backendServices/ID   (full name)
// A malformed annotation makes the backendRef unresolved (ResolvedRefs=False, its share gets 500).
import type { Service } from '../gamma/types.ts';
import type { TranslateOptions } from './types.ts';
import { LABEL_CLUSTER, LABEL_MANAGED_BY, LABEL_MANAGED_BY_VALUE, LABEL_PARENT } from './types.ts';
import { joined, shortHash } from './util.ts';

export const ID_PATTERN = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const BACKEND_SERVICE_ANNOTATION_PREFIX = 'gamma-csm.dev/backend-service.';
export const DEFAULT_BACKEND_SERVICE_TEMPLATE = 'gamma-{cluster}-{namespace}-{service}-{port}';
const MAX_ID = 63;
const MAX_LABEL_VALUE = 63;
const MAX_DESCRIPTION = 1024;

/** The route family part of a Network Services route id: HttpRoute, GrpcRoute, TcpRoute or TlsRoute. */
export type RouteIdKind = 'http' | 'grpc' | 'tcp' | 'tls';

/** Lowercases and replaces anything outside [a-z0-9-] by '-', collapsing runs and trimming dashes. */
export function sanitizeIdPart(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** `prefix-readable-hash`, truncating readable so the whole id fits 63 characters. */
export function idWithHash(readable: string, key: string): string {
  const hash = shortHash(key);
  const room = MAX_ID - hash.length - 1;
  let body = sanitizeIdPart(readable).slice(0, room).replace(/-+$/, '');
  if (!/^[a-z]/.test(body)) body = `g${body ? '-' : ''}${body}`.slice(0, room).replace(/-+$/, '');
  return `${body}-${hash}`;
}

export function routeId(
  kind: RouteIdKind,
  cluster: string,
  namespace: string,
  service: string,
  port: number,
): string {
  const memo = portIds(`route\u0000${kind}\u0000${cluster}`, namespace, service);
  let id = memo.get(port);
  if (id === undefined) {
    const key = ['route', kind, cluster, namespace, service, String(port)].join('\u0000');
    id = remember(memo, port, idWithHash(`gamma-${cluster}-${namespace}-${service}-${port}`, key));
  }
  return id;
}

// Every translate names the same Service ports again, and an id is a pure function of its parts: the
// ids of one Service's ports within one scope (route kind and cluster, or backend template and
// cluster) are remembered, found by the parts themselves (no key string is joined and hashed per
// lookup; nested maps, as any part may hold any character). Bounded.
const MAX_CACHED_IDS = 50_000;
const portIdMemos = new Map<string, Map<string, Map<string, Map<number, string>>>>();
let memoizedPortIds = 0;

function remember(memo: Map<number, string>, port: number, id: string): string {
  if (memoizedPortIds >= MAX_CACHED_IDS) {
    portIdMemos.clear(); // `memo` is then detached: filled once more, and dropped
    memoizedPortIds = 0;
  }
  memo.set(port, id);
  memoizedPortIds++;
  return id;
}

function portIds(scope: string, namespace: string, service: string): Map<number, string> {
  let byNamespace = portIdMemos.get(scope);
  if (!byNamespace) portIdMemos.set(scope, (byNamespace = new Map()));
  let byService = byNamespace.get(namespace);
  if (!byService) byNamespace.set(namespace, (byService = new Map()));
  let byPort = byService.get(service);
  if (!byPort) byService.set(service, (byPort = new Map()));
  return byPort;
}

export function locationPath(options: TranslateOptions): string {
  return `projects/${options.project}/locations/${options.location}`;
}

export function meshName(options: TranslateOptions): string {
  return `${locationPath(options)}/meshes/${options.mesh}`;
}

export function httpRouteName(options: TranslateOptions, id: string): string {
  return joined(locationPath(options), '/httpRoutes/', id);
}

export function grpcRouteName(options: TranslateOptions, id: string): string {
  return joined(locationPath(options), '/grpcRoutes/', id);
}

export function tcpRouteName(options: TranslateOptions, id: string): string {
  return joined(locationPath(options), '/tcpRoutes/', id);
}

export function tlsRouteName(options: TranslateOptions, id: string): string {
  return joined(locationPath(options), '/tlsRoutes/', id);
}

/**
 * A valid GCP label value (lowercase letters, digits, `_`, `-`; at most 63). Text already valid is
 * kept verbatim; otherwise it is sanitized and suffixed with a hash of the original so distinct inputs
 * stay distinct.
 */
export function labelValue(text: string): string {
  if (/^[a-z0-9_-]{0,63}$/.test(text)) return text;
  const hash = shortHash(`label\u0000${text}`);
  const body = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .slice(0, MAX_LABEL_VALUE - hash.length - 1);
  return `${body}-${hash}`;
}

/** Parent key: `<namespace>_<service>` (`_` cannot occur in either, so it is unambiguous). */
export function parentLabelValue(namespace: string, service: string): string {
  return labelValue(`${namespace}_${service}`);
}

export function baseLabels(options: TranslateOptions): Record<string, string> {
  return { [LABEL_MANAGED_BY]: LABEL_MANAGED_BY_VALUE, [LABEL_CLUSTER]: labelValue(options.clusterId) };
}

export function routeLabels(
  options: TranslateOptions,
  namespace: string,
  service: string,
): Record<string, string> {
  return routeLabelsFrom(baseLabels(options), namespace, service);
}

/** routeLabels with baseLabels(options) computed once by the caller. */
export function routeLabelsFrom(
  base: Record<string, string>,
  namespace: string,
  service: string,
): Record<string, string> {
  const labels = Object.assign({}, base);
  labels[LABEL_PARENT] = parentLabelValue(namespace, service);
  return labels;
}

/** "HTTPRoute ns/a, ns/b -> Service ns/svc:80", cut to the API's 1024-character limit. */
export function routeDescription(
  kind: string,
  sources: string[],
  namespace: string,
  service: string,
  port: number,
): string {
  const target = joined(' -> Service ', namespace, '/', service, ':', port);
  let listed = sources.join(', ');
  const fixed = kind.length + 1 + target.length;
  for (let n = sources.length - 1; fixed + listed.length > MAX_DESCRIPTION && n > 0; n--) {
    listed = `${sources.slice(0, n).join(', ')} (+${sources.length - n} more)`;
  }
  return joined(kind, ' ', listed, target).slice(0, MAX_DESCRIPTION);
}

/**
 * The template with its placeholders replaced one after another (a value may itself contain a later
 * placeholder, which is then replaced too). The default template is written out directly when no
 * value holds a brace, which gives the same text.
 */
function fillTemplate(
  template: string,
  cluster: string,
  namespace: string,
  service: string,
  port: number,
): string {
  if (
    template === DEFAULT_BACKEND_SERVICE_TEMPLATE &&
    plainValue(cluster) &&
    plainValue(namespace) &&
    plainValue(service)
  )
    return `gamma-${cluster}-${namespace}-${service}-${port}`;
  return template
    .replaceAll('{cluster}', cluster)
    .replaceAll('{namespace}', namespace)
    .replaceAll('{service}', service)
    .replaceAll('{port}', String(port));
}

/** A string without braces (hostile input may pass anything here: replaceAll then decides). */
function plainValue(value: unknown): boolean {
  return typeof value === 'string' && !value.includes('{');
}

const FULL_BACKEND_SERVICE =
  /^projects\/[^/]+\/(locations\/[^/]+|global|regions\/[^/]+)\/backendServices\/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The backend service for a Service port, or an error message for a malformed override annotation. */
export function backendServiceName(
  options: TranslateOptions,
  service: Service,
  port: number,
): { name: string } | { error: string; reason?: 'RefNotPermitted' } {
  const namespace = service.metadata.namespace ?? 'default';
  const annotation = service.metadata.annotations?.[`${BACKEND_SERVICE_ANNOTATION_PREFIX}${port}`];
  if (typeof annotation === 'string') {
    const name = FULL_BACKEND_SERVICE.test(annotation)
      ? annotation
      : ID_PATTERN.test(annotation)
        ? `${locationPath(options)}/backendServices/${annotation}`
        : undefined;
    if (name !== undefined) {
      if (overrideAllowed(options, name)) return { name };
      return {
        reason: 'RefNotPermitted',
        error: `annotation ${BACKEND_SERVICE_ANNOTATION_PREFIX}${port} on Service ${namespace}/${service.metadata.name} names backend service ${name}, which ${OVERRIDES_VARIABLE} does not allow (${overridesText(options)}); ask the operator to add it`,
      };
    }
    return {
      error: `annotation ${BACKEND_SERVICE_ANNOTATION_PREFIX}${port} on Service ${namespace}/${service.metadata.name} is neither a backend service id nor projects/P/locations/L/backendServices/ID: ${JSON.stringify(annotation).slice(0, 100)}`,
    };
  }
  const template = options.backendServiceTemplate ?? DEFAULT_BACKEND_SERVICE_TEMPLATE;
  const memo = portIds(
    `backend\u0000${options.clusterId}\u0000${template}`,
    namespace,
    service.metadata.name,
  );
  let id = memo.get(port);
  if (id === undefined) {
    const filled = fillTemplate(template, options.clusterId, namespace, service.metadata.name, port);
    const custom = options.backendServiceTemplate !== undefined;
    id =
      custom && ID_PATTERN.test(filled)
        ? filled
        : idWithHash(
            filled,
            ['backend', options.clusterId, namespace, service.metadata.name, String(port)].join('\u0000'),
          );
    remember(memo, port, id);
  }
  return { name: joined(locationPath(options), '/backendServices/', id) };
}

/**
 * The backend service of a Service port for TCPRoute and TLSRoute destinations (BackendMapping
 * transport 'TCP'): one of its own, with protocol TCP, so an HTTP route and a TCP route sending to
 * the same port never make two writers disagree on one backend service's protocol. Its id is the HTTP
 * one's with `-tcp` appended (default ids end in their hash, so no default id ends in `-tcp`); past 63
 * characters, `tcp-` and the id are hashed anew. An override annotation names the user's own backend
 * service, used as it is.
 */
export function tcpBackendServiceName(
  options: TranslateOptions,
  service: Service,
  port: number,
): ReturnType<typeof backendServiceName> {
  const named = backendServiceName(options, service, port);
  if (!('name' in named) || hasBackendServiceOverride(service, port)) return named;
  const cut = named.name.lastIndexOf('/') + 1;
  const id = named.name.slice(cut);
  const suffixed = `${id}-tcp`;
  const tcpId =
    suffixed.length <= MAX_ID
      ? suffixed
      : idWithHash(
          `tcp-${id}`,
          [
            'backend-tcp',
            options.clusterId,
            service.metadata.namespace ?? 'default',
            service.metadata.name,
            String(port),
          ].join('\u0000'),
        );
  return { name: joined(named.name.slice(0, cut), tcpId) };
}

export const OVERRIDES_VARIABLE = 'GAMMA_BACKEND_SERVICE_OVERRIDES';

/**
 * Whether the operator's allow-list (options.backendServiceOverrides) lets an annotation name this
 * backend service (full name). An entry without `/` is an id in this project and location; a
 * trailing `*` matches any suffix. No list: nothing is allowed, so a Service owner cannot point
 * traffic at an arbitrary backend service of the project (docs/security.md §2).
 */
export function overrideAllowed(options: TranslateOptions, name: string): boolean {
  for (const entry of options.backendServiceOverrides ?? []) {
    const full = entry.includes('/') ? entry : `${locationPath(options)}/backendServices/${entry}`;
    if (full.endsWith('*') ? name.startsWith(full.slice(0, -1)) : name === full) return true;
  }
  return false;
}

function overridesText(options: TranslateOptions): string {
  const list = options.backendServiceOverrides ?? [];
  return list.length === 0 ? 'it is empty' : `it lists ${list.join(', ')}`.slice(0, 300);
}

/** True when the Service names its own backend service for the port (referenced, never written). */
export function hasBackendServiceOverride(service: Service, port: number): boolean {
  return typeof service.metadata.annotations?.[`${BACKEND_SERVICE_ANNOTATION_PREFIX}${port}`] === 'string';
}

/**
 * A shared health check's id: one per cluster and check configuration (`kind` names it, e.g. `tcp`
 * or `http:/healthz`), hashed like every other id so configurations never collide.
 */
export function healthCheckId(cluster: string, kind: string): string {
  return idWithHash(`gamma-${cluster}-hc-${kind}`, ['health-check', cluster, kind].join('\u0000'));
}
