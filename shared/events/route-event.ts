// Route events (docs/architecture.md §3.3): one Pub/Sub message per affected parent Service, carrying the complete
// snapshot for that parent. Encoding is JSON (UTF-8); the `schema` field versions the format.
import type { Snapshot } from '../translate/types.ts';
import { CLUSTER_ID_PATTERN } from '../config/patterns.ts';
import { isDecimalSequence } from './sequence.ts';

export const ROUTE_EVENT_SCHEMA = 'gamma-csm.dev/route-event/v1';
const SCHEMA_PREFIX = 'gamma-csm.dev/route-event/';

/** Enforced when encoding and decoding; well under Pub/Sub's 10 MB message limit. */
export const MAX_EVENT_BYTES = 4 * 1024 * 1024;

export interface ParentRefKey {
  namespace: string;
  name: string;
}

export interface RouteEvent {
  schema: typeof ROUTE_EVENT_SCHEMA;
  /** GAMMA_CLUSTER_ID of the emitting watcher. */
  cluster: string;
  /** The parent Service this snapshot is complete for. */
  parent: ParentRefKey;
  /** Decimal string, monotonic per parent (see sequence.ts for the rule). */
  sequence: string;
  /** RFC 3339 time of emission (informational; never used for ordering). */
  emittedAt: string;
  /** Why this was emitted, e.g. ["HTTPRoute ns/r modified", "resync"]. */
  reason: string[];
  snapshot: Snapshot;
  /**
   * Optional (added compatibly within v1): port numbers the parent Service had before the change that
   * caused this event, when it changed its ports or was deleted, so the sync function can delete the
   * routes of ports that no longer exist. Readers must treat absence as "no information".
   */
  previousPorts?: number[];
  /**
   * Optional (added compatibly within v1): where the event sits in its watcher's stream for this
   * parent. `run` is a random id per watcher process start; `count` grows by one with every event
   * that watcher publishes for the parent (a retried publish keeps its count). The sync function
   * uses it only to recognise the direct successor of the event it applied last (its memo of the
   * parent's routes may then stand in for reading them); absence means "read as usual".
   */
  origin?: EventOrigin;
}

export interface EventOrigin {
  /** Random id of the watcher process start: 1-64 of [A-Za-z0-9_-]. */
  run: string;
  /** 1, 2, 3, ... per parent within the run. */
  count: number;
}

export interface EncodedRouteEvent {
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey: string;
}

export type DecodeResult = { ok: true; event: RouteEvent } | { ok: false; error: string; permanent: true };
export type ValidationResult = { ok: true; event: RouteEvent } | { ok: false; error: string };

export const ATTR_SCHEMA = 'schema';
export const ATTR_CLUSTER = 'cluster';
export const ATTR_PARENT = 'parent';
export const ATTR_SEQUENCE = 'sequence';

/** The ordering key and identity of a parent: `cluster/namespace/service`. */
export function parentKey(cluster: string, namespace: string, name: string): string {
  return `${cluster}/${namespace}/${name}`;
}

// ---- validation ----

// RFC 3339 with a mandatory zone; Date.parse then rejects impossible dates such as month 13.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CLUSTER_ID = CLUSTER_ID_PATTERN;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function checkObjects(list: unknown, field: string, kind: string, problems: string[]): void {
  if (!Array.isArray(list)) {
    problems.push(`snapshot.${field} must be an array`);
    return;
  }
  list.forEach((o, i) => {
    const where = `snapshot.${field}[${i}]`;
    if (!isRecord(o)) return void problems.push(`${where} must be an object`);
    if (o.kind !== kind) problems.push(`${where}.kind must be "${kind}", got ${JSON.stringify(o.kind)}`);
    if (typeof o.apiVersion !== 'string') problems.push(`${where}.apiVersion must be a string`);
    const md = o.metadata;
    if (!isRecord(md)) return void problems.push(`${where}.metadata must be an object`);
    if (typeof md.name !== 'string' || md.name === '')
      problems.push(`${where}.metadata.name must be a non-empty string`);
    if (typeof md.namespace !== 'string' || md.namespace === '')
      problems.push(`${where}.metadata.namespace must be a non-empty string`);
  });
}

function checkSnapshot(s: unknown, problems: string[]): void {
  if (!isRecord(s)) return void problems.push('snapshot must be an object');
  checkObjects(s.services, 'services', 'Service', problems);
  checkObjects(s.httpRoutes, 'httpRoutes', 'HTTPRoute', problems);
  checkObjects(s.grpcRoutes, 'grpcRoutes', 'GRPCRoute', problems);
  // Optional (added compatibly within v1): events of a watcher that predates them carry none.
  if (s.tcpRoutes !== undefined) checkObjects(s.tcpRoutes, 'tcpRoutes', 'TCPRoute', problems);
  if (s.tlsRoutes !== undefined) checkObjects(s.tlsRoutes, 'tlsRoutes', 'TLSRoute', problems);
  if (s.udpRoutes !== undefined) checkObjects(s.udpRoutes, 'udpRoutes', 'UDPRoute', problems);
  if (s.namespaces !== undefined) checkObjects(s.namespaces, 'namespaces', 'Namespace', problems);
  const byName = s.serviceNamespacesByName;
  if (byName === undefined) return;
  if (!isRecord(byName)) return void problems.push('snapshot.serviceNamespacesByName must be an object');
  for (const [name, nss] of Object.entries(byName)) {
    if (!Array.isArray(nss) || !nss.every((n) => typeof n === 'string'))
      problems.push(`snapshot.serviceNamespacesByName[${JSON.stringify(name)}] must be an array of strings`);
  }
}

const ORIGIN_RUN = /^[A-Za-z0-9_-]{1,64}$/;

function checkOrigin(origin: unknown, problems: string[]): void {
  if (!isRecord(origin))
    return void problems.push(`origin must be an object {run, count}, got ${JSON.stringify(origin)}`);
  if (typeof origin.run !== 'string' || !ORIGIN_RUN.test(origin.run))
    problems.push(`origin.run must be 1-64 characters of [A-Za-z0-9_-], got ${JSON.stringify(origin.run)}`);
  if (!Number.isSafeInteger(origin.count) || (origin.count as number) < 1)
    problems.push(`origin.count must be a positive integer, got ${JSON.stringify(origin.count)}`);
}

function checkSchema(schema: unknown): string | undefined {
  if (schema === ROUTE_EVENT_SCHEMA) return undefined;
  if (typeof schema === 'string' && schema.startsWith(SCHEMA_PREFIX))
    return `unknown schema version ${JSON.stringify(schema)} (this build reads ${ROUTE_EVENT_SCHEMA})`;
  return `schema must be "${ROUTE_EVENT_SCHEMA}", got ${JSON.stringify(schema)}`;
}

/** Structural validation of a decoded value; every problem is listed, the first one names the field. */
export function validateRouteEvent(x: unknown): ValidationResult {
  if (!isRecord(x)) return { ok: false, error: 'route event must be a JSON object' };
  const schemaProblem = checkSchema(x.schema);
  if (schemaProblem) return { ok: false, error: schemaProblem };
  const problems: string[] = [];
  if (typeof x.cluster !== 'string' || !CLUSTER_ID.test(x.cluster))
    problems.push(`cluster must be a label-safe cluster id, got ${JSON.stringify(x.cluster)}`);
  if (!isRecord(x.parent)) problems.push('parent must be an object {namespace, name}');
  else {
    for (const f of ['namespace', 'name'] as const) {
      const v = x.parent[f];
      if (typeof v !== 'string' || !DNS_LABEL.test(v))
        problems.push(`parent.${f} must be a DNS label, got ${JSON.stringify(v)}`);
    }
  }
  if (!isDecimalSequence(x.sequence as string | undefined))
    problems.push(`sequence must be a decimal integer string, got ${JSON.stringify(x.sequence)}`);
  if (typeof x.emittedAt !== 'string' || !RFC3339.test(x.emittedAt) || Number.isNaN(Date.parse(x.emittedAt)))
    problems.push(`emittedAt must be an RFC 3339 timestamp, got ${JSON.stringify(x.emittedAt)}`);
  if (!Array.isArray(x.reason) || !x.reason.every((r) => typeof r === 'string'))
    problems.push('reason must be an array of strings');
  if (
    x.previousPorts !== undefined &&
    (!Array.isArray(x.previousPorts) ||
      !x.previousPorts.every((p) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535))
  )
    problems.push(`previousPorts must be an array of port numbers, got ${JSON.stringify(x.previousPorts)}`);
  if (x.origin !== undefined) checkOrigin(x.origin, problems);
  checkSnapshot(x.snapshot, problems);
  if (problems.length > 0) return { ok: false, error: `invalid route event: ${problems.join('; ')}` };
  return { ok: true, event: x as unknown as RouteEvent };
}

// ---- encode / decode ----

export function routeEventAttributes(event: RouteEvent): Record<string, string> {
  return {
    [ATTR_SCHEMA]: event.schema,
    [ATTR_CLUSTER]: event.cluster,
    [ATTR_PARENT]: `${event.parent.namespace}/${event.parent.name}`,
    [ATTR_SEQUENCE]: event.sequence,
  };
}

/** Validates and serializes; throws (a programming error in the watcher) on an invalid or oversized event. */
export function encodeRouteEvent(event: RouteEvent): EncodedRouteEvent {
  const v = validateRouteEvent(event);
  if (!v.ok) throw new Error(v.error);
  const data = Buffer.from(JSON.stringify(event), 'utf8');
  const key = parentKey(event.cluster, event.parent.namespace, event.parent.name);
  if (data.length > MAX_EVENT_BYTES)
    throw new Error(`route event for ${key} is ${data.length} bytes, over the ${MAX_EVENT_BYTES}-byte limit`);
  return { data, attributes: routeEventAttributes(event), orderingKey: key };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function fail(error: string): DecodeResult {
  return { ok: false, error, permanent: true };
}

function toBytes(data: Buffer | string): Buffer | string {
  if (Buffer.isBuffer(data)) return data;
  // A string is the base64 `message.data` of a Pub/Sub CloudEvent. Check size before decoding.
  if (Math.floor((data.length * 3) / 4) > MAX_EVENT_BYTES + 2)
    return `route event is about ${Math.floor((data.length * 3) / 4)} bytes, over the ${MAX_EVENT_BYTES}-byte limit`;
  if (!BASE64.test(data)) return 'route event data is not valid base64';
  return Buffer.from(data, 'base64');
}

function checkAttributes(
  event: RouteEvent,
  attributes: Record<string, string> | undefined,
): string | undefined {
  if (!attributes) return undefined;
  const expected = routeEventAttributes(event);
  for (const k of [ATTR_SCHEMA, ATTR_CLUSTER, ATTR_PARENT] as const) {
    if (attributes[k] !== undefined && attributes[k] !== expected[k])
      return `attribute ${k}=${JSON.stringify(attributes[k])} disagrees with the body (${JSON.stringify(expected[k])})`;
  }
  return undefined;
}

/**
 * Decodes a route event from raw bytes or from base64 text. Never throws; every failure is permanent
 * (redelivering the same bytes cannot succeed), so callers should ack and dead-letter or log it.
 */
export function decodeRouteEvent(data: Buffer | string, attributes?: Record<string, string>): DecodeResult {
  if (!Buffer.isBuffer(data) && typeof data !== 'string')
    return fail('route event data must be bytes or base64 text');
  const bytes = toBytes(data);
  if (typeof bytes === 'string') return fail(bytes);
  if (bytes.length > MAX_EVENT_BYTES)
    return fail(`route event is ${bytes.length} bytes, over the ${MAX_EVENT_BYTES}-byte limit`);
  if (bytes.length === 0) return fail('route event is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    return fail(`route event is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  const v = validateRouteEvent(parsed);
  if (!v.ok) return fail(v.error);
  const mismatch = checkAttributes(v.event, attributes);
  if (mismatch) return fail(`route event ${mismatch}`);
  return { ok: true, event: v.event };
}
