// Removes what the sync function never reads, so events stay small and carry no server bookkeeping.

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const DROPPED_METADATA = ['managedFields', 'selfLink', 'ownerReferences', 'finalizers'] as const;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function stripMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...metadata };
  for (const k of DROPPED_METADATA) delete out[k];
  if (isRecord(out.annotations)) {
    const annotations = { ...out.annotations };
    delete annotations[LAST_APPLIED];
    if (Object.keys(annotations).length === 0) delete out.annotations;
    else out.annotations = annotations;
  }
  return out;
}

/**
 * A copy of a Kubernetes object fit for a route event: no managedFields, no kubectl last-applied
 * annotation, no selfLink/ownerReferences/finalizers, and no Service status (load balancer state is
 * irrelevant to routing). Route status is kept: the sync function merges its own parent entries
 * into it and must preserve other controllers' entries.
 */
export function stripForTransport<T>(obj: T): T {
  if (!isRecord(obj)) return obj;
  const out: Record<string, unknown> = { ...obj };
  if (isRecord(out.metadata)) out.metadata = stripMetadata(out.metadata);
  if (out.kind === 'Service') delete out.status;
  return out as T;
}
