// The request and outcome shapes both evaluators speak, plus the helpers they share (header
// modification, regex, normalization and comparison). Pure: no I/O.
import { RE2JS } from 're2js';

export interface GrpcMethod {
  service: string; // e.g. "proto.EchoTestService"
  method: string; // e.g. "Echo"
}

/** One request as a mesh client sends it. */
export interface MeshRequest {
  protocol: 'http' | 'grpc';
  /** Namespace of the client Pod (GAMMA consumer routes and short DNS names depend on it). */
  clientNamespace: string;
  /** The host the client dials (URL host): a Service DNS name or an IP. Decides the frontend in GAMMA. */
  host: string;
  port: number;
  /** Path without query; '' is sent as '/'. gRPC: derived from `grpc` when absent. */
  path?: string;
  /** Query parameters in request order (first value wins for matching). */
  query?: Array<[string, string]>;
  method?: string;
  headers?: Record<string, string>;
  /** Host header override (`-H Host:x`); by default the client sends `host` (plus `:port` when not 80). */
  hostHeader?: string;
  grpc?: GrpcMethod;
}

export interface BackendTarget {
  namespace: string;
  service: string;
  port: number;
}

export interface MirrorTarget extends BackendTarget {
  percent: number;
}

export interface OutcomeBranch {
  weight: number; // fraction of requests; branches sum to 1
  status: number;
  backend?: BackendTarget;
  location?: string;
  /** Every header the backend receives, names lower-cased (Host is in `host`). */
  requestHeaders?: Record<string, string>;
  /** Headers the route adds to the response (set and add; a removed header is absent). */
  responseHeaders?: Record<string, string>;
  path?: string; // path the backend sees
  host?: string; // Host / authority the backend sees
  mirrors?: MirrorTarget[];
}

export type Outcome = { kind: 'passthrough' } | { kind: 'response'; outcomes: OutcomeBranch[] };

/** Split/abort comparison tolerance: NS abort percentages are whole numbers (rounding error up to 0.5%). */
export const WEIGHT_EPSILON = 0.0051;

// ---------- request helpers ----------

export function requestPath(req: MeshRequest): string {
  if (req.path !== undefined && req.path !== '') return req.path;
  if (req.protocol === 'grpc' && req.grpc) return `/${req.grpc.service}/${req.grpc.method}`;
  return '/';
}

export function requestMethod(req: MeshRequest): string {
  return req.method ?? (req.protocol === 'grpc' ? 'POST' : 'GET');
}

/** The authority the client puts on the wire: `host[:port]`, omitting :80 for plain http. */
export function requestAuthority(req: MeshRequest): string {
  if (req.hostHeader !== undefined) return req.hostHeader;
  if (req.protocol === 'http' && req.port === 80) return req.host;
  return `${req.host}:${req.port}`;
}

export function lowerHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const name = k.toLowerCase();
    if (name === 'host') continue; // carried separately as the authority
    out[name] = name in out ? `${out[name]},${v}` : v;
  }
  return out;
}

export function queryValue(req: MeshRequest, name: string): string | undefined {
  return req.query?.find(([k]) => k === name)?.[1];
}

export function queryString(req: MeshRequest): string {
  if (!req.query || req.query.length === 0) return '';
  return '?' + req.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

// ---------- regex (RE2, whole-value) ----------

const regexCache = new Map<string, RE2JS>();

/** RE2 full match, as Envoy's safe_regex and gRPC do. */
export function re2FullMatch(pattern: string, value: string): boolean {
  let re = regexCache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    regexCache.set(pattern, re);
  }
  return re.matches(value);
}

// ---------- header modification ----------

export interface HeaderOps {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

/** remove, then set (replace), then add (append with a comma). Names are case-insensitive. */
export function applyHeaderOps(
  headers: Record<string, string>,
  ops: HeaderOps | undefined,
): Record<string, string> {
  if (!ops) return headers;
  const out = { ...headers };
  for (const name of ops.remove ?? []) delete out[name.toLowerCase()];
  for (const [name, value] of Object.entries(ops.set ?? {})) out[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(ops.add ?? {})) {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return out;
}

// ---------- redirect Location ----------

export interface RedirectParts {
  scheme?: string; // replacement scheme, undefined = keep
  host?: string; // replacement host (no port)
  port?: number; // replacement port
  path: string; // final path
}

/**
 * Location as Gateway API defines it (and Envoy builds it): an explicit port wins; a set
 * scheme with no port uses the scheme's well-known port; otherwise the port the client called.
 * Well-known ports are omitted.
 */
export function redirectLocation(req: MeshRequest, parts: RedirectParts): string {
  const scheme = parts.scheme ?? 'http'; // mesh clients speak plain http to the sidecar
  const host = parts.host ?? stripPort(requestAuthority(req));
  let port: number;
  if (parts.port !== undefined) port = parts.port;
  else if (parts.scheme !== undefined) port = scheme === 'https' ? 443 : 80;
  else port = req.port;
  const defaultPort = scheme === 'https' ? 443 : 80;
  const authority = port === defaultPort ? host : `${host}:${port}`;
  return `${scheme}://${authority}${parts.path}${queryString(req)}`;
}

export function stripPort(authority: string): string {
  const m = /^(\[[^\]]+\]|[^:]+)(:\d+)?$/.exec(authority);
  return m ? m[1] : authority;
}

// ---------- normalization and comparison ----------

/** Error and redirect outcomes carry only what a client can observe of them. */
function canonicalBranch(b: OutcomeBranch): OutcomeBranch {
  if (!b.backend) {
    const out: OutcomeBranch = { weight: b.weight, status: b.status };
    if (b.location !== undefined) out.location = b.location;
    return out;
  }
  const out: OutcomeBranch = { ...b };
  if (out.mirrors) {
    out.mirrors = [...out.mirrors]
      .filter((m) => m.percent > 0)
      .sort((a, c) =>
        branchKey({ weight: 0, status: 0, backend: a }).localeCompare(
          branchKey({ weight: 0, status: 0, backend: c }),
        ),
      );
    if (out.mirrors.length === 0) delete out.mirrors;
  }
  if (out.responseHeaders && Object.keys(out.responseHeaders).length === 0) delete out.responseHeaders;
  return out;
}

function sortedObject(o: Record<string, string> | undefined): [string, string][] | undefined {
  return o ? Object.entries(o).sort(([a], [b]) => a.localeCompare(b)) : undefined;
}

function branchKey(b: OutcomeBranch): string {
  return JSON.stringify([
    b.status,
    b.backend ? [b.backend.namespace, b.backend.service, b.backend.port] : null,
    b.location ?? null,
    sortedObject(b.requestHeaders) ?? null,
    sortedObject(b.responseHeaders) ?? null,
    b.path ?? null,
    b.host ?? null,
    b.mirrors?.map((m) => [m.namespace, m.service, m.port, m.percent]) ?? null,
  ]);
}

/** Merge identical branches, drop zero-weight ones, sort: a canonical form for comparison. */
export function normalizeOutcome(outcome: Outcome): Outcome {
  if (outcome.kind === 'passthrough') return outcome;
  const merged = new Map<string, OutcomeBranch>();
  for (const raw of outcome.outcomes) {
    if (raw.weight <= 0) continue;
    const b = canonicalBranch(raw);
    const key = branchKey(b);
    const prev = merged.get(key);
    if (prev) prev.weight += b.weight;
    else merged.set(key, { ...b });
  }
  const outcomes = [...merged.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, b]) => b);
  return { kind: 'response', outcomes };
}

/** Differences between two outcomes after normalization; empty means equal. */
export function diffOutcomes(a: Outcome, b: Outcome, epsilon = WEIGHT_EPSILON): string[] {
  const na = normalizeOutcome(a);
  const nb = normalizeOutcome(b);
  if (na.kind !== nb.kind) return [`kind ${na.kind} != ${nb.kind}`];
  if (na.kind === 'passthrough' || nb.kind === 'passthrough') return [];
  const mapB = new Map(nb.outcomes.map((o) => [branchKey(o), o]));
  const diffs: string[] = [];
  for (const o of na.outcomes) {
    const key = branchKey(o);
    const other = mapB.get(key);
    if (!other) diffs.push(`only in first (weight ${o.weight.toFixed(4)}): ${key}`);
    else if (Math.abs(other.weight - o.weight) > epsilon)
      diffs.push(`weight ${o.weight} != ${other.weight}: ${key}`);
    mapB.delete(key);
  }
  for (const [key, o] of mapB) diffs.push(`only in second (weight ${o.weight.toFixed(4)}): ${key}`);
  return diffs;
}

/** Scale a list of branches by a factor (used when a share of requests takes another path). */
export function scaleBranches(branches: OutcomeBranch[], factor: number): OutcomeBranch[] {
  return branches.map((b) => ({ ...b, weight: b.weight * factor }));
}
