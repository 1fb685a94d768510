// Route kinds on one Service port (docs/support-matrix.md, "Route kinds on one port"). GEP-1294 ("Route
// types"): when routes of different kinds attach to the same Service and port, only one kind applies,
// GRPCRoute, then HTTPRoute, then TLSRoute, then TCPRoute; the others are ignored and get
// Accepted=False with reason Conflicted. A parentRef without port or sectionName never selects a port
// of the other family in the first place (parents.ts implicitlySkipped), so these conflicts come from
// routes that name the port, or ports whose name and appProtocol say nothing.
import type { RouteKind } from '../gamma/types.ts';
import type { Group, Member } from './state.ts';
import type { RouteFamily } from './parents.ts';

/** First wins (GEP-1294). */
export const KIND_PRECEDENCE: readonly RouteKind[] = ['GRPCRoute', 'HTTPRoute', 'TLSRoute', 'TCPRoute'];

export type StreamKind = 'TCPRoute' | 'TLSRoute';

export function isStreamKind(kind: RouteKind): kind is StreamKind {
  return kind === 'TCPRoute' || kind === 'TLSRoute';
}

export function routeFamily(kind: RouteKind): RouteFamily {
  return isStreamKind(kind) ? 'stream' : 'http';
}

/** The precedence text of a conflict between kinds (the GRPCRoute-over-HTTPRoute one is status.ts's default). */
function kindPrecedence(winner: RouteKind, loser: RouteKind): string | undefined {
  if (winner === 'GRPCRoute' && loser === 'HTTPRoute') return undefined;
  return `GEP-1294: only one route kind applies on a Service port, GRPCRoute before HTTPRoute before TLSRoute before TCPRoute; this ${loser} is ignored there`;
}

/**
 * Whether a member makes its kind a candidate for the port. An HTTPRoute always does (its rules
 * default to one); a route of another kind needs rules.
 */
function counts(m: Member): boolean {
  return m.state.kind === 'HTTPRoute' || m.state.ruleCount > 0;
}

/**
 * The kind that serves the group's port and its members; the members of other kinds that count are
 * marked conflicted on this port.
 */
export function portWinners(group: Group): { kind: RouteKind; winners: Member[] } {
  const { members } = group;
  const kind =
    KIND_PRECEDENCE.find((k) => members.some((m) => m.state.kind === k && counts(m))) ?? 'HTTPRoute';
  // Most ports have members of one kind: then the winners are the members list itself.
  if (members.every((m) => m.state.kind === kind)) return { kind, winners: members };
  const winners = members.filter((m) => m.state.kind === kind);
  const by = [...new Set(winners.filter(counts).map((m) => `${kind} ${m.state.namespace}/${m.state.name}`))];
  const port = group.port.port;
  for (const m of members) {
    if (m.state.kind === kind || !counts(m)) continue;
    const why = kindPrecedence(kind, m.state.kind);
    m.conflicted.push(why === undefined ? { port, by } : { port, by, why });
  }
  return { kind, winners };
}
