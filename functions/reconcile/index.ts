// Cloud Function `reconcile` (gen2, CloudEvent from the reconcile-ticks topic that Cloud Scheduler
// publishes to): lists the whole cluster and every owned Network Services resource, repairs drift,
// refreshes every route's status and logs one summary line (shared/pipeline reconcileAll).
//
// Configuration is read once at cold start (shared/config); a bad or missing variable fails the
// load with a message naming it. Clients are created once per instance, on the first tick.
//
// Locally, against the emulators:
//   GAMMA_PROJECT=local-proj GAMMA_MESH=mesh GAMMA_CLUSTER_ID=local \
//   GAMMA_KUBECONFIG=<kubeconfig the k8s stand-in printed> GAMMA_NETSVC_ENDPOINT=http://127.0.0.1:8090/ \
//   npx functions-framework --target=reconcile --source=functions/reconcile --signature-type=cloudevent --port=8082
// A tick body may be empty or `{"dryRun": true}` / `{"cluster": "<id>"}` (shared/events/tick.ts).
import { cloudEvent } from '@google-cloud/functions-framework';
import { loadConfig } from '../../shared/config/index.ts';
import type { CloudEventLike } from '../../shared/pipeline/index.ts';

const config = loadConfig(process.env, 'reconcile');

// The pipeline (and with it @kubernetes/client-node and googleapis, most of the bundle) is loaded on
// the first tick, not at cold start, so the function registers sooner. The build keeps it in a
// separate chunk (scripts/build.ts, splitting).
let handler: Promise<(event: CloudEventLike) => Promise<void>> | undefined;

/** Loads the pipeline and builds the instance's clients once; later calls return the same handler. */
export function loadHandler(): Promise<(event: CloudEventLike) => Promise<void>> {
  if (!handler) {
    handler = import('../../shared/pipeline/index.ts').then(({ createDeps, reconcileFunction }) => {
      const deps = createDeps(config);
      return reconcileFunction(() => deps);
    });
    // A failed load (say an unreadable kubeconfig) is tried again on the next delivery.
    handler.catch(() => (handler = undefined));
  }
  return handler;
}

cloudEvent('reconcile', async (event: CloudEventLike) => (await loadHandler())(event));
