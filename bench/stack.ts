// The emulators a benchmark runs against (Kubernetes API stand-in and Network Services emulator on
// loopback, port 0, and with `compute` the Compute emulator fed by the stand-in's NEG controller),
// loaded with a synthetic cluster, and the pipeline dependencies the functions themselves build from
// configuration (shared/pipeline createDeps).
import { NETSVC_KINDS } from '../shared/netsvc/kinds.ts';
import {
  startComputeEmulator,
  type ComputeEmulator,
  type ComputeEmulatorOptions,
} from '../infra/local/compute/server.ts';
import { startK8sEmulator, type K8sEmulator, type KubeObj } from '../infra/local/k8s/index.ts';
import { negHookFor } from '../infra/local/pipeline.ts';
import {
  startNetsvcEmulator,
  type NetsvcEmulator,
  type NetsvcEmulatorOptions,
} from '../infra/local/netsvc/server.ts';
import { loadConfig, type FunctionConfig } from '../shared/config/index.ts';
import { NetsvcClient } from '../shared/netsvc/client.ts';
import { computeClientFor, createDeps, memoryLogger, type PipelineDeps } from '../shared/pipeline/index.ts';
import type { Snapshot } from '../shared/translate/types.ts';
import { BENCH_TRANSLATE_OPTIONS } from './generate.ts';

const HOST = '127.0.0.1';

export interface BenchStack {
  k8s: K8sEmulator;
  netsvc: NetsvcEmulator;
  /** Started only when asked for (startBenchStack's `compute` option). */
  compute?: ComputeEmulator;
  config: FunctionConfig;
  /** Environment the functions read (GAMMA_*), for child processes. */
  env: Record<string, string>;
  /** Deps as the reconcile function builds them (default rate limit and concurrency). */
  deps(): PipelineDeps;
  /** Deps with a client allowed to go fast, to set a scene up quickly. */
  setupDeps(): PipelineDeps;
  close(): Promise<void>;
}

/** Puts the cluster's Namespaces, Services and routes straight into the stand-in's store. */
export function loadCluster(k8s: K8sEmulator, cluster: Snapshot): void {
  const objects = [...cluster.services, ...cluster.httpRoutes, ...cluster.grpcRoutes];
  for (const ns of new Set(objects.map((o) => o.metadata.namespace ?? 'default')))
    if (!k8s.getObject('Namespace', undefined, ns))
      k8s.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as KubeObj);
  for (const obj of [...cluster.services, ...cluster.httpRoutes, ...cluster.grpcRoutes])
    k8s.apply(structuredClone(obj) as unknown as KubeObj);
}

export async function startBenchStack(
  netsvcOptions: NetsvcEmulatorOptions = {},
  opts: { compute?: ComputeEmulatorOptions } = {},
): Promise<BenchStack> {
  const k8s = await startK8sEmulator({ port: 0, host: HOST });
  let netsvc: NetsvcEmulator;
  let compute: ComputeEmulator | undefined;
  try {
    netsvc = await startNetsvcEmulator({ port: 0, host: HOST, ...netsvcOptions });
    if (opts.compute) {
      compute = await startComputeEmulator({ port: 0, host: HOST, ...opts.compute }).catch(async (e) => {
        await netsvc.close();
        throw e;
      });
      k8s.negController?.setHook(negHookFor(compute));
    }
  } catch (e) {
    await k8s.close();
    throw e;
  }
  const env: Record<string, string> = {
    GAMMA_PROJECT: BENCH_TRANSLATE_OPTIONS.project,
    GAMMA_MESH: BENCH_TRANSLATE_OPTIONS.mesh,
    GAMMA_CLUSTER_ID: BENCH_TRANSLATE_OPTIONS.clusterId,
    GAMMA_KUBECONFIG: k8s.kubeconfigPath,
    GAMMA_NETSVC_ENDPOINT: netsvc.url,
    GAMMA_LOG_FORMAT: 'json',
    // These scenarios measure the route pipeline; bench/scenarios/backends.ts measures Compute.
    ...(compute
      ? { GAMMA_BACKEND_SERVICES: 'provision', GAMMA_COMPUTE_ENDPOINT: compute.url }
      : { GAMMA_BACKEND_SERVICES: 'off' }),
  };
  const config = loadConfig(env, 'reconcile');
  const quiet = () => memoryLogger().log;
  return {
    k8s,
    netsvc,
    ...(compute ? { compute } : {}),
    config,
    env,
    deps: () => createDeps(config, { log: quiet() }),
    setupDeps: () =>
      createDeps(config, {
        log: quiet(),
        netsvc: new NetsvcClient({
          project: config.project,
          location: config.location,
          endpoint: netsvc.url,
          requestsPerSecond: 5000,
          maxConcurrency: 64,
        }),
        compute: computeClientFor(config, { requestsPerSecond: 5000, maxConcurrency: 64 }),
      }),
    close: async () => {
      await compute?.close();
      await netsvc.close();
      await k8s.close();
    },
  };
}

/** Whether a logged request is a page of a collection list (GET on a collection, no resource id). */
export function isListRequest(entry: { method: string; path: string }): boolean {
  const collection = /\/locations\/[^/]+\/([A-Za-z]+)$/.exec(entry.path)?.[1];
  return (
    entry.method === 'GET' &&
    collection !== undefined &&
    (NETSVC_KINDS as readonly string[]).includes(collection)
  );
}
