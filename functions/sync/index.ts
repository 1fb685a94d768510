// Cloud Function `sync` (gen2, CloudEvent from the route-events Pub/Sub topic): one route event ->
// the Network Services routes and route status of its parent Service (shared/pipeline syncParent).
//
// Configuration is read once at cold start (shared/config); a bad or missing variable fails the
// load with a message naming it. Clients are created once per instance, on the first event.
//
// Locally, against the emulators (`gamma-csm emulator netsvc|pubsub|k8s`):
//   GAMMA_PROJECT=local-proj GAMMA_MESH=mesh GAMMA_CLUSTER_ID=local \
//   GAMMA_KUBECONFIG=<kubeconfig the k8s stand-in printed> GAMMA_NETSVC_ENDPOINT=http://127.0.0.1:8090/ \
//   GAMMA_LOG_FORMAT=text \
//   npx functions-framework --target=sync --source=functions/sync --signature-type=cloudevent --port=8081
// (functions/sync/function.js registers tsx so the framework can load this TypeScript file.)
import { cloudEvent } from '@google-cloud/functions-framework';
import { loadConfig } from '../../shared/config/index.ts';
import type { CloudEventLike } from '../../shared/pipeline/index.ts';

const config = loadConfig(process.env, 'sync');

// The pipeline (and with it @kubernetes/client-node and googleapis, most of the bundle) is loaded on
// the first event, not at cold start, so the function registers sooner. The build keeps it in a
// separate chunk (scripts/build.ts, splitting).
let handler: Promise<(event: CloudEventLike) => Promise<void>> | undefined;

/** Loads the pipeline and builds the instance's clients once; later calls return the same handler. */
export function loadHandler(): Promise<(event: CloudEventLike) => Promise<void>> {
  if (!handler) {
    handler = import('../../shared/pipeline/index.ts').then(({ createDeps, syncFunction }) => {
      const deps = createDeps(config);
      return syncFunction(() => deps);
    });
    // A failed load (say an unreadable kubeconfig) is tried again on the next delivery.
    handler.catch(() => (handler = undefined));
  }
  return handler;
}

cloudEvent('sync', async (event: CloudEventLike) => (await loadHandler())(event));
