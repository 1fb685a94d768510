// translate(snapshot, options) -> Desired: the pure heart of gamma-csm (DESIGN §3.1, §3.2, §4).
// Total: never throws; every problem becomes a status condition. Deterministic and independent of
// the order of the input objects (inputs are sorted and de-duplicated first).
import type {
  GRPCRoute,
  HTTPRoute,
  KubeObject,
  ParentReference,
  Service,
  ServicePort,
} from '../gamma/types.ts';
import { applyDefaults, validateObject } from '../gamma/index.ts';
import type {
  BackendMapping,
  Desired,
  NsGrpcRoute,
  NsHttpRoute,
  RouteStatusEntry,
  Snapshot,
  TranslateOptions,
} from './types.ts';
import { DEFAULT_CONTROLLER_NAME } from './types.ts';
import type { Problem } from './model.ts';
import type { ServiceIndex } from './backends.ts';
import { resolveBackendRef } from './backends.ts';
import { hostnamesFor, serviceNamespacesByName } from './hostnames.ts';
import {
  baseLabels,
  grpcRouteName,
  httpRouteName,
  meshName,
  routeDescription,
  routeId,
  routeLabels,
} from './names.ts';
import { isServiceParent, selectParent } from './parents.ts';
import type { ParentOutcome, RouteOutcome } from './status.ts';
import { parentStatus } from './status.ts';
import type { CompileContext, HttpEntry, Shadowed } from './http.ts';
import { compileHttpRule, emitHttpRules, findShadowedRules, sortHttpEntries } from './http.ts';
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

export type { Desired, Snapshot, TranslateOptions } from './types.ts';
export {
  routeId,
  parentLabelValue,
  backendServiceName,
  BACKEND_SERVICE_ANNOTATION_PREFIX,
  ID_PATTERN,
} from './names.ts';

type RouteKind = 'HTTPRoute' | 'GRPCRoute';

interface RouteState {
  kind: RouteKind;
  route: HTTPRoute | GRPCRoute;
  namespace: string;
  name: string;
  generation?: number;
  invalid?: string;
  ruleErrors: Map<number, string>;
  parents: ParentOutcome[];
  outcome: RouteOutcome;
}

interface Group {
  namespace: string;
  service: Service;
  port: ServicePort;
  members: { state: RouteState; parent: ParentOutcome }[];
}

const DEFAULT_OPTIONS = {
  location: 'global',
  controllerName: DEFAULT_CONTROLLER_NAME,
  clusterDomain: 'cluster.local',
};

export function translate(snapshot: Snapshot, options: TranslateOptions): Desired {
  const opts = { ...DEFAULT_OPTIONS, ...dropUndefined(options) } as TranslateOptions;
  const input = isObj(snapshot) ? snapshot : ({} as Snapshot);
  const services = uniqueSorted(asArray<Service>(input.services).map(safeDefaults)).filter(
    (s) => s.kind === 'Service' || s.kind === undefined,
  );
  const serviceMap = new Map(
    services.map((s) => [`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`, s]),
  );
  const index: ServiceIndex = { find: (ns, name) => serviceMap.get(`${ns}/${name}`) };
  const namespacesOf = serviceNamespacesByName(
    services,
    isObj(input.serviceNamespacesByName) ? input.serviceNamespacesByName : undefined,
  );

  const states = [
    ...uniqueSorted(asArray<HTTPRoute>(input.httpRoutes).map(safeDefaults)).map((r) =>
      prepareRoute('HTTPRoute', r),
    ),
    ...uniqueSorted(asArray<GRPCRoute>(input.grpcRoutes).map(safeDefaults)).map((r) =>
      prepareRoute('GRPCRoute', r),
    ),
  ];
  const groups = new Map<string, Group>();
  for (const state of states) attachParents(state, index, groups);

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
  const backends = new Map<string, BackendMapping>();
  for (const key of [...groups.keys()].sort(compareStrings)) {
    const group = groups.get(key) as Group;
    try {
      buildGroup(group, opts, index, namespacesOf(group.service.metadata.name), desired, backends);
    } catch (err) {
      for (const { parent } of group.members)
        parent.problem = {
          reason: 'UnsupportedValue',
          message: `internal translation error: ${errorMessage(err)}`,
        };
    }
  }
  for (const state of states) {
    state.outcome.refProblems = routeRefProblems(state, index, opts);
    if (state.parents.length === 0) continue;
    const entry: RouteStatusEntry = {
      kind: state.kind,
      namespace: state.namespace,
      name: state.name,
      parents: state.parents.map((p) =>
        parentStatus(p, state.outcome, opts.controllerName, state.generation),
      ),
    };
    if (state.generation !== undefined) entry.generation = state.generation;
    if (state.outcome.warnings.length) entry.warnings = [...new Set(state.outcome.warnings)];
    desired.statuses.push(entry);
  }
  desired.httpRoutes.sort((a, b) => compareStrings(a.name ?? '', b.name ?? ''));
  desired.grpcRoutes.sort((a, b) => compareStrings(a.name ?? '', b.name ?? ''));
  desired.backends = sortByCanonicalJson([...backends.values()]);
  return desired;
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

/** Sorted by namespace/name (then content), one object per namespace/name: order-independent input. */
function uniqueSorted<T extends KubeObject>(objects: T[]): T[] {
  const valid = objects.filter(
    (o) => isObj(o) && isObj(o.metadata) && typeof o.metadata.name === 'string' && o.metadata.name !== '',
  );
  // Content decides only between objects sharing a key, so only those are serialized: the first
  // (in input order) of the smallest canonical body wins, as a stable sort by (key, body) would pick.
  const byKey = new Map<string, T[]>();
  for (const o of valid) {
    const key = `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
    const same = byKey.get(key);
    if (same) same.push(o);
    else byKey.set(key, [o]);
  }
  return [...byKey.keys()].sort(compareStrings).map((key) => smallestBody(byKey.get(key) as T[]));
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
 * Identity of a backend mapping: its four fields (the shape resolveBackendRef builds) as a JSON
 * array; anything else by canonical JSON. The two forms cannot collide (`[` versus `{`).
 */
function mappingKey(m: BackendMapping): string {
  const keys = Object.keys(m);
  const plain =
    keys.length === 4 &&
    typeof m.serviceName === 'string' &&
    typeof m.namespace === 'string' &&
    typeof m.service === 'string' &&
    typeof m.port === 'number' &&
    Number.isFinite(m.port) &&
    !Object.is(m.port, -0);
  return plain ? JSON.stringify([m.namespace, m.port, m.service, m.serviceName]) : canonicalJson(m);
}

/** Sorted by canonical JSON, each serialized once (not once per comparison). */
function sortByCanonicalJson<T>(values: T[]): T[] {
  return values
    .map((value) => ({ value, key: canonicalJson(value) }))
    .sort((a, b) => compareStrings(a.key, b.key))
    .map((e) => e.value);
}

function prepareRoute(kind: RouteKind, route: HTTPRoute | GRPCRoute): RouteState {
  const spec = isObj(route.spec) ? route.spec : {};
  const state: RouteState = {
    kind,
    route,
    namespace: typeof route.metadata.namespace === 'string' ? route.metadata.namespace : 'default',
    name: route.metadata.name,
    ruleErrors: new Map(),
    parents: [],
    outcome: { ruleCount: asArray(spec.rules).length, dropped: new Map(), refProblems: [], warnings: [] },
  };
  if (typeof route.metadata.generation === 'number') state.generation = route.metadata.generation;
  const errors = validateRoute(route);
  const routeLevel: string[] = [];
  for (const error of errors) {
    const rule = /^spec\.rules\[(\d+)\]/.exec(error.path);
    if (rule) {
      const index = Number(rule[1]);
      state.ruleErrors.set(
        index,
        [state.ruleErrors.get(index), `${error.path}: ${error.message}`].filter(Boolean).join('; '),
      );
    } else routeLevel.push(`${error.path || kind}: ${error.message}`);
  }
  if (routeLevel.length) state.invalid = `invalid ${kind}: ${routeLevel.slice(0, 10).join('; ')}`;
  for (const [index, message] of state.ruleErrors)
    state.outcome.dropped.set(index, { reason: 'UnsupportedValue', message });
  if (asArray(spec.hostnames).length)
    state.outcome.warnings.push(
      'spec.hostnames is ignored: mesh routes apply to the parent Service whatever the Host (GEP-1294)',
    );
  return state;
}

function attachParents(state: RouteState, index: ServiceIndex, groups: Map<string, Group>): void {
  const refs = asArray<ParentReference>(isObj(state.route.spec) ? state.route.spec.parentRefs : undefined);
  for (const ref of refs) {
    if (!isServiceParent(ref)) continue;
    const parent: ParentOutcome = { ref, ports: [], conflicted: [], routeIds: [], notes: [] };
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
    const serviceNs = selection.service.metadata.namespace ?? 'default';
    if (selection.skipped.length) {
      parent.notes.push(
        `ports ${selection.skipped.map((p) => `${p.port} (${p.name ?? p.appProtocol})`).join(', ')} skipped: not HTTP or gRPC (name or appProtocol); select them explicitly with port or sectionName`,
      );
    }
    for (const port of selection.ports) {
      if (parent.ports.includes(port.port)) continue;
      parent.ports.push(port.port);
      const key = `${serviceNs}/${selection.service.metadata.name}/${port.port}`;
      const group = groups.get(key) ?? {
        namespace: serviceNs,
        service: selection.service,
        port,
        members: [],
      };
      group.members.push({ state, parent });
      groups.set(key, group);
    }
  }
}

function buildGroup(
  group: Group,
  opts: TranslateOptions,
  index: ServiceIndex,
  namespacesWithName: string[],
  desired: Desired,
  backends: Map<string, BackendMapping>,
): void {
  const svc = group.service.metadata.name;
  const port = group.port.port;
  const grpcMembers = group.members.filter(
    (m) => m.state.kind === 'GRPCRoute' && m.state.outcome.ruleCount > 0,
  );
  const kind: RouteKind = grpcMembers.length ? 'GRPCRoute' : 'HTTPRoute';
  const winners = group.members.filter((m) => m.state.kind === kind);
  if (kind === 'GRPCRoute') {
    const by = [...new Set(grpcMembers.map((m) => `GRPCRoute ${m.state.namespace}/${m.state.name}`))];
    for (const m of group.members.filter((x) => x.state.kind === 'HTTPRoute'))
      m.parent.conflicted.push({ port, by });
  }
  const ctx: CompileContext = { options: opts, services: index, servicePort: port };
  const grpcAsHttp =
    kind === 'GRPCRoute' &&
    winners.some((m) =>
      asArray(m.state.route.spec?.rules).some((r, i) => !m.state.ruleErrors.has(i) && grpcRuleNeedsHttp(r)),
    );
  const compiledStates = new Set<RouteState>();
  const httpEntries: HttpEntry[] = [];
  const grpcEntries: GrpcEntry[] = [];
  const sources: string[] = [];
  for (const { state } of winners) {
    if (compiledStates.has(state)) continue;
    compiledStates.add(state);
    const identity = {
      namespace: state.namespace,
      name: state.name,
      creationTimestamp: asCreation(state.route),
    };
    let contributed = false;
    asArray(state.route.spec?.rules).forEach((rule, ruleIndex) => {
      if (state.ruleErrors.has(ruleIndex) || !isObj(rule)) return;
      const compiled =
        kind === 'HTTPRoute'
          ? compileHttpRule(identity, ruleIndex, rule, ctx)
          : compileGrpcRule(identity, ruleIndex, rule, ctx, grpcAsHttp);
      if (compiled.dropped && !state.outcome.dropped.has(ruleIndex))
        state.outcome.dropped.set(ruleIndex, compiled.dropped);
      state.outcome.warnings.push(...compiled.warnings.map((w) => `rule ${ruleIndex}: ${w}`));
      if (kind === 'HTTPRoute') httpEntries.push(...(compiled.entries as HttpEntry[]));
      else grpcEntries.push(...(compiled.entries as GrpcEntry[]));
      if (compiled.entries.length) contributed = true;
      for (const m of compiled.mappings) backends.set(mappingKey(m), m);
    });
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
  const common = {
    description: routeDescription(kind, sources.sort(compareStrings), group.namespace, svc, port),
    labels: routeLabels(opts, group.namespace, svc),
    hostnames: hosts.hostnames,
    meshes: [meshName(opts)],
  };
  let shadowed: Shadowed[];
  if (kind === 'HTTPRoute') {
    const sorted = sortHttpEntries(httpEntries);
    shadowed = findShadowedRules(sorted);
    const body: NsHttpRoute = { name: httpRouteName(opts, id), ...common, rules: emitHttpRules(sorted) };
    desired.httpRoutes.push(body);
  } else if (grpcAsHttp) {
    const sorted = sortGrpcEntries(grpcEntries);
    shadowed = findShadowedGrpcRules(sorted);
    desired.httpRoutes.push({ name: httpRouteName(opts, id), ...common, rules: emitGrpcAsHttpRules(sorted) });
    const note = `Service port ${port} is served by an HttpRoute (not a GrpcRoute) because a GRPCRoute rule uses header modifiers or mirroring, which GrpcRoute cannot express; proxyless gRPC clients ignore those filters`;
    for (const m of winners) if (!m.parent.notes.includes(note)) m.parent.notes.push(note);
  } else {
    const sorted = sortGrpcEntries(grpcEntries);
    shadowed = findShadowedGrpcRules(sorted);
    const body: NsGrpcRoute = { name: grpcRouteName(opts, id), ...common, rules: emitGrpcRules(sorted) };
    desired.grpcRoutes.push(body);
  }
  for (const m of winners) {
    if (!m.parent.routeIds.includes(id)) m.parent.routeIds.push(id);
    if (hosts.shortNameOmitted && !m.parent.notes.includes(hosts.shortNameOmitted))
      m.parent.notes.push(hosts.shortNameOmitted);
  }
  for (const s of shadowed) {
    const [, routeRef, ruleText] = /^\S+ (\S+) rule (\d+)$/.exec(s.ruleKey) ?? [];
    const owner = winners.find((m) => `${m.state.namespace}/${m.state.name}` === routeRef)?.state;
    const lost = s.backends.length ? `; backends ${s.backends.join(', ')} get no traffic from it` : '';
    owner?.outcome.warnings.push(
      `rule ${ruleText} can never match on Service ${group.namespace}/${svc}:${port}: ${s.by} has identical or broader matches and takes precedence${lost}`,
    );
  }
}

function asCreation(route: KubeObject): string | undefined {
  return typeof route.metadata.creationTimestamp === 'string' ? route.metadata.creationTimestamp : undefined;
}

/** ResolvedRefs problems for every backendRef and mirror target of the route. */
function routeRefProblems(state: RouteState, index: ServiceIndex, opts: TranslateOptions): Problem[] {
  if (!state.parents.length) return [];
  const problems: Problem[] = [];
  const check = (ref: unknown) => {
    const resolved = resolveBackendRef(ref as never, state.namespace, index, opts);
    if (!resolved.ok) problems.push(resolved.problem);
  };
  // Order: the rule's backendRefs, then mirror targets of the rule's filters, then of each backendRef's.
  for (const rule of asArray(state.route.spec?.rules)) {
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
