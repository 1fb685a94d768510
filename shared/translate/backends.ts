// backendRefs -> Network Services destinations (gamma-spec §1.8, §2.8, §2.9; DESIGN §4.3).
// - Only core Services are backends (group "" or omitted, kind Service or omitted); anything else is
//   InvalidKind. A missing Service, a port the Service lacks, or an ExternalName Service is
//   BackendNotFound. Cross-namespace backendRefs are allowed WITHOUT a ReferenceGrant, as GEP-1294
//   permits for meshes: a mesh route cannot reach anything its clients could not already call
//   directly (the backend Service is reachable in the mesh either way), so no access is widened.
// - Weight 0 entries are dropped. Unresolved refs keep their share: that fraction of requests is
//   answered with an error (500 for HTTP, 503 = gRPC UNAVAILABLE for gRPC) through
//   faultInjectionPolicy.abort. abort.percentage is an integer 0-100, so the share is rounded to the
//   nearest percent and clamped to 1..99 while both valid and invalid weight exist (an approximation
//   of at most 1 percentage point). With no usable backend the rule answers the error for every request.
import type { BackendObjectReference, HTTPBackendRef, Service } from '../gamma/types.ts';
import type { BackendMapping, TranslateOptions } from './types.ts';
import type { Problem } from './model.ts';
import { backendServiceName } from './names.ts';
import { asNumber, isObj } from './util.ts';

export interface ServiceIndex {
  find(namespace: string, name: string): Service | undefined;
}

export type ResolvedBackend =
  { ok: true; serviceName: string; mapping: BackendMapping } | { ok: false; problem: Problem };

// translate resolves every backendRef twice (compiling rules, then ResolvedRefs status); the
// second time is answered from here. Keyed per index (one per translate call, immutable inputs).
const resolvedByIndex = new WeakMap<
  ServiceIndex,
  WeakMap<TranslateOptions, WeakMap<object, Map<string, ResolvedBackend>>>
>();

export function resolveBackendRef(
  ref: BackendObjectReference,
  routeNamespace: string,
  services: ServiceIndex,
  options: TranslateOptions,
): ResolvedBackend {
  if (!isObj(ref) || !isObj(services) || !isObj(options))
    return resolveUncached(ref, routeNamespace, services, options);
  const byRef = resolvedFor(services, options);
  let byNamespace = byRef.get(ref);
  if (!byNamespace) byRef.set(ref, (byNamespace = new Map()));
  let resolved = byNamespace.get(routeNamespace);
  if (!resolved)
    byNamespace.set(routeNamespace, (resolved = resolveUncached(ref, routeNamespace, services, options)));
  return resolved;
}

// The last (index, options) pair asked for: one translate call asks with the same pair every time.
// Held weakly, so the last snapshot's Services are not kept alive after its translate returns.
let lastResolved:
  | {
      index: WeakRef<ServiceIndex>;
      options: WeakRef<TranslateOptions>;
      byRef: WeakMap<object, Map<string, ResolvedBackend>>;
    }
  | undefined;

function resolvedFor(
  index: ServiceIndex,
  options: TranslateOptions,
): WeakMap<object, Map<string, ResolvedBackend>> {
  if (lastResolved && lastResolved.index.deref() === index && lastResolved.options.deref() === options)
    return lastResolved.byRef;
  let byOptions = resolvedByIndex.get(index);
  if (!byOptions) resolvedByIndex.set(index, (byOptions = new WeakMap()));
  let byRef = byOptions.get(options);
  if (!byRef) byOptions.set(options, (byRef = new WeakMap()));
  lastResolved = { index: new WeakRef(index), options: new WeakRef(options), byRef };
  return byRef;
}

function resolveUncached(
  ref: BackendObjectReference,
  routeNamespace: string,
  services: ServiceIndex,
  options: TranslateOptions,
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
      problem: { reason: 'BackendNotFound', message: `backendRef Service ${label} not found` },
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
  const named = cachedBackendServiceName(services, options, service, port);
  if ('error' in named)
    return {
      ok: false,
      problem: { reason: 'BackendNotFound', message: `backendRef Service ${label}: ${named.error}` },
    };
  return {
    ok: true,
    serviceName: named.name,
    mapping: { serviceName: named.name, namespace, service: ref.name, port },
  };
}

type NamedBackend = ReturnType<typeof backendServiceName>;
// One translate resolves every backendRef twice (rules, then status) and many refs share a Service
// port; names are cached per index (one per translate call, over immutable inputs) and options.
const namesByIndex = new WeakMap<
  ServiceIndex,
  WeakMap<TranslateOptions, Map<Service, Map<number, NamedBackend>>>
>();

function cachedBackendServiceName(
  index: ServiceIndex,
  options: TranslateOptions,
  service: Service,
  port: number,
): NamedBackend {
  let byOptions = namesByIndex.get(index);
  if (!byOptions) namesByIndex.set(index, (byOptions = new WeakMap()));
  let byService = byOptions.get(options);
  if (!byService) byOptions.set(options, (byService = new Map()));
  let byPort = byService.get(service);
  if (!byPort) byService.set(service, (byPort = new Map()));
  let named = byPort.get(port);
  if (!named) byPort.set(port, (named = backendServiceName(options, service, port)));
  return named;
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
  const live = entries.filter((e) => e.weight > 0);
  const valid = live.filter((e): e is Split<T>['valid'][number] => e.resolved.ok);
  const problems = entries.flatMap((e) => (e.resolved.ok ? [] : [e.resolved.problem]));
  const validWeight = valid.reduce((sum, e) => sum + e.weight, 0);
  const invalidWeight = live.reduce((sum, e) => sum + (e.resolved.ok ? 0 : e.weight), 0);
  return { valid, errorPercent: errorPercent(validWeight, invalidWeight), problems };
}

export function errorPercent(validWeight: number, invalidWeight: number): number {
  if (invalidWeight === 0) return 0;
  if (validWeight === 0) return 100;
  const exact = (100 * invalidWeight) / (validWeight + invalidWeight);
  return Math.min(99, Math.max(1, Math.round(exact)));
}
