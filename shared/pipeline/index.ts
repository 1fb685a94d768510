// The pipeline both Cloud Functions, the CLI and the local stack call: one route event -> one
// parent's Network Services routes and status (syncParent), and the scheduled drift repair
// (reconcileAll). Entry points only decode, configure and log.
export { syncParent } from './sync.ts';
export type { SyncOutcome, SyncCounts, SyncSkip } from './sync.ts';
export { reconcileAll, hasTransientFailures } from './reconcile.ts';
export type { ReconcileOptions, ReconcileSummary } from './reconcile.ts';
export {
  computeClientFor,
  createDeps,
  settingsFromConfig,
  kubeConfigFor,
  netsvcClientFor,
  netsvcOptionsFor,
} from './deps.ts';
export type { PipelineDeps, PipelineSettings } from './deps.ts';
export { meshMemo, DEFAULT_MESH_MEMO_TTL_MS } from './mesh-memo.ts';
export type { MeshMemo } from './mesh-memo.ts';
export {
  parentMemo,
  isDirectSuccessor,
  routesAfter,
  DEFAULT_PARENT_MEMO_TTL_MS,
  DEFAULT_PARENT_MEMO_ENTRIES,
  DEFAULT_STALE_APPLY_INTERVAL_MS,
} from './parent-memo.ts';
export type { ParentMemo, RememberedRoute, Recall } from './parent-memo.ts';
export { ttlMemo } from './memo.ts';
export type { TtlMemo, TtlMemoOptions } from './memo.ts';
export { TransientError, failureKind, applyFailureKind } from './errors.ts';
export type { FailureKind } from './errors.ts';
export { checkFreshness, mayApplyStale, readLiveObjects, snapshotDigest } from './liveness.ts';
export type { Freshness, LiveObjects, StaleVerdict } from './liveness.ts';
export { candidatePorts, parentResourceIds, statusesForParent, markRejectedPorts } from './parent-scope.ts';
export {
  LABEL_SEQUENCE,
  LABEL_SNAPSHOT,
  appliedSequence,
  carrySequences,
  stampWrites,
} from './sequence-labels.ts';
export { pubsubMessageOf } from './pubsub-message.ts';
export type { PubsubMessage, EnvelopeResult } from './pubsub-message.ts';
export { makeLogger, memoryLogger, formatLogLine, LABELS_KEY } from './log.ts';
export type { Logger, LogLabels, LogFields, Severity } from './log.ts';
export { handleSyncEvent, handleReconcileEvent, syncFunction, reconcileFunction } from './handlers.ts';
export type { CloudEventLike, SyncHandling, ReconcileHandling } from './handlers.ts';
