// GAMMA_AUTO_NEG in the pipeline (docs/backends.md §11): before translating, backend Services the
// routes send to without NEGs get the `cloud.google.com/neg` annotation (shared/compute/auto-neg.ts
// decides the value). The translation then reads the Services as they are after the write, so the
// route status says "waiting for GKE's NEG controller" rather than "add the annotation"; GKE's
// controller writes neg-status, the watcher republishes the parents, and their next sync resolves.
// A failed write (no RBAC, a concurrent edit) is logged and leaves the Service as it was: its
// status keeps naming the annotation to add, and the next event tries again.
import { annotateService } from '../cluster/index.ts';
import { missingNegAnnotations, withNegAnnotations } from '../compute/auto-neg.ts';
import { NEG_ANNOTATION } from '../compute/types.ts';
import type { Snapshot } from '../translate/types.ts';
import type { PipelineDeps } from './deps.ts';
import { errorMessage } from './errors.ts';

export async function annotateMissingNegs<S extends Snapshot>(deps: PipelineDeps, snapshot: S): Promise<S> {
  if (!deps.settings.autoNeg || !deps.compute) return snapshot;
  const patches = missingNegAnnotations(snapshot);
  if (patches.length === 0) return snapshot;
  const versions = new Map(
    snapshot.services.map((s) => [
      `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`,
      s.metadata.resourceVersion,
    ]),
  );
  const written = await Promise.all(
    patches.map(async (p) => {
      try {
        await annotateService(deps.kube, {
          namespace: p.namespace,
          name: p.name,
          key: NEG_ANNOTATION,
          value: p.value,
          resourceVersion: versions.get(`${p.namespace}/${p.name}`),
        });
        deps.log.info(
          `annotated Service ${p.namespace}/${p.name} for NEGs on port(s) ${p.ports.join(', ')}`,
          {
            event: 'auto-neg',
          },
        );
        return p;
      } catch (e) {
        deps.log.warn(`could not annotate Service ${p.namespace}/${p.name} for NEGs: ${errorMessage(e)}`, {
          event: 'auto-neg-failed',
        });
        return undefined;
      }
    }),
  );
  return withNegAnnotations(
    snapshot,
    written.filter((p) => p !== undefined),
  ) as S;
}
