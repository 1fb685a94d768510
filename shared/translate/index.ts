// translate(snapshot, options) -> Desired: the pure heart of gamma-csm (docs/architecture.md §3.2, §4).
// Total: never throws; every problem becomes a status condition. Deterministic and independent of
// the order of the input objects (inputs are sorted and de-duplicated first).
import type {
  GRPCRoute,
  HTTPRoute,
  KubeObject,
  Route,
  RouteKind,
  Service,
  TCPRoute,
  TLSRoute,
} from '../gamma/types.ts';
import type {
  Desired,
  NsGrpcRoute,
  NsHttpRoute,
  RouteStatusEntry,
  Snapshot,
  TranslateOptions,
} from './types.ts';
import { DEFAULT_CONTROLLER_NAME } from './types.ts';
import type { BackendResolver } from './backends.ts';
import { backendResolver, serviceIndex } from './backends.ts';
import { grantCheck } from './grants.ts';
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
import { parentStatuses } from './status.ts';
import type {
  CompileContext,
  CompiledRule,
  Entry,
  Group,
  Groups,
  Member,
  RouteForm,
  RouteState,
  RuleSemantics,
  Scratches,
  Shadowed,
} from './state.ts';
import { HTTP_RULES } from './http.ts';
import { GRPC_RULES } from './grpc.ts';
import { emitRules, sortEntries } from './rules.ts';
import { findShadowedRules, ruleText } from './shadow.ts';
import { Scratch, asArray, compareStrings, errorMessage, isObj, ruleLabel } from './util.ts';
import { isStreamKind, portWinners } from './kinds.ts';
import { buildStreamGroup } from './stream.ts';
import { udpRouteStatus } from './udp.ts';
import {
  addWarning,
  dropRule,
  grpcProtocolWarnings,
  prepareRoute,
  routeRefProblems,
  uniqueSorted,
} from './routes.ts';
import { addNote, attachParents } from './groups.ts';
import { overLimit, overLimitMessage, type RouteLimits, routeLimits, splitLongRules } from './limits.ts';
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
  const namespacesOf = serviceNamespacesByName(
    services,
    isObj(input.serviceNamespacesByName) ? input.serviceNamespacesByName : undefined,
  );
  const index = serviceIndex(services, namespacesOf);

  // Each route is defaulted, validated, attached and its references checked in one go, while its
  // objects are in the CPU cache (separate passes over 10k routes each missed it again).
  const grants =
    opts.crossNamespaceBackends === 'referencegrant' ? grantCheck(input.referenceGrants) : undefined;
  const resolve = backendResolver(index, opts, grants);
  // TCPRoute and TLSRoute destinations get backend services of their own (BackendMapping transport).
  const resolveStream = backendResolver(index, opts, grants, 'TCP');
  const groups: Groups = { byKey: new Map(), byPort: new Map() };
  const states: RouteState[] = [];
  const admit = (kind: RouteKind, route: Route) => {
    const state = prepareRoute(kind, route);
    attachParents(state, index, groups);
    state.refProblems = routeRefProblems(state, isStreamKind(kind) ? resolveStream : resolve);
    if (kind === 'GRPCRoute' && opts.negCheck !== undefined) grpcProtocolWarnings(state, index);
    states.push(state);
  };
  for (const r of uniqueSorted(asArray<HTTPRoute>(input.httpRoutes), false)) admit('HTTPRoute', r);
  for (const r of uniqueSorted(asArray<GRPCRoute>(input.grpcRoutes), false)) admit('GRPCRoute', r);
  for (const r of uniqueSorted(asArray<TCPRoute>(input.tcpRoutes), false)) admit('TCPRoute', r);
  for (const r of uniqueSorted(asArray<TLSRoute>(input.tlsRoutes), false)) admit('TLSRoute', r);

  const desired: Desired = {
    mesh: {
      name: meshName(opts),
      labels: baseLabels(opts),
      description: `Managed by gamma-csm (Kubernetes Gateway API mesh routes)`,
    },
    httpRoutes: [],
    grpcRoutes: [],
    tcpRoutes: [],
    tlsRoutes: [],
    backends: [],
    statuses: [],
  };
  const backends: Backends = { byKey: new Map(), seen: new Set() };
  const call: TranslateCall = {
    opts,
    resolve,
    base: baseLabels(opts),
    mesh: meshName(opts),
    desired,
    backends,
    limits: routeLimits(opts.limits),
    scratch: newScratches(),
    resolveStream,
    sniClaims: new Map(),
    namespacesOf,
  };
  buildGroups(groups, call);
  desired.statuses = routeStatuses(states, asArray<KubeObject>(input.udpRoutes), opts.controllerName);
  const byName = (a: { name?: string | null }, b: { name?: string | null }) =>
    compareStrings(a.name ?? '', b.name ?? '');
  desired.httpRoutes.sort(byName);
  desired.grpcRoutes.sort(byName);
  desired.tcpRoutes.sort(byName);
  desired.tlsRoutes.sort(byName);
  desired.backends = sortedMappings(backends);
  return desired;
}

/**
 * Every group in key order (the default sort of strings orders by UTF-16 code units, as compareStrings
 * does, without a JS callback): the kind that wins its port (kinds.ts) is compiled, TCPRoute and
 * TLSRoute by stream.ts.
 */
function buildGroups(groups: Groups, call: TranslateCall): void {
  for (const key of [...groups.byKey.keys()].sort()) {
    const group = groups.byKey.get(key) as Group;
    try {
      const { kind, winners } = portWinners(group);
      if (isStreamKind(kind))
        buildStreamGroup(group, kind, winners, { ...call, resolve: call.resolveStream });
      else buildGroup(group, kind, winners, call);
    } catch (err) {
      for (const parent of group.members)
        parent.problem = {
          reason: 'UnsupportedValue',
          message: `internal translation error: ${errorMessage(err)}`,
        };
    }
  }
}

/** Every route's status: the translated kinds from their state, then UDPRoutes rejected (udp.ts). */
function routeStatuses(
  states: RouteState[],
  udpRoutes: KubeObject[],
  controllerName: string,
): RouteStatusEntry[] {
  const out: RouteStatusEntry[] = [];
  for (const state of states)
    if (state.parents.length > 0)
      out.push(statusEntry(state, parentStatuses(state, controllerName, state.generation)));
  for (const route of uniqueSorted(udpRoutes, false)) {
    const entry = udpRouteStatus(route, controllerName);
    if (entry) out.push(entry);
  }
  return out;
}

function statusEntry(state: RouteState, parents: RouteStatusEntry['parents']): RouteStatusEntry {
  const { kind, namespace, name, generation, warnings } = state;
  return {
    kind,
    namespace,
    name,
    parents,
    ...(generation !== undefined && { generation }),
    ...(warnings.length > 0 && { warnings: [...new Set(warnings)] }),
  };
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(isObj(value) ? value : {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** What every group of one translate call shares. */
interface TranslateCall {
  opts: TranslateOptions;
  resolve: BackendResolver;
  /** The ownership labels every route carries (computed once). */
  base: Record<string, string>;
  /** The mesh every route is attached to. */
  mesh: string;
  desired: Desired;
  backends: Backends;
  limits: RouteLimits;
  scratch: Scratches;
  /** The resolver of TCPRoute and TLSRoute destinations. */
  resolveStream: BackendResolver;
  /** SNI names routed so far (stream.ts). */
  sniClaims: Map<string, string>;
  /** Namespaces holding a Service of this name (for short hostnames). */
  namespacesOf: (name: string) => string[];
}

function newScratches(): Scratches {
  return { destinations: new Scratch(), labels: new Scratch(), mappings: new Scratch(), run: new Scratch() };
}

/**
 * Compiles every valid rule of a route, records drops and warnings on it, and collects the entries
 * and backend mappings; true when the route contributed an entry.
 */
function compileRules(
  state: RouteState,
  into: Entry[],
  backends: Backends,
  compile: (ruleIndex: number, rule: Record<string, unknown>) => CompiledRule,
): boolean {
  let contributed = false;
  const { rules } = state;
  for (let ruleIndex = 0; ruleIndex < rules.length; ruleIndex++) {
    const rule = rules[ruleIndex];
    if (state.ruleErrors?.has(ruleIndex) || !isObj(rule)) continue;
    const { entries, warnings, mappings, dropped } = compile(ruleIndex, rule);
    if (dropped) dropRule(state, ruleIndex, dropped);
    for (let i = 0; i < warnings.length; i++)
      addWarning(state, `${ruleLabel(rules, ruleIndex)}: ${warnings[i]}`);
    for (let i = 0; i < entries.length; i++) into.push(entries[i]);
    if (entries.length) contributed = true;
    for (let i = 0; i < mappings.length; i++) addMapping(backends, mappings[i]);
  }
  return contributed;
}

function buildGroup(group: Group, kind: RouteKind, winners: Member[], call: TranslateCall): void {
  const { opts, desired, backends } = call;
  const svc = group.service.metadata.name;
  const port = group.port.port;
  const semantics: RuleSemantics<unknown> = kind === 'GRPCRoute' ? GRPC_RULES : HTTP_RULES;
  const ctx: CompileContext = {
    options: opts,
    resolve: call.resolve,
    servicePort: port,
    scratch: call.scratch,
  };
  const entries: Entry[] = [];
  const sources: string[] = [];
  for (let w = 0; w < winners.length; w++) {
    const state = winners[w].state;
    if (state.compiledFor === group) continue;
    state.compiledFor = group;
    if (compileRules(state, entries, backends, (i, rule) => semantics.compile(state, i, rule, ctx)))
      sources.push(state.ref);
  }
  if (!entries.length) return;

  // A GRPCRoute rule with a filter only an HttpRoute can express makes the port an HttpRoute (grpc.ts).
  const form = semantics.form(winners);
  const hosts = hostnamesFor(svc, group.namespace, port, opts.clusterDomain, call.namespacesOf(svc));
  const id = routeId(form === 'HttpRoute' ? 'http' : 'grpc', opts.clusterId, group.namespace, svc, port);
  const sorted = sortEntries(entries, semantics.compare);
  const shadowed = findShadowedRules(sorted, semantics.firstCovering(sorted));
  // Output bodies are built once, in their final key order: name, description, labels, hostnames,
  // meshes, rules.
  const route: NsHttpRoute & NsGrpcRoute = {
    name: form === 'HttpRoute' ? httpRouteName(opts, id) : grpcRouteName(opts, id),
    // Members join groups in admission order, which is namespace/name order (uniqueSorted), and one
    // group's winners are of one kind: sources are listed sorted without comparing them again.
    description: routeDescription(kind, sources, group.namespace, svc, port),
    labels: routeLabelsFrom(call.base, group.namespace, svc),
    hostnames: hosts.hostnames,
    meshes: [call.mesh],
    rules: undefined,
  };
  const max = call.limits.matchesPerRule;
  if (form === 'HttpRoute') {
    const rules = emitRules(sorted, 'HttpRoute', call.scratch.run);
    const fallback = semantics.fallback?.(sorted);
    if (fallback) rules.push(fallback);
    (route as NsHttpRoute).rules = splitLongRules(rules, max);
  } else (route as NsGrpcRoute).rules = splitLongRules(emitRules(sorted, 'GrpcRoute', call.scratch.run), max);
  if (refusedOverLimit(route, form, group, winners, call.limits)) return;
  (form === 'HttpRoute' ? desired.httpRoutes : desired.grpcRoutes).push(route);
  if (kind === 'GRPCRoute' && form === 'HttpRoute') {
    const note = `Service port ${port} is served by an HttpRoute (not a GrpcRoute) because a GRPCRoute rule uses header modifiers or mirroring, which GrpcRoute cannot express; proxyless gRPC clients ignore those filters`;
    for (const m of winners) addNote(m, note);
  }
  for (let w = 0; w < winners.length; w++) {
    const parent = winners[w];
    if (!parent.routeIds.includes(id)) parent.routeIds.push(id);
    if (hosts.shortNameOmitted) addNote(parent, hosts.shortNameOmitted);
  }
  warnShadowed(group, winners, shadowed);
}

/**
 * A route over a size limit is not written: a parent that selected only this port is not accepted,
 * one that selected several gets a note naming the port (docs/support-matrix.md, "Sizes").
 */
function refusedOverLimit(
  route: NsHttpRoute | NsGrpcRoute,
  kind: RouteForm,
  group: Group,
  winners: Member[],
  limits: RouteLimits,
): boolean {
  const over = overLimit(route, limits);
  if (!over) return false;
  const target = `Service ${group.namespace}/${group.service.metadata.name} port ${group.port.port}`;
  const message = overLimitMessage(kind, target, over, limits);
  for (const parent of winners) {
    if (parent.portCount <= 1 && !parent.problem) parent.problem = { reason: 'UnsupportedValue', message };
    else addNote(parent, message);
  }
  return true;
}

/** A warning on the route of every rule that can never match on the group's port. */
function warnShadowed(group: Group, winners: Member[], shadowed: Shadowed[]): void {
  const where = `Service ${group.namespace}/${group.service.metadata.name}:${group.port.port}`;
  for (let i = 0; i < shadowed.length; i++) {
    const s = shadowed[i];
    const owner = winners.find((m) => m.state.ref === s.rule.route)?.state;
    const lost = s.backends.length ? `; backends ${s.backends.join(', ')} get no traffic from it` : '';
    if (owner)
      addWarning(
        owner,
        `${ruleLabel(owner.rules, s.rule.index)} can never match on ${where}: ${ruleText(s.by)} has identical or broader matches and takes precedence${lost}`,
      );
  }
}
