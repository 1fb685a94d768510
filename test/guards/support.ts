// Helpers for the guard tests: objects applied straight into the k8s stand-in's store, reconcile
// ticks handed to the same handler the reconcile function serves, and NS emulator snapshots.
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import type { NetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import { encodeReconcileTick } from '../../shared/events/index.ts';
import { handleReconcileEvent } from '../../shared/pipeline/index.ts';
import type { PipelineDeps, ReconcileHandling } from '../../shared/pipeline/index.ts';

export const GROUP = 'gateway.networking.k8s.io';

export function namespace(name: string): KubeObj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function service(name: string, ns: string): KubeObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  };
}

export function httpRoute(name: string, ns: string, parent: string, path = '/'): KubeObj {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: parent, port: 80 }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: path } }],
          backendRefs: [{ name: parent, port: 80 }],
        },
      ],
    },
  };
}

let ticks = 0;

/** One reconcile delivery through the function's handler; a throw is what makes Pub/Sub redeliver. */
export async function reconcileTick(
  deps: PipelineDeps,
): Promise<{ handled?: ReconcileHandling; error?: Error }> {
  const data = encodeReconcileTick({}).toString('base64');
  try {
    return {
      handled: await handleReconcileEvent(
        { id: `tick-${++ticks}`, data: { message: { data, messageId: `tick-${ticks}` } } },
        deps,
      ),
    };
  } catch (e) {
    return { error: e as Error };
  }
}

/** Every stored Network Services resource, serialized, keyed by name: a byte-for-byte fingerprint. */
export function fingerprint(netsvc: NetsvcEmulator): Map<string, string> {
  const out = new Map<string, string>();
  for (const kind of ['meshes', 'httpRoutes', 'grpcRoutes'] as const)
    for (const r of netsvc.resources(kind)) out.set(String(r.name), JSON.stringify(r));
  return out;
}

export function deletesIn(netsvc: NetsvcEmulator): number {
  return netsvc.requestLog().filter((r) => r.method === 'DELETE').length;
}
