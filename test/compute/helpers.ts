// Shared helpers for the Compute emulator and client tests.
import type { ExecutionContext } from 'ava';
import { compute_v1 } from 'googleapis/build/src/apis/compute/v1.js';
import {
  type ComputeEmulator,
  type ComputeEmulatorOptions,
  startComputeEmulator,
} from '../../infra/local/compute/server.ts';

export const P = 'p';
export const ZONE = 'us-central1-a';
export const ROOT = `/compute/v1/projects/${P}`;

export const negUrl = (name: string, zone = ZONE, project = P) =>
  `https://www.googleapis.com/compute/v1/projects/${project}/zones/${zone}/networkEndpointGroups/${name}`;
export const hcUrl = (name: string, project = P) =>
  `https://www.googleapis.com/compute/v1/projects/${project}/global/healthChecks/${name}`;

export async function emulatorFor(
  t: ExecutionContext,
  opts: ComputeEmulatorOptions = {},
): Promise<ComputeEmulator> {
  const emulator = await startComputeEmulator(opts);
  t.teardown(() => emulator.close());
  return emulator;
}

/** The raw googleapis client (no retries, no auth) on an emulator. */
export function rawClient(emulator: ComputeEmulator): compute_v1.Compute {
  return new compute_v1.Compute({ rootUrl: emulator.url, retry: false });
}

export function tcpHc(name: string): compute_v1.Schema$HealthCheck {
  return { name, type: 'TCP', tcpHealthCheck: { portSpecification: 'USE_SERVING_PORT' } };
}

export function bs(name: string, negs: string[] = [], hc = 'hc'): compute_v1.Schema$BackendService {
  return {
    name,
    loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
    protocol: 'HTTP2',
    healthChecks: [hcUrl(hc)],
    backends: negs.map((n) => ({ group: negUrl(n), balancingMode: 'RATE', maxRatePerEndpoint: 5 })),
  };
}

/** fetch + JSON, for the raw wire shape and error bodies. */
export async function call(
  emulator: ComputeEmulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' },
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(new URL(path, emulator.url), {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export type ErrorBody = {
  error: { code: number; message: string; errors: { domain: string; reason: string; message: string }[] };
};

/** The reason of a Compute error body. */
export const reasonOf = (json: Record<string, unknown>) =>
  (json as unknown as ErrorBody).error.errors[0].reason;

/** Inserts and waits through the API: a health check `hc` and NEGs, the usual starting point. */
export async function seed(emu: ComputeEmulator, negs: string[] = ['neg-a']): Promise<compute_v1.Compute> {
  for (const n of negs)
    emu.store.putNeg({ zone: ZONE, name: n, endpoints: [{ ipAddress: '10.0.0.1', port: 8080 }] });
  const c = rawClient(emu);
  const op = await c.healthChecks.insert({ project: P, requestBody: tcpHc('hc') });
  await c.globalOperations.wait({ project: P, operation: op.data.name! });
  return c;
}
