// Object builders and waiting helpers for the end-to-end tests.
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';

export const GROUP = 'gateway.networking.k8s.io';
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(
  read: () => T | Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 400)}`);
    await sleep(5);
  }
}

export function namespace(name: string): KubeObj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function service(name: string, ns: string, ports: number[] = [80]): KubeObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { ports: ports.map((port) => ({ name: `http-${port}`, port, protocol: 'TCP' })) },
  };
}

/** An HTTPRoute on Service `parent` port 80 with one PathPrefix rule per path, all to `backend`:80. */
export function httpRoute(
  name: string,
  ns: string,
  parent: string,
  paths: string[],
  backend = parent,
): KubeObj {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: parent, port: 80 }],
      rules: paths.map((p) => ({
        matches: [{ path: { type: 'PathPrefix', value: p } }],
        backendRefs: [{ name: backend, port: 80 }],
      })),
    },
  };
}

/** The prefix paths an emulated HttpRoute matches, in rule order. */
export function prefixesOf(route: Record<string, unknown> | undefined): string[] {
  const rules = (route?.rules ?? []) as { matches?: { prefixMatch?: string; fullPathMatch?: string }[] }[];
  return rules
    .flatMap((r) => (r.matches ?? []).map((m) => m.fullPathMatch ?? m.prefixMatch ?? ''))
    .filter(Boolean);
}

export function httpRoutesOf(p: Pipeline): Record<string, unknown>[] {
  return p.netsvc.resources('httpRoutes') as Record<string, unknown>[];
}

/** The HttpRoute whose description names Service ns/svc:port. */
export function routeFor(
  p: Pipeline,
  ns: string,
  svc: string,
  port = 80,
): Record<string, unknown> | undefined {
  return httpRoutesOf(p).find((r) => String(r.description ?? '').endsWith(`-> Service ${ns}/${svc}:${port}`));
}

export function statusOf(p: Pipeline, ns: string, name: string, kind = 'HTTPRoute') {
  const obj = p.k8s.getObject(kind, ns, name) as
    | { status?: { parents?: { conditions?: { type: string; status: string; reason: string }[] }[] } }
    | undefined;
  return obj?.status?.parents ?? [];
}

export function accepted(p: Pipeline, ns: string, name: string): string | undefined {
  return statusOf(p, ns, name)[0]?.conditions?.find((c) => c.type === 'Accepted')?.status;
}
