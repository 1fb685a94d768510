// Kubernetes access for gamma-csm: where the cluster is, whole-cluster reads, route status writes,
// and informers that survive errors.
export { makeKubeConfig } from './kubeconfig.ts';
export type { KubeConfigSource, GkeSource } from './kubeconfig.ts';
export { readClusterSnapshot, readParentSnapshot, parentSnapshot, routeTargetsService } from './snapshot.ts';
export type { ClusterSnapshot, ServiceKey } from './snapshot.ts';
export {
  writeRouteStatuses,
  mergeParentStatuses,
  sameIgnoringTimestamps,
  parentRefKey,
  refNamesParent,
} from './status.ts';
export type { WriteStatusOptions, WriteStatusResult, ParentKey, MergeOptions } from './status.ts';
export { ResilientInformer, watchResource, makeInformer } from './informer.ts';
export type {
  ResilientInformerOptions,
  InformerHandlers,
  ListFn,
  WatchedKind,
  BackoffOptions,
} from './informer.ts';
export { cleanObject, LAST_APPLIED } from './objects.ts';
