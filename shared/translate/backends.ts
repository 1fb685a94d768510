// backendRefs -> Network Services destinations (docs/architecture.md §4.1, §4.4).
// - Only core Services are backends (group "" or omitted, kind Service or omitted); anything else is
//   InvalidKind. A missing Service, a port the Service lacks, or an ExternalName Service is
//   BackendNotFound. Cross-namespace backendRefs are allowed WITHOUT a ReferenceGrant by default, as
//   GEP-1294 permits for meshes; with crossNamespaceBackends 'referencegrant' they need one in the
//   target namespace, else RefNotPermitted (grants.ts, docs/security.md §2).
// - Weight 0 entries are dropped. Unresolved refs keep their share: that fraction of requests is
//   answered with an error (500 for HTTP, 503 = gRPC UNAVAILABLE for gRPC) through
//   faultInjectionPolicy.abort. abort.percentage is an integer 0-100, so the share is rounded to the
//   nearest percent and clamped to 1..99 while both valid and invalid weight exist (an approximation
//   of at most 1 percentage point). With no usable backend the rule answers the error for every request.
import type { BackendObjectReference, HTTPBackendRef, RouteKind, Service } from '../gamma/types.ts';
import type { BackendMapping, TranslateOptions } from './types.ts';
import type { Problem } from './model.ts';
import { backendServiceName, hasBackendServiceOverride, tcpBackendServiceName } from './names.ts';
import { negsRequested, portNegs } from '../compute/neg.ts';
import { portBackend } from '../compute/protocol.ts';
import { asNumber, elsewhereHint, isObj } from './util.ts';
import type { GrantCheck } from './grants.ts';
import { refNotPermitted } from './grants.ts';

export interface ServiceIndex {
  find(namespace: string, name: string): Service | undefined;
  /** Namespaces holding a Service of this name (for "wrong namespace?" hints). */
  namespacesNamed?(name: string): readonly string[];
}

/** Services by namespace, then name: two lookups, no key string built per query. */
export function serviceIndex(
  services: readonly Service[],
  namespacesNamed?: (name: string) => string[],
): ServiceIndex {
  const byNamespace = new Map<string, Map<string, Service>>();
  for (const s of services) {
    const ns = s.metadata.namespace ?? 'default';
    let byName = byNamespace.get(ns);
    if (!byName) byNamespace.set(ns, (byName = new Map()));
    byName.set(s.metadata.name, s);
  }
  const find = (ns: string, name: string) => byNamespace.get(ns)?.get(name);
  return namespacesNamed ? { find, namespacesNamed } : { find };
}

export type ResolvedBackend =
  | {
      ok: true;
      serviceName: string;
      mapping: BackendMapping;
      /** "namespace/service:port", as status messages name the backend. */
      label: string;
    }
  | { ok: false; problem: Problem };

/** resolveBackendRef bound to one translate call's Services and options, answering repeats from memory. */
export type BackendResolver = (
  ref: BackendObjectReference,
  routeNamespace: string,
  routeKind: RouteKind,
) => ResolvedBackend;

/**
 * One resolver per translate call: many refs (and the status pass after compiling) name the same
 * Service port, so each distinct (namespace, name, port) of a plain core-Service ref is resolved once,
 * and a ref object seen before (the status pass walks the refs the compile step resolved) is answered
 * by identity without reading its fields again. Nested maps (not a joined string key): names may hold
 * any character in hostile input.
 */
export function backendResolver(
  services: ServiceIndex,
  options: TranslateOptions,
  grants?: GrantCheck,
  transport?: 'TCP',
): BackendResolver {
  const byNamespace = new Map<string, Map<string, PortMemo>>();
  const resolveByKey = (ref: BackendObjectReference, routeNamespace: string): ResolvedBackend => {
    const port = memoPort(ref);
    if (port === null) return resolveBackendRef(ref, routeNamespace, services, options, transport);
    const namespace =
      typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : routeNamespace;
    let byName = byNamespace.get(namespace);
    if (!byName) byNamespace.set(namespace, (byName = new Map()));
    const first = byName.get(ref.name);
    let length = 0;
    for (let memo = first; memo !== undefined; memo = memo.next, length++)
      if (memo.port === port) return memo.resolved;
    const resolved = resolveBackendRef(ref, routeNamespace, services, options, transport);
    if (length < MAX_MEMO_PORTS) byName.set(ref.name, { port, resolved, next: first });
    return resolved;
  };
  return (ref, routeNamespace, routeKind) => {
    if (!isObj(ref)) return resolveBackendRef(ref, routeNamespace, services, options, transport);
    // The grant depends on the route (kind, namespace), the memo only on the target: checked first.
    if (grants !== undefined && typeof ref.name === 'string' && isCoreService(ref)) {
      const namespace =
        typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : routeNamespace;
      if (namespace !== routeNamespace && !grants(routeKind, routeNamespace, namespace, ref.name))
        return { ok: false, problem: refNotPermitted(routeKind, routeNamespace, namespace, ref.name) };
    }
    return resolveByKey(ref, routeNamespace);
  };
}

/**
 * The remembered ports of one Service name, newest first: a short list, not a Map per Service (most
 * are referenced on one or two ports). Past MAX_MEMO_PORTS ports (hostile input), refs to further
 * ports are resolved without memory, which is correct, only slower.
 */
interface PortMemo {
  port: number | undefined;
  resolved: ResolvedBackend;
  next: PortMemo | undefined;
}

const MAX_MEMO_PORTS = 8;

/**
 * The port part of the memo key, or null for refs resolved without memory: anything but a plain
 * core-Service ref with a string name and an integer (or absent) port, whose outcome depends only on
 * (namespace, name, port).
 */
/** A ref to a core Service, as resolveBackendRef reads group and kind (anything else is InvalidKind). */
function isCoreService(ref: BackendObjectReference): boolean {
  return (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service';
}

function memoPort(ref: BackendObjectReference): number | undefined | null {
  if (typeof ref.name !== 'string') return null;
  if ((ref.group !== undefined && ref.group !== '') || (ref.kind !== undefined && ref.kind !== 'Service'))
    return null;
  if (ref.namespace !== undefined && typeof ref.namespace !== 'string') return null;
  const port: unknown = ref.port;
  if (port === undefined) return undefined;
  return typeof port === 'number' && Number.isInteger(port) && !Object.is(port, -0) ? port : null;
}

/**
 * `transport` 'TCP' resolves a TCPRoute's or TLSRoute's destination: the port's TCP backend service
 * (names.ts tcpBackendServiceName), whatever protocol the port's HTTP backend service would speak.
 */
export function resolveBackendRef(
  ref: BackendObjectReference,
  routeNamespace: string,
  services: ServiceIndex,
  options: TranslateOptions,
  transport?: 'TCP',
): ResolvedBackend {
  if (!isObj(ref) || typeof ref.name !== 'string') {
    return { ok: false, problem: { reason: 'BackendNotFound', message: 'backendRef without a name' } };
  }
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  const namespace =
    typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : routeNamespace;
  const label = `${namespace}/${ref.name}`;
  if (group !== '' || kind !== 'Service') {
    return {
      ok: false,
      problem: {
        reason: 'InvalidKind',
        message: `backendRef ${label}: kind ${JSON.stringify(kind)} in group ${JSON.stringify(group)} is not supported (only core Services)`,
      },
    };
  }
  const service = services.find(namespace, ref.name);
  if (!service)
    return {
      ok: false,
      problem: {
        reason: 'BackendNotFound',
        message: `backendRef Service ${label} not found${elsewhereHint(services, namespace, ref.name, 'set the backendRef namespace')}`,
      },
    };
  if (service.spec?.type === 'ExternalName') {
    return {
      ok: false,
      problem: {
        reason: 'BackendNotFound',
        message: `backendRef Service ${label} is an ExternalName Service, which is not supported`,
      },
    };
  }
  const port = asNumber(ref.port);
  if (port === undefined)
    return {
      ok: false,
      problem: { reason: 'BackendNotFound', message: `backendRef Service ${label} needs a port` },
    };
  const ports = Array.isArray(service.spec?.ports) ? service.spec.ports : [];
  if (!ports.some((p) => isObj(p) && p.port === port)) {
    return {
      ok: false,
      problem: { reason: 'BackendNotFound', message: `backendRef Service ${label} has no port ${port}` },
    };
  }
  const named =
    transport === 'TCP'
      ? tcpBackendServiceName(options, service, port)
      : backendServiceName(options, service, port);
  if ('error' in named)
    return {
      ok: false,
      problem: {
        reason: named.reason ?? 'BackendNotFound',
        message: `backendRef Service ${label}: ${named.error}`,
      },
    };
  const endpoints = endpointProblem(service, port, named.name, options, transport);
  if (endpoints) return { ok: false, problem: endpoints };
  const mapping: BackendMapping =
    transport === 'TCP'
      ? { serviceName: named.name, namespace, service: ref.name, port, transport }
      : { serviceName: named.name, namespace, service: ref.name, port };
  return { ok: true, serviceName: named.name, mapping, label: `${label}:${port}` };
}

/**
 * Why the backend service of a Service port cannot carry traffic, or undefined: its protocol is not
 * one the mesh serves, the port has no NEGs (when required), or the Compute stage found the backend
 * service unusable. A port with its own backend service (override annotation) is the user's to
 * provision; only its existence is checked, by the Compute stage.
 */
function endpointProblem(
  service: Service,
  port: number,
  backendService: string,
  options: TranslateOptions,
  transport?: 'TCP',
): Problem | undefined {
  const unavailable = options.unavailableBackendServices?.[backendService];
  if (unavailable !== undefined) return { reason: 'BackendNotFound', message: unavailable };
  if (hasBackendServiceOverride(service, port)) return undefined;
  // A TCP backend service carries bytes: the port's HTTP protocol settings do not apply to it, but a
  // malformed health-check annotation does (compute/protocol.ts portBackend).
  const backend = portBackend(service, port, transport);
  if (!backend.ok) return backend.problem;
  if (options.negCheck === undefined) return undefined;
  const negs = portNegs(service, port);
  if (negs.ok || (options.negCheck === 'requested' && negsRequested(service, port))) return undefined;
  return negs.problem;
}

export interface WeightedBackend<T> {
  ref: HTTPBackendRef;
  weight: number;
  resolved: ResolvedBackend;
  extra: T;
}

export interface Split<T> {
  valid: (WeightedBackend<T> & { resolved: { ok: true } & ResolvedBackend })[];
  /** Percentage (0-100) of requests to answer with an error. */
  errorPercent: number;
  problems: Problem[];
}

export function backendWeight(ref: HTTPBackendRef): number {
  const weight = asNumber(ref.weight);
  return weight === undefined ? 1 : Math.max(0, Math.floor(weight));
}

export function splitBackends<T>(entries: WeightedBackend<T>[]): Split<T> {
  const valid: Split<T>['valid'] = [];
  const problems: Problem[] = [];
  let validWeight = 0;
  let invalidWeight = 0;
  for (const e of entries) {
    if (!e.resolved.ok) problems.push(e.resolved.problem);
    if (!(e.weight > 0)) continue;
    if (e.resolved.ok) {
      valid.push(e as Split<T>['valid'][number]);
      validWeight += e.weight;
    } else invalidWeight += e.weight;
  }
  return { valid, errorPercent: errorPercent(validWeight, invalidWeight), problems };
}

export function errorPercent(validWeight: number, invalidWeight: number): number {
  if (invalidWeight === 0) return 0;
  if (validWeight === 0) return 100;
  const exact = (100 * invalidWeight) / (validWeight + invalidWeight);
  return Math.min(99, Math.max(1, Math.round(exact)));
}
