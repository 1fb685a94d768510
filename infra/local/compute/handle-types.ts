// The shapes the emulator's handle exposes (server.ts) and its admin surface reads (admin.ts), in a
// module of their own so neither imports the other.
import type { EmulatorStats as NetsvcEmulatorStats } from '../netsvc/server.ts';
import type { NegDeletion, NegSpec } from './negs.ts';
import type { Collection, HealthState, Obj, StoredNeg } from './store.ts';

// The request log and counters are the Network Services emulator's (one request loop's records);
// Compute has no quota mode, so no quota count.
export type { RequestLogEntry } from '../netsvc/server.ts';
export type EmulatorStats = Omit<NetsvcEmulatorStats, 'quotaRejected'>;

/** In-process access to what API clients cannot write: NEGs and endpoint health. */
export interface ComputeStore {
  /** Creates the NEG or replaces its endpoints; project absent = visible in every project. */
  putNeg(spec: NegSpec): StoredNeg;
  /** Refused (a value, not a throw) while a backend service uses the NEG. */
  deleteNeg(zone: string, name: string, project?: string): NegDeletion;
  setEndpointHealth(where: {
    project?: string;
    zone: string;
    name: string;
    ipAddress: string;
    port: number;
    healthState: HealthState;
  }): boolean;
  negs(): StoredNeg[];
  /** Stored bodies of one collection (every project), sorted by key. */
  resources(collection: Collection): Obj[];
}
