// Emulator state: stored resources and operations, with optional atomic JSON-file persistence.
import { readStateFile, writeStateFile } from '../state-file.ts';
import { KINDS, type Kind } from './validate.ts';

export type Obj = Record<string, unknown>;

export interface StoredOperation {
  /** The envelope as last returned (done or not). */
  op: Obj;
  /** GETs that still answer "pending". */
  pendingPolls: number;
  /** Epoch ms before which GETs answer "pending". */
  readyAt: number;
  /** What the operation ends with. */
  outcome: { response: Obj } | { error: { code: number; message: string } };
  /** The resource whose change readers see only once this operation is done. */
  hides?: string;
}

export interface EmulatorState {
  resources: Record<Kind, Map<string, Obj>>;
  operations: Map<string, StoredOperation>;
}

export function emptyState(): EmulatorState {
  return {
    resources: Object.fromEntries(KINDS.map((k) => [k, new Map<string, Obj>()])) as Record<
      Kind,
      Map<string, Obj>
    >,
    operations: new Map(),
  };
}

interface StateFile {
  version: 1;
  resources: Record<string, Record<string, Obj>>;
  operations: Record<string, StoredOperation>;
}

export function serializeState(state: EmulatorState): StateFile {
  return {
    version: 1,
    resources: Object.fromEntries(KINDS.map((k) => [k, Object.fromEntries(state.resources[k])])),
    operations: Object.fromEntries(state.operations),
  };
}

/** Loads a state file; a missing file is an empty state, a malformed one an error naming the file. */
export function loadState(file: string): EmulatorState {
  const state = emptyState();
  const parsed = readStateFile<StateFile>(file, 'netsvc');
  if (!parsed) return state;
  for (const k of KINDS) {
    for (const [name, body] of Object.entries(parsed.resources?.[k] ?? {}))
      state.resources[k].set(name, body);
  }
  for (const [name, op] of Object.entries(parsed.operations ?? {})) state.operations.set(name, op);
  return state;
}

/** Writes to a temporary file next to the target, then renames: readers never see half a file. */
export function saveState(file: string, state: EmulatorState): void {
  writeStateFile(file, serializeState(state));
}
