// Which Service ports a parentRef selects (docs/architecture.md §4.1).
// Which parentRefs are ours is decided in shared/gamma/refs.ts (isServiceParentRef): a parentRef with
// the CRD default group (gateway.networking.k8s.io) is NOT a Service parent, so no status entry is
// written for it (it may belong to a Gateway controller).
// Consumer routes (route namespace differs from the Service's) cannot be scoped by client namespace
// inside one Mesh, so they are rejected. Headless and ExternalName Services are not valid parents.
import type { ParentReference, Service, ServicePort } from '../gamma/types.ts';
import { isServiceParentRef, refNamespace } from '../gamma/refs.ts';
import type { Problem } from './model.ts';
import { elsewhereHint, isObj } from './util.ts';

/**
 * The warning for a parentRef that names a Service but is not a Service parent because of its group:
 * usually `group` left out, which the CRD defaults to gateway.networking.k8s.io (a Gateway parent).
 * The spec's meaning is kept (the ref is skipped), but never silently. Undefined for other refs.
 */
export function serviceParentGroupWarning(
  ref: unknown,
  index: number,
  routeNamespace: string,
): string | undefined {
  if (!isObj(ref) || ref.kind !== 'Service' || typeof ref.name !== 'string' || isServiceParentRef(ref))
    return undefined;
  const group = typeof ref.group === 'string' ? ref.group : 'gateway.networking.k8s.io';
  const namespace =
    typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : routeNamespace;
  return `parentRefs[${index}] (kind Service, name ${ref.name}) is skipped: its group is ${JSON.stringify(group)}${group === 'gateway.networking.k8s.io' ? ' (the default when group is left out)' : ''}, so it does not name a core Service; add group: "" to attach the route to Service ${namespace}/${ref.name}`;
}

/**
 * Why a route has no Service parent (so translate writes no status for it), or undefined when it
 * has one: a Service ref with the wrong group (see serviceParentGroupWarning), or Gateway parents only.
 */
export function noServiceParentReason(route: unknown): string | undefined {
  const spec = isObj(route) && isObj(route.spec) ? route.spec : {};
  const meta = isObj(route) && isObj(route.metadata) ? route.metadata : {};
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : 'default';
  const refs: unknown[] = Array.isArray(spec.parentRefs) ? spec.parentRefs : [];
  if (refs.some(isServiceParentRef)) return undefined;
  const skipped = refs.map((ref, i) => serviceParentGroupWarning(ref, i, namespace)).filter(Boolean);
  if (skipped.length) return skipped.join('; ');
  if (refs.length === 0) return 'it has no parentRefs (a mesh route names its Service in parentRefs)';
  return 'its parents are Gateways, not Services (left to their Gateway controller)';
}

export function isTcpPort(port: ServicePort): boolean {
  return port.protocol === undefined || port.protocol === 'TCP';
}

/**
 * Protocols an HTTP or gRPC route cannot carry. A parentRef without port/sectionName covers every
 * Service port, but attaching an HttpRoute to a TLS or raw TCP port would break that traffic, so such
 * ports are skipped (and named in the status); selecting one explicitly by port or sectionName still works.
 */
const NON_HTTP = new Set([
  'https',
  'tls',
  'tcp',
  'udp',
  'mongo',
  'mysql',
  'redis',
  'kubernetes.io/wss',
  'wss',
]);

export function portProtocol(port: ServicePort): string {
  if (typeof port.appProtocol === 'string' && port.appProtocol !== '') return port.appProtocol.toLowerCase();
  return typeof port.name === 'string' ? port.name.toLowerCase().split('-')[0] : '';
}

export type ParentSelection =
  | { ok: true; service: Service; ports: ServicePort[]; skipped: ServicePort[] }
  | { ok: false; problem: Problem };

/**
 * HTTP and gRPC protocols a TCPRoute or TLSRoute cannot carry: the reverse of NON_HTTP, for a
 * parentRef without port or sectionName (docs/support-matrix.md, "Route kinds on one port").
 */
const HTTP_FAMILY = new Set([
  'http',
  'http2',
  'h2c',
  'grpc',
  'grpc-web',
  'kubernetes.io/h2c',
  'kubernetes.io/http',
  'kubernetes.io/ws',
  'ws',
]);

/** Which route family a parentRef attaches: HTTP/gRPC routes, or TCP/TLS (stream) routes. */
export type RouteFamily = 'http' | 'stream';

/** Whether a parentRef without port or sectionName leaves this port to the other family. */
export function implicitlySkipped(port: ServicePort, family: RouteFamily): boolean {
  const protocol = portProtocol(port);
  return family === 'http' ? NON_HTTP.has(protocol) : HTTP_FAMILY.has(protocol);
}

/** How a problem names the Service (built only for a problem: most parents have none). */
function serviceLabel(namespace: string, name: string): string {
  return `Service ${namespace}/${name}`;
}

function noParent(message: string, reason = 'NoMatchingParent'): ParentSelection {
  return { ok: false, problem: { reason, message } };
}

export function selectParent(
  ref: ParentReference,
  routeNamespace: string,
  findService: (namespace: string, name: string) => Service | undefined,
  index: { namespacesNamed?(name: string): readonly string[] } = {},
  family: RouteFamily = 'http',
): ParentSelection {
  const namespace = refNamespace(ref, routeNamespace);
  const label = () => serviceLabel(namespace, ref.name);
  if (namespace !== routeNamespace)
    return noParent(
      `consumer routes are not supported: the route is in namespace ${routeNamespace} but ${label()} is not; Network Services cannot scope a route to the clients of one namespace, so only producer routes (same namespace as the Service) are translated`,
      'UnsupportedValue',
    );
  const service = findService(namespace, ref.name);
  if (!service)
    return noParent(
      `${label()} not found${elsewhereHint(index, namespace, ref.name, `put the route in that namespace (a mesh route must be in its Service's namespace)`)}`,
    );
  const spec = isObj(service.spec) ? service.spec : {};
  if (spec.type === 'ExternalName')
    return noParent(`${label()} is an ExternalName Service, which cannot be a mesh parent`);
  if (spec.clusterIP === 'None')
    return noParent(`${label()} is headless (clusterIP: None), which cannot be a mesh parent`);
  const { ports, skipped } = selectPorts(ref, spec.ports, family);
  if (ports.length === 0 && skipped.length) {
    const list = skipped.map((p) => `${p.port}/${portProtocol(p)}`).join(', ');
    return noParent(
      `${label()} has only ${family === 'http' ? 'non-HTTP' : 'HTTP or gRPC'} ports (${list}); select one explicitly with port or sectionName`,
    );
  }
  if (ports.length === 0) {
    const wanted = [
      ref.sectionName !== undefined ? `named ${ref.sectionName}` : '',
      ref.port !== undefined ? `number ${ref.port}` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    return noParent(`${label()} has no TCP port${wanted ? ` ${wanted}` : 's'}`);
  }
  return { ok: true, service, ports, skipped };
}

/**
 * The TCP ports the ref selects, in Service order; without port and sectionName, the ports of the
 * other route family are skipped.
 */
function selectPorts(
  ref: ParentReference,
  specPorts: unknown,
  family: RouteFamily,
): { ports: ServicePort[]; skipped: ServicePort[] } {
  const implicit = ref.port === undefined && ref.sectionName === undefined;
  const ports: ServicePort[] = [];
  const skipped: ServicePort[] = [];
  const list: ServicePort[] = Array.isArray(specPorts) ? specPorts : [];
  for (let i = 0; i < list.length; i++) {
    const p = list[i];
    if (!isObj(p) || typeof p.port !== 'number' || !isTcpPort(p)) continue;
    if (ref.port !== undefined && p.port !== ref.port) continue;
    if (ref.sectionName !== undefined && p.name !== ref.sectionName) continue;
    if (implicit && implicitlySkipped(p, family)) skipped.push(p);
    else ports.push(p);
  }
  return { ports, skipped };
}
