// The one write gamma-csm makes to a user's object, and only with GAMMA_AUTO_NEG=true
// (docs/backends.md §11): one annotation on a Service, as a JSON merge patch carrying the
// resourceVersion it was computed from, so a concurrent edit of the Service is never overwritten
// (a 409 is reported and the next event computes the value again).
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';

export interface ServiceAnnotation {
  namespace: string;
  name: string;
  key: string;
  value: string;
  /** The Service's resourceVersion the value was computed from (optimistic concurrency). */
  resourceVersion?: string;
}

export async function annotateService(kube: KubeConfig, a: ServiceAnnotation): Promise<void> {
  const core = kube.makeApiClient(CoreV1Api);
  await core.patchNamespacedService(
    {
      name: a.name,
      namespace: a.namespace,
      body: {
        metadata: {
          annotations: { [a.key]: a.value },
          ...(a.resourceVersion ? { resourceVersion: a.resourceVersion } : {}),
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}
