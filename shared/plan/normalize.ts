// Normalized bodies: two resources that the API treats as the same configuration normalize to
// deeply-equal values, so output-only fields, server defaults, reference spellings and orderings the
// API does not preserve never cause an update (docs/architecture.md §5.3).
import { FLOAT32_FIELDS } from '../netsvc/float32.ts';
import type { Kind, NsResource } from './types.ts';

/** The writable top-level fields of each kind, as update masks name them. */
export const MUTABLE_FIELDS: Record<Kind, readonly string[]> = {
  meshes: ['description', 'labels', 'interceptionPort', 'envoyHeaders'],
  httpRoutes: ['description', 'labels', 'hostnames', 'meshes', 'gateways', 'rules'],
  grpcRoutes: ['description', 'labels', 'hostnames', 'meshes', 'gateways', 'rules'],
  tcpRoutes: ['description', 'labels', 'meshes', 'gateways', 'rules'],
  tlsRoutes: ['description', 'labels', 'meshes', 'gateways', 'targetProxies', 'rules'],
};

/** Lists whose order carries no meaning (sets): compared sorted. `rules` and `matches` stay ordered. */
const UNORDERED_LISTS = new Set([
  'hostnames',
  'meshes',
  'gateways',
  'retryConditions',
  'allowOrigins',
  'allowOriginRegexes',
  'allowMethods',
  'allowHeaders',
  'exposeHeaders',
  'remove',
  'headers',
  'queryParameters',
  'targetProxies',
  'sniHost',
  'alpn',
]);

/** google.protobuf.Duration fields: "1.5s", "1.500s" and "1.500000000s" are one value. */
const DURATION_FIELDS = new Set(['timeout', 'perTryTimeout', 'idleTimeout', 'fixedDelay', 'cookieTtl']);

/** Fields whose value names another resource: full URLs and relative names are one value. */
const REFERENCE_FIELDS = new Set(['meshes', 'gateways', 'targetProxies', 'serviceName']);

/**
 * Proto3 `optional` fields keep presence: `false`/`0` is not the same as absent there (GrpcRoute
 * caseSensitive defaults to true; its weights and fault fields are explicit). HttpRoute has none.
 */
const PRESENCE_FIELDS: Record<Kind, ReadonlySet<string>> = {
  meshes: new Set(),
  httpRoutes: new Set(),
  grpcRoutes: new Set(['caseSensitive', 'weight', 'percentage', 'httpStatus']),
  tcpRoutes: new Set(),
  tlsRoutes: new Set(),
};

/**
 * Idle timeouts the API applies when none is set (the vendored discovery document,
 * infra/local/discovery/networkservices-v1.json): TcpRoute 30 s, TlsRoute 1 h.
 */
const DEFAULT_IDLE_TIMEOUT: Partial<Record<Kind, string>> = { tcpRoutes: '30s', tlsRoutes: '3600s' };

/** Server-side defaults equal to absence. */
function isDefaultValue(kind: Kind, key: string, value: unknown): boolean {
  if (typeof value === 'string' && value.endsWith('_UNSPECIFIED')) return true;
  if (kind === 'meshes' && key === 'interceptionPort' && value === 15001) return true;
  if (kind === 'meshes' && key === 'envoyHeaders' && value === 'NONE') return true;
  if (kind === 'grpcRoutes' && key === 'type' && value === 'EXACT') return true;
  if (key === 'idleTimeout' && value === DEFAULT_IDLE_TIMEOUT[kind]) return true;
  return false;
}

/** Canonical reference: the relative name `projects/...`, whatever host and API version prefixed it. */
export function canonicalReference(ref: string): string {
  const i = ref.indexOf('projects/');
  return i > 0 && /^(https?:)?\/\//.test(ref) ? ref.slice(i) : ref;
}

/** Canonical duration: seconds with the fraction's trailing zeros removed ("1.500s" -> "1.5s"). */
export function canonicalDuration(value: string): string {
  const m = /^(-?\d+)(?:\.(\d+))?s$/.exec(value);
  if (!m) return value;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  return fraction ? `${m[1]}.${fraction}s` : `${m[1]}s`;
}

/** A TcpRoute address without a prefix length matches that one address: "10.0.0.1" is "10.0.0.1/32". */
export function canonicalCidr(value: string): string {
  return value.includes('/') ? value : `${value}/32`;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function stableKey(value: unknown): string {
  return JSON.stringify(value);
}

function normalizeValue(kind: Kind, key: string, value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => normalizeValue(kind, key, v)).filter((v) => !isEmpty(v));
    return UNORDERED_LISTS.has(key) ? items.sort((a, b) => stableKey(a).localeCompare(stableKey(b))) : items;
  }
  if (value !== null && typeof value === 'object')
    return normalizeObject(kind, value as Record<string, unknown>);
  // proto `float` fields come back as the nearest float32: compare at that precision, or a value
  // such as 100/3 would differ on every read and be patched forever (docs/api-fidelity.md).
  if (typeof value === 'number' && FLOAT32_FIELDS.has(key)) return Math.fround(value);
  if (typeof value === 'string') {
    if (REFERENCE_FIELDS.has(key)) return canonicalReference(value);
    if (DURATION_FIELDS.has(key)) return canonicalDuration(value);
    if (kind === 'tcpRoutes' && key === 'address') return canonicalCidr(value);
  }
  return value;
}

function normalizeObject(kind: Kind, obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) {
    const value = normalizeValue(kind, key, obj[key]);
    if (isEmpty(value) || isDefaultValue(kind, key, value)) continue;
    if ((value === false || value === 0) && !PRESENCE_FIELDS[kind].has(key)) continue;
    out[key] = value;
  }
  return out;
}

/**
 * The comparable form of a resource: only its writable top-level fields (output-only fields such as
 * name, createTime, updateTime, selfLink are dropped), with defaults removed, sets sorted, map keys
 * sorted, references and durations in canonical spelling.
 */
export function normalize(kind: Kind, body: NsResource): Record<string, unknown> {
  const source = body as Record<string, unknown>;
  const writable: Record<string, unknown> = {};
  for (const field of MUTABLE_FIELDS[kind]) if (field in source) writable[field] = source[field];
  return normalizeObject(kind, writable);
}
