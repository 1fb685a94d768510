// Shared by the event-latency and burst scenarios: the whole local stack (infra/local startPipeline:
// Kubernetes stand-in -> watcher -> Pub/Sub emulator -> sync function -> Network Services emulator,
// zero operation delay), routes whose first path marks a version, and reading that marker back.
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { startPipeline, type Pipeline, type PipelineOptions } from '../../infra/local/pipeline.ts';
import { routeId } from '../../shared/translate/index.ts';

export const BENCH_NS = 'bench';

export interface PipelineStack {
  pipeline: Pipeline;
  /** Full NS name of the HttpRoute serving Service `svc` port 80. */
  nsRouteName(svc: string): string;
  /** Markers (`/m-<n>` paths) the NS route of `svc` currently matches, from the emulator's store. */
  markersOf(svc: string): Set<string>;
  /** Every NS HttpRoute by full name (one store read). */
  routesByName(): Map<string, Record<string, unknown>>;
}

export function marker(version: number): string {
  return `/m-${version}`;
}

export function benchService(name: string): KubeObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: BENCH_NS },
    spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  };
}

/** An HTTPRoute on Service `svc`:80 whose only rule matches the marker path of `version`. */
export function markedRoute(svc: string, version: number): KubeObj {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: `route-${svc}`, namespace: BENCH_NS },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: svc, port: 80 }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: marker(version) } }],
          backendRefs: [{ name: svc, port: 80 }],
        },
      ],
    },
  };
}

export function markersIn(route: Record<string, unknown> | undefined): Set<string> {
  const rules = (route?.rules ?? []) as { matches?: { fullPathMatch?: string }[] }[];
  return new Set(rules.flatMap((r) => (r.matches ?? []).map((m) => m.fullPathMatch ?? '')).filter(Boolean));
}

export async function startPipelineStack(opts: PipelineOptions = {}): Promise<PipelineStack> {
  const pipeline = await startPipeline({ logs: 'memory', ...opts });
  pipeline.k8s.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NS } });
  const nsRouteName = (svc: string) =>
    `projects/${pipeline.project}/locations/global/httpRoutes/${routeId('http', pipeline.clusterId, BENCH_NS, svc, 80)}`;
  const routesByName = () =>
    new Map(
      pipeline.netsvc.resources('httpRoutes').map((r) => [String(r.name), r as Record<string, unknown>]),
    );
  return {
    pipeline,
    nsRouteName,
    routesByName,
    markersOf: (svc) => markersIn(routesByName().get(nsRouteName(svc))),
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Epoch milliseconds with sub-millisecond precision (the emulators' clock). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
