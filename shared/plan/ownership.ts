// Ownership (docs/architecture.md §5.1): gamma-csm only touches what carries its labels for this cluster.
import { LABEL_CLUSTER, LABEL_MANAGED_BY, LABEL_MANAGED_BY_VALUE, LABEL_PARENT } from '../translate/types.ts';
import { labelValue } from '../translate/names.ts';
import type { NsResource } from './types.ts';

export type Ownership = 'ours' | 'other-cluster' | 'unmanaged';

export function ownershipOf(resource: NsResource, clusterId: string): Ownership {
  const labels = resource.labels ?? {};
  if (labels[LABEL_MANAGED_BY] !== LABEL_MANAGED_BY_VALUE) return 'unmanaged';
  // The translator writes the cluster id as a label value (sanitized and hashed when not valid as is).
  return labels[LABEL_CLUSTER] === labelValue(clusterId) ? 'ours' : 'other-cluster';
}

export function parentKeyOf(resource: NsResource): string | undefined {
  return resource.labels?.[LABEL_PARENT] ?? undefined;
}

export function refusalReason(ownership: Exclude<Ownership, 'ours'>, resource: NsResource): string {
  if (ownership === 'other-cluster') {
    const cluster = resource.labels?.[LABEL_CLUSTER] ?? '?';
    return `owned by another cluster ("${cluster}"); never adopted`;
  }
  return `exists without labels ${LABEL_MANAGED_BY}=${LABEL_MANAGED_BY_VALUE} and ${LABEL_CLUSTER}; pass --adopt to take it over`;
}
