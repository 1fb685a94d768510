// The plan contract (docs/architecture.md §3.4): what must change to turn the actual Network Services state into the
// desired one, computed purely from data.
import type { NetsvcBody, NetsvcKind, RouteLists } from '../netsvc/kinds.ts';
import type { NsMesh } from '../translate/types.ts';

/** The Mesh or a route collection (shared/netsvc/kinds.ts is the one table of them). */
export type Kind = NetsvcKind;

/**
 * Labels the sync function keeps on the resources it writes (the event sequence and the digest of the
 * snapshot a route came from, docs/architecture.md §5.2). They record how a resource was written, not what it
 * should contain, so a plan computed without them (CLI, reconcile) carries the live values over
 * instead of stripping them: stripping the sequence would let a stale event through.
 */
export const LABEL_SEQUENCE = 'gamma-csm-sequence';
export const LABEL_SNAPSHOT = 'gamma-csm-snapshot';
export const BOOKKEEPING_LABELS: readonly string[] = [LABEL_SEQUENCE, LABEL_SNAPSHOT];
export type NsResource = NetsvcBody;

/** What Network Services holds: the Meshes and one list per route collection (RouteLists). */
export interface ActualState extends RouteLists {
  meshes: NsMesh[];
  /** False when any read (cluster or API) failed or was partial: then nothing may be planned. */
  complete: boolean;
}

export interface PlanOptions {
  clusterId: string;
  manageMesh: boolean;
  adopt: boolean;
  /** Share of owned resources a plan may delete (default 0.5). */
  maxDeleteFraction?: number;
  /** Number of owned resources a plan may delete (default 5). The guard trips only when both are exceeded. */
  maxDeleteAbsolute?: number;
  forceDelete: boolean;
  /**
   * Limit deletes to routes whose parent-key label (LABEL_PARENT) is one of these (per-parent sync).
   * Keys are label values as translate/names.ts `parentLabelValue(namespace, service)` writes them.
   */
  scope?: { parentKeys: string[] };
}

export interface PlanItem {
  kind: Kind;
  /** Resource id: the last segment of `name`. */
  id: string;
  /** Full relative name, projects/P/locations/L/<kind>/<id>. */
  name: string;
  /** Create/update: the desired body to send. Delete: the resource as listed. */
  body: NsResource;
}

export interface FieldDiff {
  /** Top-level field, as update masks name it (lowerCamelCase). */
  field: string;
  /** Normalized values; undefined means absent. */
  before: unknown;
  after: unknown;
}

export interface PlanUpdate extends PlanItem {
  updateMask: string[];
  diff: FieldDiff[];
}

export interface Refusal {
  kind: Kind;
  id: string;
  reason: string;
}

export interface Plan {
  creates: PlanItem[];
  updates: PlanUpdate[];
  deletes: PlanItem[];
  refused: Refusal[];
  unchanged: number;
  errors: string[];
}

export type Action = 'create' | 'update' | 'delete';

export interface PlanStep {
  action: Action;
  item: PlanItem | PlanUpdate;
}

export const DEFAULT_MAX_DELETE_FRACTION = 0.5;
export const DEFAULT_MAX_DELETE_ABSOLUTE = 5;
