// Shared helpers for the k8s stand-in and cluster tests: a started emulator, a client-node
// KubeConfig for it, and small object builders.
import { KubeConfig } from '@kubernetes/client-node';
import type { K8sEmulator, K8sEmulatorOptions, KubeObj } from '../../infra/local/k8s/index.ts';
import { startK8sEmulator } from '../../infra/local/k8s/index.ts';

export const GROUP = 'gateway.networking.k8s.io';

export async function emulatorWithClient(
  opts: K8sEmulatorOptions = {},
): Promise<{ emu: K8sEmulator; kc: KubeConfig }> {
  const emu = await startK8sEmulator({ port: 0, ...opts });
  const kc = new KubeConfig();
  kc.loadFromFile(emu.kubeconfigPath);
  return { emu, kc };
}

export function service(
  name: string,
  namespace = 'default',
  labels: Record<string, string> = {},
  port = 80,
): KubeObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: { ports: [{ name: 'http', port }] },
  };
}

export function httpRoute(
  name: string,
  parent: string,
  namespace = 'default',
  labels: Record<string, string> = {},
): KubeObj {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: { name, namespace, labels },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: parent, port: 80 }],
      rules: [{ backendRefs: [{ name: parent, port: 80 }] }],
    },
  };
}

export function grpcRoute(name: string, parent: string, namespace = 'default'): KubeObj {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'GRPCRoute',
    metadata: { name, namespace },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: parent }],
      rules: [{ backendRefs: [{ name: parent, port: 9090 }] }],
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `check` returns true or the deadline passes. */
export async function eventually(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A raw request with the emulator's token, for what client-node does not expose (tables, streams). */
export async function raw(emu: K8sEmulator, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${emu.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${emu.token}`, ...(init.headers ?? {}) },
  });
}

/** Reads newline-delimited watch events until `count` arrived or the stream ends. */
export async function readEvents(
  res: Response,
  count: number,
  timeoutMs = 3000,
): Promise<{ type: string; object: KubeObj & { code?: number } }[]> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const events: { type: string; object: KubeObj & { code?: number } }[] = [];
  let buf = '';
  const timer = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    while (events.length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    }
  } finally {
    clearTimeout(timer);
    void reader.cancel().catch(() => {});
  }
  return events;
}
