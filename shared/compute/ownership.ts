// Ownership of Compute resources (docs/backends.md §6): backend services and health checks have no
// labels, so a resource is this cluster's only when its description is the JSON record gamma-csm
// writes (desired.ts ownerDescription) naming this cluster. A name alone proves nothing: anyone can
// create `gamma-...`; such a resource is never updated or deleted, and a route needing that name is
// told why (the same pattern GKE's own ingress controller uses for its backend services).
import { MANAGED_BY } from './desired.ts';
import type { OwnerRecord } from './desired.ts';
import type { ComputeBody, ComputeKind } from './types.ts';

export type ComputeOwnership = 'ours' | 'other-cluster' | 'unmanaged';

export function ownerRecord(body: ComputeBody): OwnerRecord | undefined {
  const text = body.description;
  if (typeof text !== 'string' || !text.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text) as Partial<OwnerRecord>;
    return value && value.managedBy === MANAGED_BY && typeof value.cluster === 'string'
      ? (value as OwnerRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

export function computeOwnership(body: ComputeBody, clusterId: string): ComputeOwnership {
  const record = ownerRecord(body);
  if (!record) return 'unmanaged';
  return record.cluster === clusterId ? 'ours' : 'other-cluster';
}

export function computeRefusal(
  ownership: Exclude<ComputeOwnership, 'ours'>,
  kind: ComputeKind,
  body: ComputeBody,
): string {
  const what = kind === 'backendServices' ? 'backend service' : 'health check';
  if (ownership === 'other-cluster')
    return `${what} ${body.name} belongs to gamma-csm cluster "${ownerRecord(body)?.cluster}"; never changed from here`;
  return `${what} ${body.name} exists and is not gamma-csm's (its description is not gamma-csm's ownership record); it is never changed or adopted: delete or rename it, or name your own with the gamma-csm.dev/backend-service.<port> annotation`;
}
