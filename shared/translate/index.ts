// translate(snapshot, options) -> Desired: the pure heart of gamma-csm (DESIGN §3.1, §3.2, §4).
// Total: never throws; every problem becomes a status condition. Deterministic and independent of
// the order of the input objects (inputs are sorted and de-duplicated first).
import type { GRPCRoute, HTTPRoute, KubeObject, Service, ServicePort } from '../gamma/types.ts';
import { applyDefaults, isCertainlyValidAsDefaulted, validateObject } from '../gamma/index.ts';
import type {
  Desired,
  NsGrpcRoute,
  NsHttpRoute,
  RouteStatusEntry,
  Snapshot,
  TranslateOptions,
} from './types.ts';
import { DEFAULT_CONTROLLER_NAME } from './types.ts';
import type { Problem } from './model.ts';
import type { BackendResolver, ServiceIndex } from './backends.ts';
import { backendResolver } from './backends.ts';
import { hostnamesFor, serviceNamespacesByName } from './hostnames.ts';
import {
  baseLabels,
  grpcRouteName,
  httpRouteName,
  meshName,
  routeDescription,
  routeId,
  routeLabelsFrom,
} from './names.ts';
import { isServiceParent, selectParent } from './parents.ts';
import type { ParentOutcome, RouteOutcome } from './status.ts';
import { parentStatus } from './status.ts';
import type { CompileContext, HttpEntry, RouteIdentity, Shadowed } from './http.ts';
import { compileHttpRule, emitHttpRules, findShadowedRules, ruleText, sortHttpEntries } from './http.ts';
import type { GrpcEntry } from './grpc.ts';
import {
  compileGrpcRule,
  emitGrpcAsHttpRules,
  emitGrpcRules,
  findShadowedGrpcRules,
  grpcRuleNeedsHttp,
  sortGrpcEntries,
} from './grpc.ts';
import { asArray, canonicalJson, compareStrings, errorMessage, isObj } from './util.ts';
import { timestampMs } from './precedence.ts';
import type { Backends } from './mappings.ts';
import { addMapping, sortedMappings } from './mappings.ts';

export type { Desired, Snapshot, TranslateOptions } from './types.ts';
export {
  routeId,
  parentLabelValue,
  backendServiceName,
  BACKEND_SERVICE_ANNOTATION_PREFIX,
  ID_PATTERN,
} from './names.ts';

type RouteKind = 'HTTPRoute' | 'GRPCRoute';

/**
 * Everything translate learns about one route. It is its own RouteIdentity (what the compilers read)
 * and RouteOutcome (what the status is built from): one object per route instead of three.
 */
interface RouteState extends RouteIdentity, RouteOutcome {
  kind: RouteKind;
  route: HTTPRoute | GRPCRoute;
  /** Read once: every later step walks these. */
  rules: unknown[];
  parentRefs: unknown[];
  generation?: number;
  invalid?: string;
  /** Validation errors by rule index (absent for most routes: created on the first error). */
  ruleErrors?: Map<number, string>;
  parents: ParentOutcome[];
  /** The group whose rules last included this route (a route listed twice compiles once). */
  compiledFor?: Group;
}

interface Group {
  namespace: string;
  service: Service;
  port: ServicePort;
  members: { state: RouteState; parent: ParentOutcome }[];
}

const NO_PROBLEMS: Problem[] = Object.freeze([]) as unknown as Problem[];

const DEFAULT_OPTIONS = {
  location: 'global',
  controllerName: DEFAULT_CONTROLLER_NAME,
  clusterDomain: 'cluster.local',
};

export function translate(snapshot: Snapshot, options: TranslateOptions): Desired {
  const opts = { ...DEFAULT_OPTIONS, ...dropUndefined(options) } as TranslateOptions;
  const input = isObj(snapshot) ? snapshot : ({} as Snapshot);
  const services = uniqueSorted(asArray<Service>(input.services), true).filter(
    (s) => s.kind === 'Service' || s.kind === undefined,
  );
  const index = serviceIndex(services);
  const namespacesOf = serviceNamespacesByName(
    services,
    isObj(input.serviceNamespacesByName) ? input.serviceNamespacesByName : undefined,
  );

  // Each route is defaulted, validated, attached and its references checked in one go, while its
  // objects are in the CPU cache (separate passes over 10k routes each missed it again).
  const resolve = backendResolver(index, opts);
  const groups: Groups = { byKey: new Map(), byPort: new Map() };
  const states: RouteState[] = [];
  const admit = (kind: RouteKind, route: HTTPRoute | GRPCRoute) => {
    const state = prepareRoute(kind, route);
    attachParents(state, index, groups);
    state.refProblems = routeRefProblems(state, resolve);
    states.push(state);
  };
  for (const r of uniqueSorted(asArray<HTTPRoute>(input.httpRoutes), false)) admit('HTTPRoute', r);
  for (const r of uniqueSorted(asArray<GRPCRoute>(input.grpcRoutes), false)) admit('GRPCRoute', r);

  const desired: Desired = {
    mesh: {
      name: meshName(opts),
      labels: baseLabels(opts),
      description: `Managed by gamma-csm (Kubernetes Gateway API mesh routes)`,
    },
    httpRoutes: [],
    grpcRoutes: [],
    backends: [],
    statuses: [],
  };
  const backends: Backends = { byKey: new Map(), seen: new Set() };
  const call: TranslateCall = { opts, resolve, base: baseLabels(opts), desired, backends };
  // Default sort of strings orders by UTF-16 code units, as compareStrings does, without a JS callback.
  for (const key of [...groups.byKey.keys()].sort()) {
    const group = groups.byKey.get(key) as Group;
    try {
      buildGroup(group, call, namespacesOf(group.service.metadata.name));
    } catch (err) {
      for (const { parent } of group.members)
        parent.problem = {
          reason: 'UnsupportedValue',
          message: `internal translation error: ${errorMessage(err)}`,
        };
    }
  }
  for (const state of states) {
    if (state.parents.length === 0) continue;
    const entry: RouteStatusEntry = {
      kind: state.kind,
      namespace: state.namespace,
      name: state.name,
      parents: state.parents.map((p) => parentStatus(p, state, opts.controllerName, state.generation)),
    };
    if (state.generation !== undefined) entry.generation = state.generation;
    if (state.warnings.length) entry.warnings = [...new Set(state.warnings)];
    desired.statuses.push(entry);
  }
  desired.httpRoutes.sort((a, b) => compareStrings(a.name ?? '', b.name ?? ''));
  desired.grpcRoutes.sort((a, b) => compareStrings(a.name ?? '', b.name ?? ''));
  desired.backends = sortedMappings(backends);
  return desired;
}

/** Services by namespace, then name: two lookups, no key string built per query. */
function serviceIndex(services: Service[]): ServiceIndex {
  const byNamespace = new Map<string, Map<string, Service>>();
  for (const s of services) {
    const ns = s.metadata.namespace ?? 'default';
    let byName = byNamespace.get(ns);
    if (!byName) byNamespace.set(ns, (byName = new Map()));
    byName.set(s.metadata.name, s);
  }
  return { find: (ns, name) => byNamespace.get(ns)?.get(name) };
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(isObj(value) ? value : {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

function safeDefaults<T extends KubeObject>(obj: T): T {
  try {
    return applyDefaults(obj);
  } catch {
    return obj;
  }
}

function validateRoute(route: HTTPRoute | GRPCRoute): { path: string; message: string }[] {
  try {
    return validateObject(route);
  } catch (err) {
    return [{ path: '', message: `validation failed: ${errorMessage(err)}` }];
  }
}

/**
 * Sorted by namespace/name (then content), one object per namespace/name: order-independent input.
 * The content of objects sharing a key is compared with CRD defaults applied (as the winner is
 * returned); the others get their defaults here when `defaulted`, else from prepareRoute.
 */
function uniqueSorted<T extends KubeObject>(objects: T[], defaulted: boolean): T[] {
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
    return defaulted ? safeDefaults(only) : only;
  });
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
function prepareRoute(kind: RouteKind, input: HTTPRoute | GRPCRoute): RouteState {
  const asIs = isCertainlyValidAsDefaulted(input);
  const route = asIs ? input : safeDefaults(input);
  const spec = isObj(route.spec) ? route.spec : {};
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
    refProblems: NO_PROBLEMS,
    warnings: NO_WARNINGS,
  };
  if (typeof route.metadata.generation === 'number') state.generation = route.metadata.generation;
  if (!asIs) {
    const errors = validateRoute(route);
    if (errors.length) recordErrors(state, errors);
  }
  if (asArray(spec.hostnames).length)
    addWarning(
      state,
      'spec.hostnames is ignored: mesh routes apply to the parent Service whatever the Host (GEP-1294)',
    );
  return state;
}

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

/** Most routes have no warning: they share one frozen empty list, replaced on the first. */
const NO_WARNINGS: string[] = Object.freeze([]) as unknown as string[];

function addWarning(state: RouteState, warning: string): void {
  if (state.warnings === NO_WARNINGS) state.warnings = [warning];
  else state.warnings.push(warning);
}

/** Records the first reason rule `index` is dropped (later ones are ignored). */
function dropRule(state: RouteState, index: number, problem: Problem): void {
  const dropped = (state.dropped ??= new Map());
  if (!dropped.has(index)) dropped.set(index, problem);
}

/**
 * The groups by "namespace/service/port", and the same groups by Service port object: the routes of
 * one Service find their group by identity, without building and hashing the key string each time.
 */
interface Groups {
  byKey: Map<string, Group>;
  byPort: Map<ServicePort, Group>;
}

function groupFor(groups: Groups, service: Service, port: ServicePort): Group {
  const known = groups.byPort.get(port);
  if (known) return known;
  const namespace = service.metadata.namespace ?? 'default';
  const key = `${namespace}/${service.metadata.name}/${port.port}`;
  let group = groups.byKey.get(key);
  if (!group) groups.byKey.set(key, (group = { namespace, service, port, members: [] }));
  groups.byPort.set(port, group);
  return group;
}

function attachParents(state: RouteState, index: ServiceIndex, groups: Groups): void {
  for (const ref of state.parentRefs) {
    if (!isServiceParent(ref)) continue;
    const parent: ParentOutcome = { ref, ports: [], conflicted: NONE, routeIds: [], notes: NONE };
    state.parents.push(parent);
    if (state.invalid) {
      parent.problem = { reason: 'UnsupportedValue', message: state.invalid };
      continue;
    }
    const selection = selectParent(ref, state.namespace, index.find);
    if (!selection.ok) {
      parent.problem = selection.problem;
      continue;
    }
    if (selection.skipped.length) {
      addNote(
        parent,
        `ports ${selection.skipped.map((p) => `${p.port} (${p.name ?? p.appProtocol})`).join(', ')} skipped: not HTTP or gRPC (name or appProtocol); select them explicitly with port or sectionName`,
      );
    }
    for (const port of selection.ports) {
      if (parent.ports.includes(port.port)) continue;
      parent.ports.push(port.port);
      groupFor(groups, selection.service, port).members.push({ state, parent });
    }
  }
}

/** Shared by the many outcomes without conflicts or notes; replaced (never pushed to) on the first. */
const NONE: never[] = Object.freeze([]) as unknown as never[];

/** Adds a note to the parent's status message once. */
function addNote(parent: ParentOutcome, note: string): void {
  if (parent.notes === NONE) parent.notes = [note];
  else if (!parent.notes.includes(note)) parent.notes.push(note);
}

/** What every group of one translate call shares. */
interface TranslateCall {
  opts: TranslateOptions;
  resolve: BackendResolver;
  /** The ownership labels every route carries (computed once). */
  base: Record<string, string>;
  desired: Desired;
  backends: Backends;
}

function buildGroup(group: Group, call: TranslateCall, namespacesWithName: string[]): void {
  const { opts, resolve, base, desired, backends } = call;
  const svc = group.service.metadata.name;
  const port = group.port.port;
  const grpcMembers = group.members.filter((m) => m.state.kind === 'GRPCRoute' && m.state.ruleCount > 0);
  const kind: RouteKind = grpcMembers.length ? 'GRPCRoute' : 'HTTPRoute';
  const winners = group.members.filter((m) => m.state.kind === kind);
  if (kind === 'GRPCRoute') {
    const by = [...new Set(grpcMembers.map((m) => `GRPCRoute ${m.state.namespace}/${m.state.name}`))];
    for (const m of group.members.filter((x) => x.state.kind === 'HTTPRoute'))
      (m.parent.conflicted === NONE ? (m.parent.conflicted = []) : m.parent.conflicted).push({ port, by });
  }
  const ctx: CompileContext = { options: opts, resolve, servicePort: port };
  const grpcAsHttp =
    kind === 'GRPCRoute' &&
    winners.some((m) => m.state.rules.some((r, i) => !m.state.ruleErrors?.has(i) && grpcRuleNeedsHttp(r)));
  const httpEntries: HttpEntry[] = [];
  const grpcEntries: GrpcEntry[] = [];
  const sources: string[] = [];
  for (const { state } of winners) {
    if (state.compiledFor === group) continue;
    state.compiledFor = group;
    let contributed = false;
    const { rules } = state;
    for (let ruleIndex = 0; ruleIndex < rules.length; ruleIndex++) {
      const rule = rules[ruleIndex];
      if (state.ruleErrors?.has(ruleIndex) || !isObj(rule)) continue;
      const compiled =
        kind === 'HTTPRoute'
          ? compileHttpRule(state, ruleIndex, rule, ctx)
          : compileGrpcRule(state, ruleIndex, rule, ctx, grpcAsHttp);
      if (compiled.dropped) dropRule(state, ruleIndex, compiled.dropped);
      for (const w of compiled.warnings) addWarning(state, `rule ${ruleIndex}: ${w}`);
      if (kind === 'HTTPRoute') for (const e of compiled.entries) httpEntries.push(e as HttpEntry);
      else for (const e of compiled.entries) grpcEntries.push(e as GrpcEntry);
      if (compiled.entries.length) contributed = true;
      for (const m of compiled.mappings) addMapping(backends, m);
    }
    if (contributed) sources.push(`${state.namespace}/${state.name}`);
  }
  if (!httpEntries.length && !grpcEntries.length) return;

  const hosts = hostnamesFor(svc, group.namespace, port, opts.clusterDomain, namespacesWithName);
  const id = routeId(
    kind === 'HTTPRoute' || grpcAsHttp ? 'http' : 'grpc',
    opts.clusterId,
    group.namespace,
    svc,
    port,
  );
  // Output bodies are built once, in their final key order: name, description, labels, hostnames,
  // meshes, rules.
  const body = (name: string): NsHttpRoute & NsGrpcRoute => ({
    name,
    description: routeDescription(kind, sources.sort(), group.namespace, svc, port),
    labels: routeLabelsFrom(base, group.namespace, svc),
    hostnames: hosts.hostnames,
    meshes: [meshName(opts)],
    rules: undefined,
  });
  let shadowed: Shadowed[];
  if (kind === 'HTTPRoute') {
    const sorted = sortHttpEntries(httpEntries);
    shadowed = findShadowedRules(sorted);
    const route: NsHttpRoute = body(httpRouteName(opts, id));
    route.rules = emitHttpRules(sorted);
    desired.httpRoutes.push(route);
  } else if (grpcAsHttp) {
    const sorted = sortGrpcEntries(grpcEntries);
    shadowed = findShadowedGrpcRules(sorted);
    const route: NsHttpRoute = body(httpRouteName(opts, id));
    route.rules = emitGrpcAsHttpRules(sorted);
    desired.httpRoutes.push(route);
    const note = `Service port ${port} is served by an HttpRoute (not a GrpcRoute) because a GRPCRoute rule uses header modifiers or mirroring, which GrpcRoute cannot express; proxyless gRPC clients ignore those filters`;
    for (const m of winners) addNote(m.parent, note);
  } else {
    const sorted = sortGrpcEntries(grpcEntries);
    shadowed = findShadowedGrpcRules(sorted);
    const route: NsGrpcRoute = body(grpcRouteName(opts, id));
    route.rules = emitGrpcRules(sorted);
    desired.grpcRoutes.push(route);
  }
  for (const m of winners) {
    if (!m.parent.routeIds.includes(id)) m.parent.routeIds.push(id);
    if (hosts.shortNameOmitted) addNote(m.parent, hosts.shortNameOmitted);
  }
  for (const s of shadowed) {
    const owner = winners.find((m) => m.state.ref === s.rule.route)?.state;
    const lost = s.backends.length ? `; backends ${s.backends.join(', ')} get no traffic from it` : '';
    if (owner)
      addWarning(
        owner,
        `rule ${s.rule.index} can never match on Service ${group.namespace}/${svc}:${port}: ${ruleText(s.by)} has identical or broader matches and takes precedence${lost}`,
      );
  }
}

function asCreation(route: KubeObject): string | undefined {
  return typeof route.metadata.creationTimestamp === 'string' ? route.metadata.creationTimestamp : undefined;
}

/** ResolvedRefs problems for every backendRef and mirror target of the route. */
function routeRefProblems(state: RouteState, resolve: BackendResolver): Problem[] {
  if (!state.parents.length) return NO_PROBLEMS;
  let problems = NO_PROBLEMS;
  const check = (ref: unknown) => {
    const resolved = resolve(ref as never, state.namespace);
    if (!resolved.ok) (problems === NO_PROBLEMS ? (problems = []) : problems).push(resolved.problem);
  };
  // Order: the rule's backendRefs, then mirror targets of the rule's filters, then of each backendRef's.
  for (const rule of state.rules) {
    if (!isObj(rule)) continue;
    const refs = asArray(rule.backendRefs);
    for (const ref of refs) if (isObj(ref)) check(ref);
    checkMirrors(rule.filters, check);
    for (const ref of refs) if (isObj(ref)) checkMirrors(ref.filters, check);
  }
  return problems;
}

function checkMirrors(filters: unknown, check: (ref: unknown) => void): void {
  for (const f of asArray(filters))
    if (isObj(f) && f.type === 'RequestMirror' && isObj(f.requestMirror)) check(f.requestMirror.backendRef);
}
