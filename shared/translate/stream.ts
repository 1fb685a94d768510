// TCPRoute -> TcpRoute and TLSRoute -> TlsRoute, one per Service port (docs/support-matrix.md, "TCPRoute"
// and "TLSRoute"). Neither Gateway API kind has matches, so on one port:
// - TCPRoute: the oldest route (creationTimestamp, then namespace/name: the Gateway API tie-break
//   between routes) takes every connection; later ones are Conflicted. Its TcpRoute rule matches each
//   IPv4 cluster IP of the Service (`/32`) and the port (TcpRoute matches IPv4 only).
// - TLSRoute: each hostname goes to the oldest route that lists it; a route left with none is
//   Conflicted. Its TlsRoute rule matches the hostnames as sniHost (TlsRoute has no address or port).
// - Only a route's first rule applies (v1 allows one; v1alpha2 rules have no matches either).
// Destinations are the weighted backendRefs, each on its TCP backend service (BackendMapping transport
// 'TCP'). TcpRoute/TlsRoute cannot refuse connections, so an unresolved share goes to the resolved
// backends (said in ResolvedRefs), and a rule with no usable backend writes no route (said in Accepted).
import { isIP } from 'node:net';
import type { BackendRef, Service } from '../gamma/types.ts';
import type { Desired, NsTcpRoute, NsTlsRoute, RouteLimits, TranslateOptions } from './types.ts';
import type { BackendResolver, WeightedBackend } from './backends.ts';
import { backendWeight, splitBackends } from './backends.ts';
import type { Backends } from './mappings.ts';
import { addMapping } from './mappings.ts';
import type { Group, Member, RouteState } from './state.ts';
import type { Problem } from './model.ts';
import { addNote } from './groups.ts';
import { addWarning } from './routes.ts';
import { routeDescription, routeId, routeLabelsFrom, tcpRouteName, tlsRouteName } from './names.ts';
import { TLS_ROUTE_MAX_SNI_HOSTS, overLimit, overLimitMessage } from './limits.ts';
import type { StreamKind } from './kinds.ts';
import { asArray, compareStrings, isObj, ruleLabel } from './util.ts';

/** What a stream group needs of its translate call. */
export interface StreamCall {
  opts: TranslateOptions;
  /** Resolves backendRefs to their TCP backend services (transport 'TCP'). */
  resolve: BackendResolver;
  base: Record<string, string>;
  /** The Mesh every route is attached to. */
  mesh: string;
  desired: Desired;
  backends: Backends;
  limits: RouteLimits;
  /** SNI names already routed in this call, with where: a TlsRoute cannot tell ports or Services apart. */
  sniClaims: Map<string, string>;
}

type Destination = { serviceName: string; weight: number };

/** One route on the port, with its members (a route may select the port through two parentRefs). */
interface Contender {
  state: RouteState;
  members: Member[];
  ruleIndex: number;
}

export function buildStreamGroup(group: Group, kind: StreamKind, winners: Member[], call: StreamCall): void {
  const contenders = oldestFirst(winners);
  if (kind === 'TCPRoute') buildTcpRoute(group, contenders, call);
  else buildTlsRoute(group, contenders, call);
}

/** The routes oldest first, each once, with the index of the rule that applies (-1: none valid). */
function oldestFirst(winners: Member[]): Contender[] {
  const byState = new Map<RouteState, Contender>();
  for (const m of winners) {
    const known = byState.get(m.state);
    if (known) known.members.push(m);
    else byState.set(m.state, { state: m.state, members: [m], ruleIndex: firstRule(m.state) });
  }
  return [...byState.values()].sort((a, b) => {
    const x = a.state.createdMs;
    const y = b.state.createdMs;
    return x < y ? -1 : x > y ? 1 : compareStrings(a.state.ref, b.state.ref);
  });
}

function firstRule(state: RouteState): number {
  for (let i = 0; i < state.rules.length; i++)
    if (!state.ruleErrors?.has(i) && isObj(state.rules[i])) return i;
  return -1;
}

function buildTcpRoute(group: Group, contenders: Contender[], call: StreamCall): void {
  const usable = contenders.filter((c) => c.ruleIndex >= 0);
  if (!usable.length) return;
  const [chosen, ...later] = usable;
  for (const c of later) conflict(c, group, [`TCPRoute ${chosen.state.ref}`], TCP_PRECEDENCE);
  const addresses = clusterAddresses(group.service);
  if (!addresses.ok) {
    for (const m of chosen.members) m.problem ??= addresses.problem;
    return;
  }
  const port = group.port.port;
  const destinations = compileRule(chosen, group, call);
  if (!destinations) return;
  const id = routeId('tcp', call.opts.clusterId, group.namespace, group.service.metadata.name, port);
  const route: NsTcpRoute = {
    ...routeHead(call, group, 'TCPRoute', [chosen.state.ref], tcpRouteName(call.opts, id)),
    rules: [
      {
        matches: addresses.v4.map((ip) => ({ address: `${ip}/32`, port: String(port) })),
        action: { destinations },
      },
    ],
  };
  if (refused(route, 'TcpRoute', group, chosen.members, call)) return;
  call.desired.tcpRoutes.push(route);
  accept(chosen, id);
  if (addresses.v6.length)
    for (const m of chosen.members)
      addNote(
        m,
        `IPv6 cluster IP ${addresses.v6.join(', ')} is not matched (Network Services TcpRoute matches IPv4 addresses only), so IPv6 connections to port ${port} are not routed by this route`,
      );
}

const TCP_PRECEDENCE =
  'a TCPRoute has no matches, so on one Service port the oldest TCPRoute takes every connection (creationTimestamp, then namespace/name)';
const TLS_PRECEDENCE =
  'every hostname of this TLSRoute is routed by an older TLSRoute (each SNI name goes to the oldest route that lists it: creationTimestamp, then namespace/name)';

function buildTlsRoute(group: Group, contenders: Contender[], call: StreamCall): void {
  const where = `Service ${group.namespace}/${group.service.metadata.name} port ${group.port.port}`;
  const rules: NonNullable<NsTlsRoute['rules']> = [];
  const used: Contender[] = [];
  const claims = new Map<string, string>(); // this port's names, claimed for the call once written
  for (const c of contenders) {
    if (c.ruleIndex < 0) continue;
    const hosts = asArray<string>((c.state.route.spec as { hostnames?: unknown }).hostnames);
    if (!hosts.length) {
      for (const m of c.members) m.problem ??= NO_HOSTNAMES;
      continue;
    }
    const own = hosts.filter((h) => !claims.has(h) && !call.sniClaims.has(h));
    const taken = hosts.filter((h) => !own.includes(h));
    const by = [...new Set(taken.map((h) => claims.get(h) ?? (call.sniClaims.get(h) as string)))];
    if (!own.length) {
      conflict(c, group, by, TLS_PRECEDENCE);
      continue;
    }
    if (taken.length)
      addWarning(
        c.state,
        `hostnames ${taken.join(', ')} are not routed to this TLSRoute on ${where}: ${by.join(', ')} already routes them (the oldest route wins; a TlsRoute matches SNI names, not ports)`,
      );
    const destinations = compileRule(c, group, call);
    if (!destinations) continue;
    for (const h of own) claims.set(h, `TLSRoute ${c.state.ref} (${where})`);
    rules.push({ matches: [{ sniHost: own }], action: { destinations } });
    used.push(c);
  }
  if (!rules.length) return;
  const members = used.flatMap((c) => c.members);
  if (claims.size > TLS_ROUTE_MAX_SNI_HOSTS) {
    const message = `${where}: its TlsRoute would match ${claims.size} SNI names, over the Network Services limit of ${TLS_ROUTE_MAX_SNI_HOSTS} per TlsRoute, so it is not written; spread the hostnames over fewer routes or ports`;
    for (const m of members) refuse(m, message);
    return;
  }
  const id = routeId(
    'tls',
    call.opts.clusterId,
    group.namespace,
    group.service.metadata.name,
    group.port.port,
  );
  const sources = used.map((c) => c.state.ref);
  const route: NsTlsRoute = {
    ...routeHead(call, group, 'TLSRoute', sources, tlsRouteName(call.opts, id)),
    rules,
  };
  if (refused(route, 'TlsRoute', group, members, call)) return;
  call.desired.tlsRoutes.push(route);
  for (const [host, claim] of claims) call.sniClaims.set(host, claim);
  const note = `a Network Services TlsRoute matches SNI names only (no address or port): connections with these SNI names are routed this way whichever mesh destination they are for, not only on ${where}`;
  for (const c of used) {
    accept(c, id);
    for (const m of c.members) addNote(m, note);
  }
}

const NO_HOSTNAMES: Problem = {
  reason: 'UnsupportedValue',
  message:
    'a TLSRoute without spec.hostnames cannot be translated: a Network Services TlsRoute matches connections by SNI, so it needs the SNI names; list them in spec.hostnames (TLSRoute v1 requires them)',
};

/** name, description, labels and meshes, in the order every route body starts with. */
function routeHead(
  call: StreamCall,
  group: Group,
  kind: StreamKind,
  sources: string[],
  name: string,
): { name: string; description: string; labels: Record<string, string>; meshes: string[] } {
  const svc = group.service.metadata.name;
  return {
    name,
    description: routeDescription(kind, sources, group.namespace, svc, group.port.port),
    labels: routeLabelsFrom(call.base, group.namespace, svc),
    meshes: [call.mesh],
  };
}

/**
 * The destinations of the contender's rule, or undefined when none can take connections (the
 * members are then refused on this port). Warns about the rules that never apply.
 */
function compileRule(c: Contender, group: Group, call: StreamCall): Destination[] | undefined {
  const { state } = c;
  for (let i = c.ruleIndex + 1; i < state.rules.length; i++)
    if (!state.ruleErrors?.has(i))
      addWarning(
        state,
        `${ruleLabel(state.rules, i)} never applies: ${state.kind} rules have no matches, so the first rule takes every connection`,
      );
  const rule = state.rules[c.ruleIndex] as { backendRefs?: unknown };
  const entries: WeightedBackend<undefined>[] = [];
  for (const ref of asArray<BackendRef>(rule.backendRefs)) {
    if (!isObj(ref)) continue;
    const resolved = call.resolve(ref, state.namespace, state.kind);
    entries.push({ ref, weight: backendWeight(ref), resolved, extra: undefined });
  }
  const split = splitBackends(entries);
  if (split.valid.length === 0) {
    const why = entries.some((e) => e.resolved.ok)
      ? 'every resolved backendRef has weight 0'
      : 'no backendRef resolves';
    const where = `Service ${group.namespace}/${group.service.metadata.name} port ${group.port.port}`;
    const message = `${ruleLabel(state.rules, c.ruleIndex)}: ${why}, and Network Services cannot refuse TCP connections, so no ${state.kind === 'TCPRoute' ? 'TcpRoute' : 'TlsRoute'} is written for ${where}; fix the backendRefs`;
    for (const m of c.members) refuse(m, message);
    return undefined;
  }
  for (const v of split.valid) addMapping(call.backends, v.resolved.mapping);
  return split.valid.map((v) => ({ serviceName: v.resolved.serviceName, weight: v.weight }));
}

/** A parent that selected only this port is not accepted; one with several ports gets a note. */
function refuse(m: Member, message: string): void {
  if (m.portCount <= 1 && !m.problem) m.problem = { reason: 'UnsupportedValue', message };
  else addNote(m, message);
}

function refused(
  route: NsTcpRoute | NsTlsRoute,
  kind: 'TcpRoute' | 'TlsRoute',
  group: Group,
  members: Member[],
  call: StreamCall,
): boolean {
  const over = overLimit(route, call.limits);
  if (!over) return false;
  const target = `Service ${group.namespace}/${group.service.metadata.name} port ${group.port.port}`;
  const message = overLimitMessage(kind, target, over, call.limits);
  for (const m of members) refuse(m, message);
  return true;
}

function conflict(c: Contender, group: Group, by: string[], why: string): void {
  for (const m of c.members) m.conflicted.push({ port: group.port.port, by, why });
}

function accept(c: Contender, id: string): void {
  for (const m of c.members) if (!m.routeIds.includes(id)) m.routeIds.push(id);
}

export type ClusterAddresses = { ok: true; v4: string[]; v6: string[] } | { ok: false; problem: Problem };

/**
 * The Service's cluster IPs (spec.clusterIPs, else spec.clusterIP), IPv4 and IPv6 apart. None is a
 * problem, not a guess: an offline manifest has no cluster IP until the API server assigns one.
 */
export function clusterAddresses(service: Service): ClusterAddresses {
  const spec = isObj(service.spec) ? service.spec : {};
  const label = `Service ${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
  const listed = asArray<unknown>(spec.clusterIPs).length
    ? asArray<unknown>(spec.clusterIPs)
    : typeof spec.clusterIP === 'string' && spec.clusterIP !== ''
      ? [spec.clusterIP]
      : [];
  const fail = (message: string): ClusterAddresses => ({
    ok: false,
    problem: { reason: 'UnsupportedValue', message },
  });
  if (!listed.length)
    return fail(
      `${label} has no spec.clusterIP: a TcpRoute matches connections by the Service's cluster IP, which an offline manifest lacks until the API server assigns it; translate the Service as read from the cluster, or set spec.clusterIP (and spec.clusterIPs for dual-stack) to its live values`,
    );
  const bad = listed.filter((ip) => typeof ip !== 'string' || isIP(ip) === 0);
  if (bad.length) return fail(`${label}: cluster IP ${JSON.stringify(bad[0])} is not an IP address`);
  const ips = listed as string[];
  const v4 = ips.filter((ip) => isIP(ip) === 4);
  const v6 = ips.filter((ip) => isIP(ip) === 6);
  if (!v4.length)
    return fail(
      `${label} has only IPv6 cluster IPs (${v6.join(', ')}): a Network Services TcpRoute matches IPv4 addresses only`,
    );
  return { ok: true, v4, v6 };
}
