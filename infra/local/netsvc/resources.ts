// Pure resource handling for the emulator: output shaping, update masks, cross-resource rules
// (hostname uniqueness per Mesh, Mesh references) and page tokens.
import { type Kind, OUTPUT_ONLY_FIELDS, WRITABLE_FIELDS, type Violation } from './validate.ts';

type Obj = Record<string, unknown>;

/** Proto3 `optional` fields keep their presence even when they hold the default (§1.6). */
const KEEP_PRESENCE: Record<Kind, ReadonlySet<string>> = {
  meshes: new Set(['envoyHeaders']),
  httpRoutes: new Set(),
  grpcRoutes: new Set(['weight', 'caseSensitive', 'faultInjectionPolicy']),
  tcpRoutes: new Set(),
  tlsRoutes: new Set(),
};

/** The request body minus output-only fields (AIP-203: ignored, not rejected). */
export function withoutOutputOnly(body: Obj): Obj {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !OUTPUT_ONLY_FIELDS.includes(k)));
}

/** Drops default values (false, 0, "", [], empty maps, *_UNSPECIFIED) recursively, except presence-tracked fields. */
export function omitDefaults(kind: Kind, value: unknown): unknown {
  const keep = KEEP_PRESENCE[kind];
  const walk = (v: unknown, kept: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, kept));
    if (!v || typeof v !== 'object') return v;
    const out: Obj = {};
    for (const [k, raw] of Object.entries(v as Obj)) {
      const keepThis = kept || keep.has(k);
      const child = walk(raw, keepThis);
      if (keepThis ? child !== undefined && child !== null : !isDefault(k, child)) out[k] = child;
    }
    return out;
  };
  return walk(value, false);
}

/** Map fields: empty means unset. Other objects are messages, whose presence proto3 keeps. */
const MAP_FIELDS = new Set(['labels', 'set', 'add']);

function isDefault(key: string, v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (typeof v === 'string' && v.endsWith('_UNSPECIFIED')) return true;
  if (Array.isArray(v)) return v.length === 0;
  return MAP_FIELDS.has(key) && typeof v === 'object' && Object.keys(v as Obj).length === 0;
}

/** Parses `updateMask` (comma-separated). Returns undefined for "no mask" (full replacement). */
export function parseMask(kind: Kind, mask: string | null): { paths?: string[]; violations: Violation[] } {
  if (mask === null || mask.trim() === '') return { violations: [] };
  const paths = mask
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (paths.includes('*')) return { violations: [] };
  const violations = paths
    .filter((p) => !OUTPUT_ONLY_FIELDS.includes(p) && !WRITABLE_FIELDS[kind].includes(p))
    .map((p) => ({
      field: 'updateMask',
      description: `unknown field "${p}" in updateMask; ${kind} fields are ${WRITABLE_FIELDS[kind].join(', ')}`,
    }));
  return { paths: paths.filter((p) => WRITABLE_FIELDS[kind].includes(p)), violations };
}

/** PATCH: replace the masked top-level fields (repeated fields as a whole), or everything without a mask. */
export function applyPatch(existing: Obj, body: Obj, paths: string[] | undefined): Obj {
  const writable = withoutOutputOnly(body);
  if (!paths) return writable;
  const next: Obj = withoutOutputOnly(existing);
  for (const p of paths) {
    if (writable[p] === undefined) delete next[p];
    else next[p] = writable[p];
  }
  return next;
}

/** `https://…/v1alpha1/projects/P/locations/L/meshes/M` and `projects/P/…/meshes/M` name the same Mesh. */
export function meshKey(ref: string): string {
  const i = ref.indexOf('projects/');
  return i >= 0 ? ref.slice(i) : ref;
}

export interface StoredRoute {
  kind: Kind;
  name: string;
  body: Obj;
}

/**
 * Hostnames must be unique among the routes attached to one Mesh (§3.1). Http and Grpc routes
 * share the space; the hostname string (port included) is the key.
 */
export function hostnameConflicts(candidate: StoredRoute, others: Iterable<StoredRoute>): Violation[] {
  const hosts = stringList(candidate.body.hostnames);
  const meshes = new Set(stringList(candidate.body.meshes).map(meshKey));
  if (hosts.length === 0 || meshes.size === 0) return [];
  const out: Violation[] = [];
  for (const other of others) {
    if (other.name === candidate.name) continue;
    const sharedMesh = stringList(other.body.meshes)
      .map(meshKey)
      .find((m) => meshes.has(m));
    if (!sharedMesh) continue;
    const theirs = new Set(stringList(other.body.hostnames));
    hosts.forEach((h, i) => {
      if (theirs.has(h)) {
        out.push({
          field: `hostnames[${i}]`,
          description: `hostname "${h}" is already used by ${other.name} on mesh ${sharedMesh}; routes attached to the same Mesh must have unique hostnames`,
        });
      }
    });
  }
  return out;
}

/** Routes whose `meshes` reference the given Mesh. */
export function routesReferencingMesh(meshName: string, routes: Iterable<StoredRoute>): string[] {
  const key = meshKey(meshName);
  const out: string[] = [];
  for (const r of routes) if (stringList(r.body.meshes).some((m) => meshKey(m) === key)) out.push(r.name);
  return out.sort();
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Opaque page token: the last name returned, base64url-encoded with a tag so garbage is detected. */
export function encodePageToken(lastName: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: lastName })).toString('base64url');
}

export function decodePageToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v?: number;
      after?: unknown;
    };
    return parsed.v === 1 && typeof parsed.after === 'string' ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}

/** One page of `sortedNames` after the token's position. */
export function page<T extends { name: string }>(
  sorted: T[],
  pageSize: number,
  after: string | undefined,
): { items: T[]; nextPageToken?: string } {
  const start = after === undefined ? 0 : sorted.findIndex((x) => x.name > after);
  const from = start < 0 ? sorted.length : start;
  const items = sorted.slice(from, from + pageSize);
  const more = from + pageSize < sorted.length;
  return more ? { items, nextPageToken: encodePageToken(items[items.length - 1].name) } : { items };
}

/** RFC 3339 UTC with 9 fractional digits, strictly increasing within this process. */
export function makeClock(now: () => bigint = wallClockNs()) {
  let last = 0n;
  return (): string => {
    let ns = now();
    if (ns <= last) ns = last + 1n;
    last = ns;
    const ms = Number(ns / 1_000_000n);
    const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
    return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
  };
}

/** Wall-clock nanoseconds: Date.now() anchored once, advanced by the monotonic hrtime. */
function wallClockNs(): () => bigint {
  const base = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  return () => base + process.hrtime.bigint();
}
