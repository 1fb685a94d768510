// Compute faults for a chaos run: resources gamma-csm does not own (seeded before the run), the
// emulator's random faults, and a racing writer that patches a backend service behind the client's
// back right before the client's own patch goes out, so the client's fingerprint is stale and the
// emulator answers 412 (shared/compute/apply.ts must re-read and write again).
import { randomUUID } from 'node:crypto';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import type { Faults } from '../../infra/local/netsvc/faults.ts';
import { maxInWindow } from '../../infra/local/netsvc/server.ts';
import type { ComputeApi, ComputeBackendService } from '../../shared/compute/types.ts';
import type { Random } from './world.ts';

/** Compute 503 20%, 429 5%, failing (DONE with error) and slow operations, latency jitter. */
export function computeFaults(seed: number): Faults {
  return {
    errorRates: { '*': { '503': 0.2, '429': 0.05 } },
    failOperationRate: 0.15,
    operationDelay: { polls: 1 },
    jitterMs: 10,
    seed,
  };
}

async function post(p: Pipeline, collection: string, body: object): Promise<void> {
  const res = await fetch(`${p.compute.url}compute/v1/projects/${p.project}/global/${collection}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`seeding ${collection}: ${res.status} ${await res.text()}`);
}

/**
 * Health checks and backend services gamma-csm must never touch, as `kind/name`: hand-made ones
 * under gamma-like names, and one carrying another cluster's ownership record.
 */
export async function seedForeignCompute(p: Pipeline): Promise<string[]> {
  const hc = `https://www.googleapis.com/compute/v1/projects/${p.project}/global/healthChecks/gamma-hand-made-hc`;
  await post(p, 'healthChecks', {
    name: 'gamma-hand-made-hc',
    type: 'TCP',
    tcpHealthCheck: { portSpecification: 'USE_SERVING_PORT' },
  });
  const bs = (name: string, description: string) =>
    post(p, 'backendServices', {
      name,
      description,
      loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
      protocol: 'HTTP',
      healthChecks: [hc],
    });
  await bs('gamma-hand-made', 'made by the platform team');
  await bs(
    'gamma-other-ns-a-api-80-00000000',
    JSON.stringify({ managedBy: 'gamma-csm', cluster: 'other', service: 'ns-a/api', port: 80 }),
  );
  return [
    'healthChecks/gamma-hand-made-hc',
    'backendServices/gamma-hand-made',
    'backendServices/gamma-other-ns-a-api-80-00000000',
  ];
}

/**
 * Someone else's write to a backend service (one backend fewer, or the same backends): a new
 * fingerprint. Goes through the emulator's API like any other client; true once its operation is DONE.
 */
async function writeBehindTheBack(p: Pipeline, name: string, tag: Set<string>): Promise<boolean> {
  const live = p.compute.store.resources('backendServices').find((b) => b.name === name) as
    ComputeBackendService | undefined;
  if (!live?.fingerprint) return false;
  const requestId = randomUUID();
  tag.add(requestId);
  const backends = live.backends ?? [];
  const base = `${p.compute.url}compute/v1/projects/${p.project}/global`;
  const res = await fetch(`${base}/backendServices/${name}?requestId=${requestId}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      fingerprint: live.fingerprint,
      backends: backends.slice(0, Math.max(1, backends.length - 1)),
    }),
  });
  if (!res.ok) return false;
  let op = (await res.json()) as { name: string; status: string; error?: unknown };
  tag.add(op.name);
  for (let i = 0; i < 5 && op.status !== 'DONE'; i++) {
    const r = await fetch(`${base}/operations/${op.name}/wait`, { method: 'POST' });
    if (r.ok) op = (await r.json()) as typeof op;
  }
  return op.status === 'DONE' && !op.error;
}

export interface Racer {
  /** Stops racing (the client's patches go straight through again). */
  stop(): void;
  /** Most requests of the pipeline's own Compute client in any 1-s window (the racer's left out). */
  clientMaxPerSecond(): number;
}

/**
 * Wraps the pipeline's Compute API (the object sync and reconcile share): before a backend service
 * patch, with probability `rate`, the racing writer changes it first.
 */
export function raceBackendServicePatches(
  p: Pipeline,
  rng: Random,
  rate: number,
  bump: (what: string) => void,
): Racer {
  const api = p.deps.compute as ComputeApi;
  const patch = api.patch.bind(api);
  const tag = new Set<string>();
  let on = true;
  api.patch = async (kind, name, body) => {
    if (on && kind === 'backendServices' && rng() < rate && (await writeBehindTheBack(p, name, tag)))
      bump('Compute backend service changed behind the client');
    return patch(kind, name, body);
  };
  return {
    stop: () => {
      on = false;
      api.patch = patch;
    },
    clientMaxPerSecond: () =>
      maxInWindow(
        p.compute
          .requestLog()
          .filter((e) => ![...tag].some((t) => e.query.includes(t) || e.path.includes(t)))
          .map((e) => e.t),
        1000,
      ),
  };
}
