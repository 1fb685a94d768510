// Kubernetes access for gamma-csm: where the cluster is, whole-cluster reads, route status writes,
// and informers that survive errors.
export { makeKubeConfig } from './kubeconfig.ts';
export type { KubeConfigSource, GkeSource } from './kubeconfig.ts';
export { readClusterSnapshot } from './snapshot.ts';
export type { ClusterSnapshot } from './snapshot.ts';
export {
  writeRouteStatuses,
  mergeParentStatuses,
  sameIgnoringTimestamps,
  isPermanentStatusFailure,
} from './status.ts';
export type { WriteStatusOptions, WriteStatusResult, MergeOptions } from './status.ts';
export { ResilientInformer, watchResource, makeInformer, isNotFound } from './informer.ts';
export type {
  ResilientInformerOptions,
  InformerHandlers,
  ListFn,
  WatchedKind,
  BackoffOptions,
} from './informer.ts';
export {
  cleanObject,
  LAST_APPLIED,
  ROUTE_RESOURCES,
  STATUS_ROUTE_RESOURCES,
  isNotServed,
  listRoutes,
  notServedMessage,
  readRoute,
} from './objects.ts';
export type { RouteRead } from './objects.ts';
export {
  OPTIONAL_ROUTE_KINDS,
  OPTIONAL_ROUTE_VERSIONS,
  ROUTE_KIND_OF,
  servedRouteVersion,
} from './route-versions.ts';
export type { OptionalRouteKind } from './route-versions.ts';
export { annotateService } from './annotate.ts';
export type { ServiceAnnotation } from './annotate.ts';
