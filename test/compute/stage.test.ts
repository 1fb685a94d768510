// The Compute stage against the emulator through the real client: what sync does for one parent
// (ensureBackends) and what makes a backend service unusable for routes: a missing override target,
// a name squatted by a resource gamma-csm does not own, a body Compute refuses. Races settle by
// re-reading: a create that meets 409, a patch that meets 412.
import test from 'ava';
import { ComputeClient } from '../../shared/compute/client.ts';
import { ensureBackends } from '../../shared/compute/stage.ts';
import type { ComputeApi } from '../../shared/compute/types.ts';
import type { BackendMapping } from '../../shared/translate/types.ts';
import type { Service } from '../../shared/gamma/types.ts';
import { startComputeEmulator, type ComputeEmulator } from '../../infra/local/compute/server.ts';

const OPTS = { project: 'p', clusterId: 'c1' };

function svc(name: string, annotations: Record<string, string>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ns', annotations },
    spec: { ports: [{ port: 80 }] },
  } as Service;
}

const negs = (name: string, zones: string[]) => ({
  'cloud.google.com/neg': '{"exposed_ports":{"80":{}}}',
  'cloud.google.com/neg-status': JSON.stringify({ network_endpoint_groups: { 80: name }, zones }),
});

const mapping = (service: string, id: string): BackendMapping => ({
  serviceName: `projects/p/locations/global/backendServices/${id}`,
  namespace: 'ns',
  service,
  port: 80,
});

async function setup(t: {
  teardown(fn: () => Promise<void>): void;
}): Promise<{ emu: ComputeEmulator; client: ComputeClient }> {
  const emu = await startComputeEmulator({ port: 0 });
  t.teardown(() => emu.close());
  for (const zone of ['us-central1-a', 'us-central1-b']) emu.store.putNeg({ zone, name: 'neg-a' });
  const client = new ComputeClient({
    project: 'p',
    endpoint: emu.url,
    retry: { attempts: 2 },
  });
  return { emu, client };
}

async function insert(emu: ComputeEmulator, collection: string, body: object) {
  const res = await fetch(`${emu.url}compute/v1/projects/p/global/${collection}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(await res.text());
}

test('creates the check and the backend service once; a second pass reads and writes nothing', async (t) => {
  const { emu, client } = await setup(t);
  const services = [svc('a', negs('neg-a', ['us-central1-a', 'us-central1-b']))];
  const first = await ensureBackends(client, services, [mapping('a', 'bs-a')], OPTS);
  t.deepEqual(
    first.results.map((r) => `${r.action} ${r.kind} ${r.status}`),
    ['create healthChecks done', 'create backendServices done'],
  );
  t.deepEqual(first.unavailable, {});
  emu.resetStats();
  const second = await ensureBackends(client, services, [mapping('a', 'bs-a')], OPTS);
  t.deepEqual(second.results, []);
  t.is(emu.stats().writes, 0);
  t.is(emu.stats().requests, 2, 'one GET per resource needed');
});

test('an override that does not exist, and a squatted name, are unusable with a reason; nothing foreign is written', async (t) => {
  const { emu, client } = await setup(t);
  await insert(emu, 'backendServices', {
    name: 'bs-a',
    description: 'the team made this',
    loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
  });
  const before = JSON.stringify(emu.store.resources('backendServices'));
  const services = [
    svc('a', negs('neg-a', ['us-central1-a'])),
    svc('b', { 'gamma-csm.dev/backend-service.80': 'their-bs' }),
  ];
  const result = await ensureBackends(
    client,
    services,
    [mapping('a', 'bs-a'), mapping('b', 'their-bs')],
    OPTS,
  );
  t.regex(
    result.unavailable['projects/p/locations/global/backendServices/bs-a'] ?? '',
    /exists and is not gamma-csm's/,
  );
  t.regex(
    result.unavailable['projects/p/locations/global/backendServices/their-bs'] ?? '',
    /their-bs, named by annotation gamma-csm.dev\/backend-service.80 on Service ns\/b, does not exist; create it or remove the annotation/,
  );
  t.is(JSON.stringify(emu.store.resources('backendServices')), before, 'the squatter is untouched');
  // The override target appears: it is referenced, never written.
  await insert(emu, 'backendServices', { name: 'their-bs', loadBalancingScheme: 'INTERNAL_SELF_MANAGED' });
  const later = await ensureBackends(client, [services[1]], [mapping('b', 'their-bs')], OPTS);
  t.deepEqual(later.unavailable, {});
  t.deepEqual(later.results, []);
});

test('a body Compute refuses (a NEG that does not exist) makes that backend service unusable, not the event fail', async (t) => {
  const { client } = await setup(t);
  const services = [svc('a', negs('no-such-neg', ['us-central1-a']))];
  const result = await ensureBackends(client, services, [mapping('a', 'bs-a')], OPTS);
  t.regex(
    result.unavailable['projects/p/locations/global/backendServices/bs-a'] ?? '',
    /Compute refused create backendServices\/bs-a: .*400/,
  );
});

test('a zone change patches the backends under the live fingerprint; a fingerprint race (412) settles by re-reading', async (t) => {
  const { emu, client } = await setup(t);
  emu.store.putNeg({ zone: 'us-central1-c', name: 'neg-a' });
  await ensureBackends(
    client,
    [svc('a', negs('neg-a', ['us-central1-a', 'us-central1-b']))],
    [mapping('a', 'bs-a')],
    OPTS,
  );
  // Another writer changes the backend service between our read and our patch (a real PATCH that
  // moves the fingerprint), so our first PATCH meets the emulator's 412.
  let raced = false;
  const racing: ComputeApi = {
    get: (kind, name) => client.get(kind, name),
    list: (kind, filter) => client.list(kind, filter),
    insert: (kind, body) => client.insert(kind, body),
    delete: (kind, name) => client.delete(kind, name),
    patch: async (kind, name, body) => {
      if (!raced) {
        raced = true;
        const live = await client.get('backendServices', name);
        await client.patch('backendServices', name, {
          fingerprint: live?.fingerprint,
          description: live?.description,
        });
      }
      return client.patch(kind, name, body);
    },
  };
  const moved = await ensureBackends(
    racing,
    [svc('a', negs('neg-a', ['us-central1-a', 'us-central1-c']))],
    [mapping('a', 'bs-a')],
    OPTS,
  );
  t.true(raced);
  t.deepEqual(
    moved.results.map((r) => `${r.action} ${r.status}`),
    ['update done'],
  );
  const bs = emu.store.resources('backendServices')[0] as { backends: { group: string }[] };
  t.deepEqual(bs.backends.map((b) => b.group.split('/zones/')[1].split('/')[0]).sort(), [
    'us-central1-a',
    'us-central1-c',
  ]);
});
