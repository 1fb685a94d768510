// The chaos run's Compute invariant must be able to fail: a missing backend service, one whose
// zones differ from neg-status, and an owned one nothing references are each reported; the desired
// resources, written through the Compute emulator's API, leave nothing to report.
import test from 'ava';
import { startComputeEmulator } from '../../infra/local/compute/server.ts';
import type { ComputeEmulator } from '../../infra/local/compute/server.ts';
import { desiredCompute } from '../../shared/compute/desired.ts';
import { NEG_ANNOTATION, NEG_STATUS_ANNOTATION } from '../../shared/compute/types.ts';
import type { Service } from '../../shared/gamma/types.ts';
import type { Desired } from '../../shared/translate/types.ts';
import { computeDiff } from './compute-check.ts';

const opts = { project: 'p', clusterId: 'chaos' };
const ZONES = ['us-central1-a', 'us-central1-b'];
const service: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'api',
    namespace: 'ns-a',
    annotations: {
      [NEG_ANNOTATION]: '{"exposed_ports":{"80":{}}}',
      [NEG_STATUS_ANNOTATION]: JSON.stringify({
        network_endpoint_groups: { '80': 'neg-api-80' },
        zones: ZONES,
      }),
    },
  },
  spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
};
const mapping = {
  serviceName: 'projects/p/locations/global/backendServices/gamma-chaos-ns-a-api-80-0a1b2c3d',
  namespace: 'ns-a',
  service: 'api',
  port: 80,
};
const desired = { backends: [mapping] } as unknown as Desired;

let emu: ComputeEmulator;
test.before(async () => {
  emu = await startComputeEmulator({ port: 0 });
  for (const zone of [...ZONES, 'us-central1-f']) emu.store.putNeg({ zone, name: 'neg-api-80' });
});
test.after.always(() => emu?.close());

async function write(method: string, path: string, body: object): Promise<void> {
  const res = await fetch(`${emu.url}compute/v1/projects/p/global/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

test.serial('reports what is missing, differs or is left over, and nothing once it matches', async (t) => {
  const check = () => computeDiff(desired, [service], emu, opts);
  t.deepEqual(
    check().filter((d) => d.includes('missing')).length,
    3,
    'backend service (twice: by neg-status, by body) and health check',
  );

  const want = desiredCompute([service], desired.backends, opts);
  for (const hc of want.healthChecks) await write('POST', 'healthChecks', hc);
  for (const bs of want.backendServices) await write('POST', 'backendServices', bs);
  t.deepEqual(check(), []);

  const id = mapping.serviceName.split('/').pop() as string;
  const live = emu.store.resources('backendServices').find((b) => b.name === id) as {
    fingerprint: string;
    backends: { group: string }[];
  };
  const moved = live.backends.map((b) => ({
    ...b,
    group: b.group.replace('us-central1-b', 'us-central1-f'),
  }));
  await write('PATCH', `backendServices/${id}`, { fingerprint: live.fingerprint, backends: moved });
  t.true(check().some((d) => d.includes('zones us-central1-a,us-central1-f != neg-status')));

  await write('POST', 'backendServices', {
    ...want.backendServices[0],
    name: 'gamma-chaos-ns-b-gone-80-00000000',
  });
  t.true(
    check().some(
      (d) => d === 'backendServices/gamma-chaos-ns-b-gone-80-00000000 owned but nothing references it',
    ),
  );
});
