// The shapes the emulator's handle exposes (server.ts) and its admin surface reads (admin.ts), in a
// module of their own so neither imports the other.
import type { NegDeletion, NegSpec } from './negs.ts';
import type { Collection, HealthState, Obj, StoredNeg } from './store.ts';

// The request log and counters are the shared request loop's; Compute has no quota mode, so no quota count.
export type { EmulatorStats, RequestLogEntry } from '../google-api.ts';

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
