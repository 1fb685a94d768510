// The copy-on-write applyDefaults as it was before the hand-fused rewrite (kept only as the
// reference the property test compares the fast implementation against).
// The defaults the API server's CRD schemas would fill in (gateway-api v1.6.1 standard CRDs plus
// the experimental fields we handle, and core/v1 Service). Raw YAML lacks them; a live cluster
// object already has them, so applying them again changes nothing (idempotent).
//
// Copy-on-write: only the objects along a changed path are copied; everything else is shared with
// the input, which is never mutated. Only known fields are walked, so unknown or hostile subtrees
// (deep nesting, wrong types) are left alone and cannot make this throw.
import { isPlainObject } from '../../../shared/gamma/parse.ts';
import type { KubeObject } from '../../../shared/gamma/types.ts';
import { GATEWAY_GROUP } from '../../../shared/gamma/types.ts';

type Obj = Record<string, unknown>;
type Step = (value: unknown) => unknown;

export const DEFAULT_PATH_MATCH = Object.freeze({ type: 'PathPrefix', value: '/' });

export function applyDefaultsReference<T extends KubeObject>(obj: T): T {
  if (!isPlainObject(obj)) return obj;
  const group = typeof obj.apiVersion === 'string' ? obj.apiVersion.split('/')[0] : '';
  if (group === GATEWAY_GROUP && obj.kind === 'HTTPRoute') return field(obj, 'spec', httpRouteSpec) as T;
  if (group === GATEWAY_GROUP && obj.kind === 'GRPCRoute') return field(obj, 'spec', grpcRouteSpec) as T;
  if (group === GATEWAY_GROUP && (obj.kind === 'TCPRoute' || obj.kind === 'TLSRoute'))
    return field(obj, 'spec', streamRouteSpec) as T;
  if (obj.apiVersion === 'v1' && obj.kind === 'Service') return field(obj, 'spec', serviceSpec) as T;
  return obj;
}

// ---- generic copy-on-write helpers ----

/** Applies `step` to obj[key]; returns obj itself when nothing changed. Non-objects pass through. */
function field(obj: unknown, key: string, step: Step): unknown {
  if (!isPlainObject(obj)) return obj;
  const before = obj[key];
  const after = step(before);
  return after === before ? obj : { ...obj, [key]: after };
}

function fields(...steps: [string, Step][]): Step {
  return (value) => steps.reduce((acc, [key, step]) => field(acc, key, step), value);
}

/** Maps a list element-wise; returns the same array when no element changed. */
function each(step: Step): Step {
  return (value) => {
    if (!Array.isArray(value)) return value;
    let changed = false;
    const out = value.map((item) => {
      const next = step(item);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  };
}

/** Fills keys that are absent (undefined); present values, even of the wrong type, are kept. */
function fill(defaults: Obj): Step {
  const keys = Object.keys(defaults);
  return (value) => {
    if (!isPlainObject(value)) return value;
    // Runs on every ref and match of every route: check before allocating.
    if (keys.every((k) => value[k] !== undefined)) return value;
    const missing = keys.filter((k) => value[k] === undefined);
    const out: Obj = { ...value };
    for (const k of missing) out[k] = cloneDefault(defaults[k]);
    return out;
  };
}

/** Replaces an absent value with a fresh copy of `fallback` (so callers never share our constants). */
function orDefault(fallback: unknown): Step {
  return (value) => (value === undefined ? cloneDefault(fallback) : value);
}

function then(...steps: Step[]): Step {
  return (value) => steps.reduce((acc, step) => step(acc), value);
}

function cloneDefault(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

// ---- Gateway API ----

const parentRef = fill({ group: GATEWAY_GROUP, kind: 'Gateway' });
const backendObjectRef = fill({ group: '', kind: 'Service' });
const headerMatch = fill({ type: 'Exact' });
const sessionPersistence = then(
  fill({ type: 'Cookie' }),
  fields(['cookieConfig', fill({ lifetimeType: 'Session' })]),
);

const requestMirror = fields(['backendRef', backendObjectRef], ['fraction', fill({ denominator: 100 })]);

const httpFilter = fields(
  ['requestRedirect', fill({ statusCode: 302 })],
  ['requestMirror', requestMirror],
  ['cors', fill({ maxAge: 5 })],
);
const grpcFilter = fields(['requestMirror', requestMirror]);

function backendRef(filter: Step): Step {
  return then(fill({ group: '', kind: 'Service', weight: 1 }), fields(['filters', each(filter)]));
}

const httpPath = then(orDefault(DEFAULT_PATH_MATCH), fill({ ...DEFAULT_PATH_MATCH }));
const httpMatch = fields(
  ['path', httpPath],
  ['headers', each(headerMatch)],
  ['queryParams', each(headerMatch)],
);

const httpRule = fields(
  ['matches', then(orDefault([{ path: DEFAULT_PATH_MATCH }]), each(httpMatch))],
  ['filters', each(httpFilter)],
  ['backendRefs', each(backendRef(httpFilter))],
  ['sessionPersistence', sessionPersistence],
);

const httpRouteSpec = fields(
  ['parentRefs', each(parentRef)],
  ['rules', then(orDefault([{ matches: [{ path: DEFAULT_PATH_MATCH }] }]), each(httpRule))],
);

const grpcMatch = fields(['method', fill({ type: 'Exact' })], ['headers', each(headerMatch)]);

const grpcRule = fields(
  ['matches', each(grpcMatch)],
  ['filters', each(grpcFilter)],
  ['backendRefs', each(backendRef(grpcFilter))],
  ['sessionPersistence', sessionPersistence],
);

const grpcRouteSpec = fields(['parentRefs', each(parentRef)], ['rules', each(grpcRule)]);

// TCPRoute and TLSRoute: parentRef and backendRef defaults only (their backendRefs have no filters).
const streamRule = fields(['backendRefs', each(backendRef((f) => f))]);
const streamRouteSpec = fields(['parentRefs', each(parentRef)], ['rules', each(streamRule)]);

// ---- core/v1 Service ----

function servicePort(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const withProtocol = fill({ protocol: 'TCP' })(value) as Obj;
  return withProtocol.targetPort === undefined && withProtocol.port !== undefined
    ? { ...withProtocol, targetPort: withProtocol.port }
    : withProtocol;
}

const serviceSpec = then(fill({ type: 'ClusterIP' }), fields(['ports', each(servicePort)]));
