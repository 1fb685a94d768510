// The translate call's view of each route: one per namespace/name in a deterministic order, with
// its CRD defaults, validated, and the state the later steps fill in (parents, dropped rules,
// warnings, reference problems) in one object.
import type { BackendObjectReference, KubeObject, Route, RouteKind } from '../gamma/types.ts';
import { forEachBackendRef } from '../gamma/refs.ts';
import { applyDefaults, isCertainlyValidAsDefaulted, validateObject } from '../gamma/index.ts';
import type { Problem } from './model.ts';
import type { BackendResolver, ServiceIndex } from './backends.ts';
import type { RouteState } from './state.ts';
import { hasBackendServiceOverride } from './names.ts';
import { portBackend } from '../compute/protocol.ts';
import { BACKEND_PROTOCOL_ANNOTATION_PREFIX } from '../compute/types.ts';
import { timestampMs } from './precedence.ts';
import { asArray, canonicalJson, compareStrings, errorMessage, isObj } from './util.ts';

function safeDefaults<T extends KubeObject>(obj: T): T {
  try {
    return applyDefaults(obj);
  } catch {
    return obj;
  }
}

function validateRoute(route: Route): { path: string; message: string }[] {
  try {
    return validateObject(route);
  } catch (err) {
    return [{ path: '', message: `validation failed: ${errorMessage(err)}` }];
  }
}

/**
 * Sorted by namespace/name (then content), one object per namespace/name: order-independent input.
 * The content of objects sharing a key is compared with CRD defaults applied (as the winner is
 * returned); the others get their defaults here when `withDefaults` (Services), else later from
 * prepareRoute (routes).
 */
export function uniqueSorted<T extends KubeObject>(objects: T[], withDefaults: boolean): T[] {
  // A cluster-wide LIST already returns objects in this order (etcd key order): one linear check.
  if (isSortedUnique(objects)) return withDefaults ? objects.map(safeDefaults) : objects;
  // Content decides only between objects sharing a key, so only those are serialized: the first
  // (in input order) of the smallest canonical body wins, as a stable sort by (key, body) would pick.
  const byKey = new Map<string, T>();
  let shared: Map<string, T[]> | undefined;
  for (const o of objects) {
    if (!isObj(o) || !isObj(o.metadata) || typeof o.metadata.name !== 'string' || o.metadata.name === '')
      continue;
    const key = `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
    const first = byKey.get(key);
    if (first === undefined) {
      byKey.set(key, o);
      continue;
    }
    shared ??= new Map();
    const same = shared.get(key);
    if (same) same.push(o);
    else shared.set(key, [first, o]);
  }
  const keys = [...byKey.keys()].sort(); // by UTF-16 code units, as compareStrings
  return keys.map((key) => {
    const same = shared?.get(key);
    if (same) return smallestBody(same.map(safeDefaults));
    const only = byKey.get(key) as T;
    return withDefaults ? safeDefaults(only) : only;
  });
}

/** Every object is keyed and each key sorts after the previous one (so none repeats). */
function isSortedUnique(objects: KubeObject[]): boolean {
  let prevNamespace = '';
  let prevName = '';
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i];
    if (!isObj(o) || !isObj(o.metadata)) return false;
    const { name, namespace = 'default' } = o.metadata;
    if (typeof name !== 'string' || name === '' || typeof namespace !== 'string') return false;
    if (i > 0 && compareKeys(prevNamespace, prevName, namespace, name) >= 0) return false;
    prevNamespace = namespace;
    prevName = name;
  }
  return true;
}

/** compareStrings of the keys "namespace/name", built only where the namespaces differ. */
function compareKeys(namespaceA: string, nameA: string, namespaceB: string, nameB: string): number {
  if (namespaceA === namespaceB) return compareStrings(nameA, nameB);
  return compareStrings(`${namespaceA}/${nameA}`, `${namespaceB}/${nameB}`);
}

function smallestBody<T>(candidates: T[]): T {
  if (candidates.length === 1) return candidates[0];
  let best = candidates[0];
  let bestBody = canonicalJson(best);
  for (const o of candidates.slice(1)) {
    const body = canonicalJson(o);
    if (compareStrings(body, bestBody) < 0) [best, bestBody] = [o, body];
  }
  return best;
}

/**
 * A route with its CRD defaults, validated. A route as the API server returns it (every default
 * present, valid) is recognized in one allocation-free pass and used as it is.
 */
export function prepareRoute(kind: RouteKind, input: Route): RouteState {
  const asIs = isCertainlyValidAsDefaulted(input);
  const route = asIs ? input : safeDefaults(input);
  const spec: { rules?: unknown; parentRefs?: unknown; hostnames?: unknown } = isObj(route.spec)
    ? route.spec
    : {};
  const namespace = typeof route.metadata.namespace === 'string' ? route.metadata.namespace : 'default';
  const rules = asArray(spec.rules);
  const name = route.metadata.name;
  const state: RouteState = {
    kind,
    route,
    namespace,
    name,
    createdMs: timestampMs(asCreation(route)),
    ref: `${namespace}/${name}`,
    rules,
    parentRefs: asArray(spec.parentRefs),
    parents: [],
    ruleCount: rules.length,
    dropped: undefined,
    refProblems: [],
    warnings: [],
    // Every field is in the literal, set later or not: V8 sizes the object for its literal.
    generation: typeof route.metadata.generation === 'number' ? route.metadata.generation : undefined,
    invalid: undefined,
    ruleErrors: undefined,
    compiledFor: undefined,
    unresolvedEffect: kind === 'TCPRoute' || kind === 'TLSRoute' ? STREAM_UNRESOLVED_EFFECT : undefined,
  };
  if (!asIs) {
    const errors = validateRoute(route);
    if (errors.length) recordErrors(state, errors);
  }
  // A TLSRoute's hostnames are its SNI match (stream.ts); on HTTP and gRPC routes they mean nothing.
  if (kind !== 'TLSRoute' && asArray(spec.hostnames).length)
    addWarning(
      state,
      'spec.hostnames is ignored: mesh routes apply to the parent Service whatever the Host (GEP-1294)',
    );
  return state;
}

/**
 * TcpRoute and TlsRoute have no fault injection, so the share of an unresolved backendRef cannot be
 * refused as the Gateway API asks (docs/support-matrix.md, "TCPRoute" and "TLSRoute").
 */
export const STREAM_UNRESOLVED_EFFECT =
  'Network Services cannot refuse TCP connections (TcpRoute and TlsRoute have no fault injection), so their share of connections goes to the resolved backends instead of being refused';

function recordErrors(state: RouteState, errors: { path: string; message: string }[]): void {
  const ruleErrors = new Map<number, string>();
  const routeLevel: string[] = [];
  for (const error of errors) {
    const rule = /^spec\.rules\[(\d+)\]/.exec(error.path);
    if (rule) {
      const index = Number(rule[1]);
      ruleErrors.set(
        index,
        [ruleErrors.get(index), `${error.path}: ${error.message}`].filter(Boolean).join('; '),
      );
    } else routeLevel.push(`${error.path || state.kind}: ${error.message}`);
  }
  if (routeLevel.length) state.invalid = `invalid ${state.kind}: ${routeLevel.slice(0, 10).join('; ')}`;
  if (ruleErrors.size === 0) return;
  state.ruleErrors = ruleErrors;
  for (const [index, message] of ruleErrors) dropRule(state, index, { reason: 'UnsupportedValue', message });
}

export function addWarning(state: RouteState, warning: string): void {
  state.warnings.push(warning);
}

/** Records the first reason rule `index` is dropped (later ones are ignored). */
export function dropRule(state: RouteState, index: number, problem: Problem): void {
  const dropped = (state.dropped ??= new Map());
  if (!dropped.has(index)) dropped.set(index, problem);
}

function asCreation(route: KubeObject): string | undefined {
  return typeof route.metadata.creationTimestamp === 'string' ? route.metadata.creationTimestamp : undefined;
}

/** ResolvedRefs problems for every backendRef and mirror target of the route, in forEachBackendRef order. */
export function routeRefProblems(state: RouteState, resolve: BackendResolver): Problem[] {
  if (!state.parents.length) return [];
  const problems: Problem[] = [];
  const { namespace } = state;
  forEachBackendRef(state.rules, (ref) => {
    const resolved = resolve(ref as BackendObjectReference, namespace, state.kind);
    if (!resolved.ok) problems.push(resolved.problem);
  });
  return problems;
}

/**
 * Warnings for a GRPCRoute whose backends' backend services would speak HTTP/1.1 (no appProtocol on
 * the Service port): gRPC needs HTTP/2 upstream, so such calls fail although the route is accepted.
 * Only when gamma-csm provisions the backend services (options.negCheck set); a backend service the
 * user names (override annotation) is theirs to configure.
 */
export function grpcProtocolWarnings(state: RouteState, services: ServiceIndex): void {
  if (state.kind !== 'GRPCRoute' || !state.parents.length) return;
  const seen = new Set<string>();
  for (const rule of state.rules) {
    if (!isObj(rule)) continue;
    for (const ref of asArray(rule.backendRefs)) {
      if (!isObj(ref) || typeof ref.name !== 'string' || typeof ref.port !== 'number') continue;
      if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') continue;
      const namespace = typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : state.namespace;
      const label = `${namespace}/${ref.name}:${ref.port}`;
      const service = services.find(namespace, ref.name);
      if (seen.has(label) || !service || hasBackendServiceOverride(service, ref.port)) continue;
      seen.add(label);
      const backend = portBackend(service, ref.port);
      if (backend.ok && backend.backend.protocol === 'HTTP')
        addWarning(
          state,
          `backend ${label} is served over HTTP/1.1 (${backend.backend.protocolFrom}), and gRPC calls to it fail; set appProtocol: kubernetes.io/h2c (or grpc) on the Service port, or annotate the Service ${BACKEND_PROTOCOL_ANNOTATION_PREFIX}${ref.port}: HTTP2`,
        );
    }
  }
}
