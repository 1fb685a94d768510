// The connection and outcome shapes both stream evaluators speak (TCPRoute/TLSRoute on the GAMMA side,
// TcpRoute/TlsRoute on the Network Services side), with normalization and comparison. Pure: no I/O.
import type { BackendTarget } from './request.ts';
import { WEIGHT_EPSILON } from './request.ts';

/** One TCP connection as a mesh client opens it. */
export interface MeshConnection {
  /** Namespace of the client Pod (consumer routes depend on it). */
  clientNamespace: string;
  /** The destination IP the client connects to (a Service cluster IP). */
  address: string;
  port: number;
  /** The SNI of the TLS ClientHello, when the client speaks TLS. */
  sni?: string;
}

/** A share of connections: to a backend, or refused (no backend). */
export interface ConnectionBranch {
  weight: number;
  backend?: BackendTarget;
}

/**
 * `passthrough`: no TCP or TLS routing applies (no route, or the port is served by HTTP or gRPC
 * routes, which the request evaluators judge); `routed`: how the connections are shared.
 */
export type ConnectionOutcome = { kind: 'passthrough' } | { kind: 'routed'; branches: ConnectionBranch[] };

export const PASSTHROUGH: ConnectionOutcome = Object.freeze({ kind: 'passthrough' as const });

/** Branches from weights: shares of the total; no positive weight means every connection is refused. */
export function weighted(entries: { weight: number; backend?: BackendTarget }[]): ConnectionOutcome {
  const total = entries.reduce((n, e) => n + Math.max(0, e.weight), 0);
  if (total === 0) return { kind: 'routed', branches: [{ weight: 1 }] };
  const branches = entries
    .filter((e) => e.weight > 0)
    .map((e) =>
      e.backend ? { weight: e.weight / total, backend: e.backend } : { weight: e.weight / total },
    );
  return { kind: 'routed', branches };
}

function branchKey(b: ConnectionBranch): string {
  return b.backend ? `${b.backend.namespace}/${b.backend.service}:${b.backend.port}` : 'refused';
}

/** Identical branches merged, zero weights dropped, sorted: a canonical form for comparison. */
export function normalizeConnection(outcome: ConnectionOutcome): ConnectionOutcome {
  if (outcome.kind === 'passthrough') return outcome;
  const merged = new Map<string, ConnectionBranch>();
  for (const b of outcome.branches) {
    if (b.weight <= 0) continue;
    const key = branchKey(b);
    const prev = merged.get(key);
    if (prev) prev.weight += b.weight;
    else merged.set(key, { ...b });
  }
  const branches = [...merged.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, b]) => b);
  return { kind: 'routed', branches };
}

/** Differences between two outcomes after normalization; empty means equal. */
export function diffConnections(
  a: ConnectionOutcome,
  b: ConnectionOutcome,
  epsilon = WEIGHT_EPSILON,
): string[] {
  const na = normalizeConnection(a);
  const nb = normalizeConnection(b);
  if (na.kind !== nb.kind) return [`kind ${na.kind} != ${nb.kind}`];
  if (na.kind === 'passthrough' || nb.kind === 'passthrough') return [];
  const other = new Map(nb.branches.map((x) => [branchKey(x), x]));
  const diffs: string[] = [];
  for (const x of na.branches) {
    const key = branchKey(x);
    const y = other.get(key);
    if (!y) diffs.push(`only in first (weight ${x.weight.toFixed(4)}): ${key}`);
    else if (Math.abs(x.weight - y.weight) > epsilon) diffs.push(`weight ${x.weight} != ${y.weight}: ${key}`);
    other.delete(key);
  }
  for (const [key, y] of other) diffs.push(`only in second (weight ${y.weight.toFixed(4)}): ${key}`);
  return diffs;
}

/**
 * The documented deviation (docs/support-matrix.md, "TCPRoute" and "TLSRoute"): Network Services cannot
 * refuse a share of connections, so the refused share of a split that still has a backend goes to
 * the backends in proportion. What the GAMMA outcome becomes under it.
 */
export function withRefusedShareRedistributed(outcome: ConnectionOutcome): ConnectionOutcome {
  if (outcome.kind === 'passthrough') return outcome;
  const served = outcome.branches.filter((b) => b.backend);
  const total = served.reduce((n, b) => n + b.weight, 0);
  if (served.length === 0 || total === 0) return outcome;
  return { kind: 'routed', branches: served.map((b) => ({ ...b, weight: b.weight / total })) };
}
