// Compute emulator state: global health checks and backend services (keyed by project), zonal NEGs
// (created by the Kubernetes stand-in's NEG controller or tests, never by API clients), operations,
// and optional atomic JSON-file persistence.
import { readStateFile, writeStateFile } from '../state-file.ts';
import { createHash, randomBytes } from 'node:crypto';
import { COMPUTE_ROOT } from '../../../shared/compute/types.ts';

export type Obj = Record<string, unknown>;
export type Collection = 'backendServices' | 'healthChecks';
export const COLLECTIONS: readonly Collection[] = ['backendServices', 'healthChecks'];

export type HealthState = 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TIMEOUT' | 'UNKNOWN';
export const HEALTH_STATES: readonly HealthState[] = [
  'HEALTHY',
  'UNHEALTHY',
  'DRAINING',
  'TIMEOUT',
  'UNKNOWN',
];

export interface NegEndpoint {
  ipAddress: string;
  port: number;
  /** What getHealth reports for this endpoint (default HEALTHY). */
  healthState?: HealthState;
}

export interface StoredNeg {
  /** '*' = visible in every project (a local cluster's NEGs live in whatever project asks). */
  project: string;
  zone: string;
  name: string;
  id: string;
  creationTimestamp: string;
  endpoints: NegEndpoint[];
}

export interface StoredOperation {
  /** The envelope as last returned. */
  op: Obj;
  pendingPolls: number;
  /** Epoch ms before which the operation stays RUNNING. */
  readyAt: number;
  /** Applied when the operation finishes (visibleWhenDone), or already applied. */
  apply?: { collection: Collection; key: string; body: Obj | undefined; expectFingerprint?: string };
  /** Set when the operation is to fail (fault injection). */
  failure?: { code: string; message: string; httpStatus: number };
}

export interface ComputeState {
  /** `projects/P/global/<collection>/<name>` -> stored body (output fields included). */
  resources: Record<Collection, Map<string, Obj>>;
  /** `project|zone|name` -> NEG. */
  negs: Map<string, StoredNeg>;
  /** `projects/P/global/operations/<name>` -> operation. */
  operations: Map<string, StoredOperation>;
  /** `projects/P/global/firewalls/<name>` -> rule (firewalls.ts; not persisted). */
  firewalls: Map<string, Obj>;
}

export function emptyState(): ComputeState {
  return {
    resources: { backendServices: new Map(), healthChecks: new Map() },
    negs: new Map(),
    operations: new Map(),
    firewalls: new Map(),
  };
}

export const negKey = (project: string, zone: string, name: string) => `${project}|${zone}|${name}`;
export const resourceKey = (project: string, collection: Collection, name: string) =>
  `projects/${project}/global/${collection}/${name}`;
export const selfLinkOf = (key: string) => `${COMPUTE_ROOT}${key}`;
export const negSelfLink = (project: string, zone: string, name: string) =>
  `${COMPUTE_ROOT}projects/${project}/zones/${zone}/networkEndpointGroups/${name}`;

/** The NEG a project sees under (zone, name): its own, else a project-less one. */
export function findNeg(
  state: ComputeState,
  project: string,
  zone: string,
  name: string,
): StoredNeg | undefined {
  return state.negs.get(negKey(project, zone, name)) ?? state.negs.get(negKey('*', zone, name));
}

/** A fresh numeric id (Compute ids are uint64 decimal strings). */
export function newId(): string {
  return BigInt(`0x${randomBytes(8).toString('hex')}`).toString();
}

/** RFC 3339 with milliseconds and an offset, as Compute writes creationTimestamp. */
export function timestamp(now = new Date()): string {
  return now.toISOString().replace('Z', '+00:00');
}

/** Base64 of 8 bytes of a hash of the body and a per-write salt: changes on every write. */
export function fingerprintOf(body: Obj): string {
  return createHash('sha256')
    .update(JSON.stringify(body))
    .update(randomBytes(8))
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

interface StateFile {
  version: 1;
  resources: Record<string, Record<string, Obj>>;
  negs: Record<string, StoredNeg>;
  operations: Record<string, StoredOperation>;
}

export function serializeState(state: ComputeState): StateFile {
  return {
    version: 1,
    resources: Object.fromEntries(COLLECTIONS.map((c) => [c, Object.fromEntries(state.resources[c])])),
    negs: Object.fromEntries(state.negs),
    operations: Object.fromEntries(state.operations),
  };
}

/** Loads a state file; a missing file is an empty state, a malformed one an error naming the file. */
export function loadState(file: string): ComputeState {
  const state = emptyState();
  const parsed = readStateFile<StateFile>(file, 'compute');
  if (!parsed) return state;
  for (const c of COLLECTIONS)
    for (const [k, body] of Object.entries(parsed.resources?.[c] ?? {})) state.resources[c].set(k, body);
  for (const [k, neg] of Object.entries(parsed.negs ?? {})) state.negs.set(k, neg);
  for (const [k, op] of Object.entries(parsed.operations ?? {})) state.operations.set(k, op);
  return state;
}

/** Writes to a temporary file next to the target, then renames: readers never see half a file. */
export function saveState(file: string, state: ComputeState): void {
  writeStateFile(file, serializeState(state));
}
