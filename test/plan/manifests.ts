// Generated GAMMA manifests for CLI tests: N Services, each the parent of one HTTPRoute.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function serviceYaml(
  ns: string,
  name: string,
  port = 80,
  annotations: Record<string, string> = {},
): string {
  const lines = Object.entries(annotations).map(([k, v]) => `    ${k}: '${v}'\n`);
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
${lines.length ? `  annotations:\n${lines.join('')}` : ''}spec:
  ports:
    - name: http
      port: ${port}
`;
}

export function httpRouteYaml(
  ns: string,
  name: string,
  parent: string,
  backend: string,
  timeout = '10s',
): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  parentRefs:
    - group: ''
      kind: Service
      name: ${parent}
      port: 80
  rules:
    - backendRefs:
        - name: ${backend}
          port: 80
      timeouts:
        request: ${timeout}
`;
}

/** Manifests for services svc-0..svc-(n-1) in namespace `apps`, each routed to its own backend. */
export function manyRoutesYaml(n: number): string {
  const docs: string[] = [serviceYaml('apps', 'backend')];
  for (let i = 0; i < n; i++) {
    docs.push(serviceYaml('apps', `svc-${i}`), httpRouteYaml('apps', `route-${i}`, `svc-${i}`, 'backend'));
  }
  return docs.join('---\n');
}

export interface TempDir {
  dir: string;
  write(file: string, text: string): Promise<string>;
  remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gamma-csm-plan-'));
  return {
    dir,
    async write(file, text) {
      const full = path.join(dir, file);
      await writeFile(full, text);
      return full;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
