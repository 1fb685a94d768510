// Shared test helpers for the Network Services emulator and client tests.
import { networkservices_v1 } from 'googleapis/build/src/apis/networkservices/v1.js';
import type { ExecutionContext } from 'ava';
import {
  type NetsvcEmulator,
  type NetsvcEmulatorOptions,
  startNetsvcEmulator,
} from '../../infra/local/netsvc/server.ts';

export const PARENT = 'projects/p/locations/global';
export const MESH = `${PARENT}/meshes/m`;

/** The raw googleapis client (no retries, no auth) pointed at an emulator. */
export function rawClient(emulator: NetsvcEmulator): networkservices_v1.Networkservices {
  return new networkservices_v1.Networkservices({ rootUrl: emulator.url, retry: false });
}

/** Starts an emulator that is closed when the test ends. */
export async function emulatorFor(
  t: ExecutionContext,
  opts: NetsvcEmulatorOptions = {},
): Promise<NetsvcEmulator> {
  const emulator = await startNetsvcEmulator(opts);
  t.teardown(() => emulator.close());
  return emulator;
}

export function httpRoute(
  host: string,
  extra: Partial<networkservices_v1.Schema$HttpRoute> = {},
): networkservices_v1.Schema$HttpRoute {
  return {
    hostnames: [host],
    meshes: [MESH],
    rules: [{ action: { destinations: [{ serviceName: `${PARENT}/backendServices/bs` }] } }],
    ...extra,
  };
}

export function grpcRoute(host: string): networkservices_v1.Schema$GrpcRoute {
  return {
    hostnames: [host],
    meshes: [MESH],
    rules: [
      {
        matches: [{ method: { grpcService: 'helloworld.Greeter', grpcMethod: 'SayHello' } }],
        action: { destinations: [{ serviceName: `${PARENT}/backendServices/bs`, weight: 1 }] },
      },
    ],
  };
}

/** fetch + JSON, for checks on the raw wire shape. */
export async function call(
  emulator: NetsvcEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(new URL(path, emulator.url), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** What a rejected googleapis call carried: HTTP status and Google's error envelope. */
export async function rejection(p: Promise<unknown>): Promise<{
  status: number;
  error: { code: number; status: string; message: string; details?: unknown[] };
}> {
  try {
    await p;
  } catch (e) {
    const err = e as { status?: number; response?: { data?: { error?: never } } };
    return { status: err.status ?? 0, error: err.response?.data?.error as never };
  }
  throw new Error('expected the call to fail');
}
