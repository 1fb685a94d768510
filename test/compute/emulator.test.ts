// The Compute emulator over real sockets, driven by googleapis' compute v1 client (and fetch for the
// raw wire: error bodies, content types, admin surface).
import test from 'ava';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startComputeEmulator } from '../../infra/local/compute/server.ts';
import { CLI, REPO_ROOT } from '../support/cli.ts';
import {
  bs,
  call,
  emulatorFor,
  hcUrl,
  negUrl,
  P,
  rawClient,
  reasonOf,
  ROOT,
  seed,
  tcpHc,
  ZONE,
} from './helpers.ts';
import type { ErrorBody } from './helpers.ts';

const FP = /^[A-Za-z0-9+/]{11}=$/;

test('insert, get and list answer Compute shapes: kind, id, creationTimestamp, full selfLink, fingerprint', async (t) => {
  const emu = await emulatorFor(t);
  const c = await seed(emu, ['neg-a']);
  const op = await c.backendServices.insert({ project: P, requestBody: bs('bs-b', ['neg-a']) });
  t.like(op.data, { kind: 'compute#operation', operationType: 'insert', status: 'DONE', progress: 100 });
  t.is(op.data.targetLink, 'https://www.googleapis.com/compute/v1/projects/p/global/backendServices/bs-b');
  t.regex(op.data.selfLink!, /\/compute\/v1\/projects\/p\/global\/operations\/operation-\d{13}-/);
  await c.backendServices.insert({ project: P, requestBody: bs('bs-a', [], 'hc') });
  const got = (await c.backendServices.get({ project: P, backendService: 'bs-b' })).data;
  t.like(got, { kind: 'compute#backendService', name: 'bs-b', loadBalancingScheme: 'INTERNAL_SELF_MANAGED' });
  t.regex(got.id!, /^\d+$/);
  t.regex(got.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
  t.is(got.selfLink, 'https://www.googleapis.com/compute/v1/projects/p/global/backendServices/bs-b');
  t.regex(got.fingerprint!, FP);
  t.deepEqual(got.healthChecks, [hcUrl('hc')]);
  const list = (await c.backendServices.list({ project: P })).data;
  t.is(list.kind, 'compute#backendServiceList');
  t.deepEqual(
    list.items!.map((i) => i.name),
    ['bs-a', 'bs-b'],
  );
  const hc = (await c.healthChecks.get({ project: P, healthCheck: 'hc' })).data;
  t.like(hc, { kind: 'compute#healthCheck', type: 'TCP', selfLink: hcUrl('hc') });
  t.is(
    (hc as Record<string, unknown>).fingerprint,
    undefined,
    'Compute v1 health checks have no fingerprint',
  );
  t.is((await c.healthChecks.list({ project: P })).data.kind, 'compute#healthCheckList');
});

test('list: name eq regex and literal filters, maxResults paging, bad parameters refused', async (t) => {
  const emu = await emulatorFor(t);
  const c = await seed(emu, []);
  for (const n of ['gamma-c', 'gamma-a', 'other', 'gamma-b'])
    await c.healthChecks.insert({ project: P, requestBody: tcpHc(n) });
  const names = async (filter: string) =>
    ((await c.healthChecks.list({ project: P, filter })).data.items ?? []).map((i) => i.name);
  t.deepEqual(await names("name eq 'gamma-.*'"), ['gamma-a', 'gamma-b', 'gamma-c']);
  t.deepEqual(await names('name eq gamma-b'), ['gamma-b']);
  t.deepEqual(await names("name eq 'gamma'"), [], 'the regex must match the whole name');
  t.deepEqual(await names("name ne 'gamma-.*'"), ['hc', 'other']);
  t.deepEqual(await names('name = "other"'), ['other']);
  const seen: string[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const page = (await c.healthChecks.list({ project: P, maxResults: 2, pageToken })).data;
    seen.push(...page.items!.map((i) => i.name!));
    pageToken = page.nextPageToken ?? undefined;
    pages++;
  } while (pageToken);
  t.is(pages, 3);
  t.deepEqual(seen, ['gamma-a', 'gamma-b', 'gamma-c', 'hc', 'other']);
  for (const q of ['maxResults=501', 'maxResults=-1', 'filter=name%20like%20x', 'pageToken=%%%']) {
    const r = await call(emu, 'GET', `${ROOT}/global/healthChecks?${q}`);
    t.is(r.status, 400, q);
    t.is(reasonOf(r.json), 'invalid');
  }
});

test('patch merges top-level fields and replaces backends whole; PUT replaces everything; the fingerprint changes', async (t) => {
  const emu = await emulatorFor(t);
  const c = await seed(emu, ['neg-a', 'neg-b']);
  await c.backendServices.insert({
    project: P,
    requestBody: { ...bs('bs', ['neg-a', 'neg-b']), description: 'd' },
  });
  const before = (await c.backendServices.get({ project: P, backendService: 'bs' })).data;
  await c.backendServices.patch({
    project: P,
    backendService: 'bs',
    requestBody: { fingerprint: before.fingerprint, backends: [before.backends![1]], timeoutSec: 30 },
  });
  const patched = (await c.backendServices.get({ project: P, backendService: 'bs' })).data;
  t.is(patched.description, 'd', 'untouched fields stay');
  t.is(patched.timeoutSec, 30);
  t.deepEqual(patched.backends, [before.backends![1]]);
  t.not(patched.fingerprint, before.fingerprint);
  t.is(patched.id, before.id);
  t.is(patched.creationTimestamp, before.creationTimestamp);
  await c.backendServices.update({
    project: P,
    backendService: 'bs',
    requestBody: { ...patched, description: undefined, backends: [] },
  });
  const replaced = (await c.backendServices.get({ project: P, backendService: 'bs' })).data;
  t.is(replaced.description, undefined);
  t.is(replaced.backends, undefined);
  t.is(replaced.timeoutSec, 30, 'what the PUT body carried stays');
  t.not(replaced.fingerprint, patched.fingerprint);
});

test('backend service writes need an up-to-date fingerprint (412 conditionNotMet); health checks take none', async (t) => {
  const emu = await emulatorFor(t);
  const c = await seed(emu, []);
  await c.backendServices.insert({ project: P, requestBody: bs('bs') });
  const { fingerprint } = (await c.backendServices.get({ project: P, backendService: 'bs' })).data;
  const missing = await call(emu, 'PATCH', `${ROOT}/global/backendServices/bs`, { description: 'x' });
  t.is(missing.status, 412);
  t.is(reasonOf(missing.json), 'conditionNotMet');
  const put = await call(emu, 'PUT', `${ROOT}/global/backendServices/bs`, { ...bs('bs') });
  t.is(put.status, 412, 'PUT too');
  t.is(
    (await call(emu, 'PATCH', `${ROOT}/global/backendServices/bs`, { fingerprint, description: 'x' })).status,
    200,
  );
  const stale = await call(emu, 'PATCH', `${ROOT}/global/backendServices/bs`, {
    fingerprint,
    description: 'y',
  });
  t.is(stale.status, 412);
  t.like(stale.json, { error: { code: 412 } });
  t.is((await c.backendServices.get({ project: P, backendService: 'bs' })).data.description, 'x');
  const hc = await call(emu, 'PATCH', `${ROOT}/global/healthChecks/hc`, { checkIntervalSec: 7 });
  t.is(hc.status, 200);
  t.is((await c.healthChecks.get({ project: P, healthCheck: 'hc' })).data.checkIntervalSec, 7);
});

test('requestId: a repeated insert returns the first operation and creates nothing more; malformed ids refused', async (t) => {
  const emu = await emulatorFor(t);
  const c = await seed(emu, []);
  const requestId = randomUUID();
  const first = await c.healthChecks.insert({ project: P, requestId, requestBody: tcpHc('x') });
  const again = await c.healthChecks.insert({ project: P, requestId, requestBody: tcpHc('x') });
  t.is(again.data.name, first.data.name);
  t.is(again.data.id, first.data.id);
  const other = await call(emu, 'POST', `${ROOT}/global/healthChecks?requestId=${randomUUID()}`, tcpHc('x'));
  t.is(other.status, 409, 'a fresh requestId is a fresh request');
  t.is(reasonOf(other.json), 'alreadyExists');
  t.regex(
    (other.json as unknown as ErrorBody).error.message,
    /The resource 'projects\/p\/global\/healthChecks\/x' already exists/,
  );
  const bad = await call(emu, 'POST', `${ROOT}/global/healthChecks?requestId=nope`, tcpHc('y'));
  t.is(bad.status, 400);
  t.is(emu.stats().writes, 2, 'hc and x');
});

test('404 notFound and the error body shape', async (t) => {
  const emu = await emulatorFor(t);
  const r = await call(emu, 'GET', `${ROOT}/global/backendServices/nope`);
  t.is(r.status, 404);
  t.deepEqual(r.json, {
    error: {
      code: 404,
      message: "The resource 'projects/p/global/backendServices/nope' was not found",
      errors: [
        {
          domain: 'global',
          reason: 'notFound',
          message: "The resource 'projects/p/global/backendServices/nope' was not found",
        },
      ],
    },
  });
  for (const [m, path] of [
    ['DELETE', 'global/healthChecks/nope'],
    ['PATCH', 'global/healthChecks/nope'],
    ['GET', 'global/operations/operation-1'],
    ['GET', `zones/${ZONE}/networkEndpointGroups/nope`],
  ]) {
    const res = await call(emu, m, `${ROOT}/${path}`, m === 'PATCH' ? {} : undefined);
    t.is(res.status, 404, `${m} ${path}`);
  }
});

test('deleting a health check or NEG a backend service uses is refused with "being used by"', async (t) => {
  const emu = await emulatorFor(t);
  const c = await seed(emu, ['neg-a']);
  await c.backendServices.insert({ project: P, requestBody: bs('bs', ['neg-a']) });
  const hc = await call(emu, 'DELETE', `${ROOT}/global/healthChecks/hc`);
  t.is(hc.status, 400);
  t.is(reasonOf(hc.json), 'resourceInUseByAnotherResource');
  t.is(
    (hc.json as unknown as ErrorBody).error.message,
    "The health_check resource 'projects/p/global/healthChecks/hc' is already being used by 'projects/p/global/backendServices/bs'",
  );
  const neg = emu.store.deleteNeg(ZONE, 'neg-a');
  t.like(neg, { deleted: false, reason: 'inUse', usedBy: ['projects/p/global/backendServices/bs'] });
  t.regex(
    (neg as { message: string }).message,
    /is already being used by 'projects\/p\/global\/backendServices\/bs'/,
  );
  const admin = await call(emu, 'DELETE', `/_emulator/networkEndpointGroups?zone=${ZONE}&name=neg-a`, {});
  t.is(admin.status, 400);
  t.is(reasonOf(admin.json), 'resourceInUseByAnotherResource');
  await c.backendServices.delete({ project: P, backendService: 'bs' });
  t.deepEqual(emu.store.deleteNeg(ZONE, 'neg-a'), { deleted: true });
  t.is((await call(emu, 'DELETE', `${ROOT}/global/healthChecks/hc`)).status, 200);
});

test('validation: 400 invalid naming the field, nothing stored', async (t) => {
  const emu = await emulatorFor(t);
  const c = await seed(emu, ['neg-a']);
  await c.healthChecks.insert({ project: P, requestBody: tcpHc('hc2') });
  const rate = { group: negUrl('neg-a'), balancingMode: 'RATE' };
  const many = Array.from({ length: 51 }, (_, i) => `n${i}`);
  for (const n of many) emu.store.putNeg({ zone: ZONE, name: n });
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['bad name', { ...bs('Bad_Name') }, /resource\.name/],
    ['long name', { ...bs('a'.repeat(64)) }, /resource\.name/],
    ['scheme', { ...bs('x'), loadBalancingScheme: 'INTERNAL' }, /loadBalancingScheme/],
    ['protocol', { ...bs('x'), protocol: 'SPDY' }, /protocol/],
    ['two hcs', { ...bs('x'), healthChecks: [hcUrl('hc'), hcUrl('hc2')] }, /at most one health check/],
    ['missing hc', { ...bs('x'), healthChecks: [hcUrl('nope')] }, /healthChecks\/nope' was not found/],
    [
      'partial group',
      {
        ...bs('x'),
        backends: [{ ...rate, maxRate: 1, group: `projects/p/zones/${ZONE}/networkEndpointGroups/neg-a` }],
      },
      /fully-qualified/,
    ],
    [
      'unknown NEG',
      { ...bs('x'), backends: [{ ...rate, maxRate: 1, group: negUrl('nope') }] },
      /networkEndpointGroups\/nope' was not found/,
    ],
    ['RATE none', { ...bs('x'), backends: [rate] }, /exactly one of maxRate/],
    [
      'RATE two',
      { ...bs('x'), backends: [{ ...rate, maxRate: 1, maxRatePerEndpoint: 2 }] },
      /exactly one of maxRate/,
    ],
    ['default mode', { ...bs('x'), backends: [{ group: negUrl('neg-a') }] }, /UTILIZATION/],
    ['51 backends', { ...bs('x', many) }, /at most 50/],
    ['no hc with backends', { ...bs('x', ['neg-a']), healthChecks: [] }, /must have a health check/],
    ['unknown field', { ...bs('x'), labels: { a: 'b' } }, /Unknown name \\"labels\\"/],
    ['duplicate group', { ...bs('x', ['neg-a', 'neg-a']) }, /duplicate backend group/],
  ];
  for (const [what, body, message] of cases) {
    const r = await call(emu, 'POST', `${ROOT}/global/backendServices`, body);
    t.is(r.status, 400, what);
    t.is(reasonOf(r.json), 'invalid', what);
    t.regex(JSON.stringify(r.json), message, what);
  }
  const hcCases: [string, Record<string, unknown>, RegExp][] = [
    ['type mismatch', { name: 'h', type: 'HTTP', tcpHealthCheck: {} }, /takes only 'httpHealthCheck'/],
    ['no type', { name: 'h', tcpHealthCheck: {} }, /resource\.type/],
    [
      'port spec',
      { name: 'h', type: 'GRPC', grpcHealthCheck: { portSpecification: 'ANY' } },
      /portSpecification/,
    ],
    [
      'serving port with port',
      { name: 'h', type: 'TCP', tcpHealthCheck: { portSpecification: 'USE_SERVING_PORT', port: 80 } },
      /USE_SERVING_PORT/,
    ],
  ];
  for (const [what, body, message] of hcCases) {
    const r = await call(emu, 'POST', `${ROOT}/global/healthChecks`, body);
    t.is(r.status, 400, what);
    t.regex(JSON.stringify(r.json), message, what);
  }
  t.is((await c.backendServices.list({ project: P })).data.items, undefined);
  t.is(emu.store.resources('healthChecks').length, 2);
});

test('getHealth reports each endpoint of the backend NEG; the admin surface sets endpoint health', async (t) => {
  const emu = await emulatorFor(t);
  emu.store.putNeg({
    zone: ZONE,
    name: 'neg-b',
    endpoints: [
      { ipAddress: '10.0.0.2', port: 80 },
      { ipAddress: '10.0.0.3', port: 80 },
    ],
  });
  const c = await seed(emu, []);
  await c.backendServices.insert({ project: P, requestBody: bs('bs', ['neg-b']) });
  const health = async () =>
    (
      await c.backendServices.getHealth({
        project: P,
        backendService: 'bs',
        requestBody: { group: negUrl('neg-b') },
      })
    ).data;
  t.deepEqual(await health(), {
    kind: 'compute#backendServiceGroupHealth',
    healthStatus: [
      { ipAddress: '10.0.0.2', port: 80, healthState: 'HEALTHY' },
      { ipAddress: '10.0.0.3', port: 80, healthState: 'HEALTHY' },
    ],
  });
  const set = await call(emu, 'POST', '/_emulator/endpointHealth', {
    zone: ZONE,
    name: 'neg-b',
    ipAddress: '10.0.0.3',
    port: 80,
    healthState: 'UNHEALTHY',
  });
  t.is(set.status, 200);
  t.is((await health()).healthStatus![1].healthState, 'UNHEALTHY');
  t.is(
    (
      await call(emu, 'POST', '/_emulator/endpointHealth', {
        zone: ZONE,
        name: 'neg-b',
        ipAddress: '1.1.1.1',
        port: 80,
        healthState: 'HEALTHY',
      })
    ).status,
    404,
  );
  const notBackend = await call(emu, 'POST', `${ROOT}/global/backendServices/bs/getHealth`, {
    group: negUrl('neg-a'),
  });
  t.is(notBackend.status, 400);
});

test('NEGs: created in-process or by the admin surface, read-only through the API', async (t) => {
  const emu = await emulatorFor(t);
  emu.store.putNeg({ zone: ZONE, name: 'neg-b', endpoints: [{ ipAddress: '10.0.0.2', port: 80 }] });
  const made = await call(emu, 'POST', '/_emulator/networkEndpointGroups', { zone: ZONE, name: 'neg-a' });
  t.is(made.status, 200);
  t.is(
    (await call(emu, 'POST', '/_emulator/networkEndpointGroups', { zone: ZONE, name: 'Bad' })).status,
    400,
  );
  emu.store.putNeg({ zone: 'us-central1-b', name: 'neg-a' });
  const c = rawClient(emu);
  const list = (await c.networkEndpointGroups.list({ project: P, zone: ZONE })).data;
  t.is(list.kind, 'compute#networkEndpointGroupList');
  t.deepEqual(
    list.items!.map((n) => n.name),
    ['neg-a', 'neg-b'],
  );
  const neg = (await c.networkEndpointGroups.get({ project: P, zone: ZONE, networkEndpointGroup: 'neg-b' }))
    .data;
  t.like(neg, {
    kind: 'compute#networkEndpointGroup',
    networkEndpointType: 'GCE_VM_IP_PORT',
    size: 1,
    selfLink: negUrl('neg-b'),
  });
  t.is(neg.zone, `https://www.googleapis.com/compute/v1/projects/p/zones/${ZONE}`);
  const eps = (
    await c.networkEndpointGroups.listNetworkEndpoints({
      project: P,
      zone: ZONE,
      networkEndpointGroup: 'neg-b',
    })
  ).data;
  t.deepEqual(eps.items, [{ networkEndpoint: { ipAddress: '10.0.0.2', port: 80 } }]);
  t.is((await call(emu, 'POST', `${ROOT}/zones/${ZONE}/networkEndpointGroups`, { name: 'x' })).status, 405);
  t.is(
    (await call(emu, 'DELETE', `/_emulator/networkEndpointGroups?zone=${ZONE}&name=neg-a`, {})).status,
    200,
  );
  t.is(
    (await call(emu, 'DELETE', `/_emulator/networkEndpointGroups?zone=${ZONE}&name=neg-a`, {})).status,
    404,
  );
});

test('operations: poll delays, writes visible only once DONE, bounded wait, failed operations change nothing', async (t) => {
  const emu = await emulatorFor(t, { operationDelay: { polls: 3 } });
  const c = rawClient(emu);
  const op = (await c.healthChecks.insert({ project: P, requestBody: tcpHc('hc') })).data;
  t.is(op.status, 'RUNNING');
  t.is((await call(emu, 'GET', `${ROOT}/global/healthChecks/hc`)).status, 404, 'not visible before DONE');
  t.is((await c.globalOperations.get({ project: P, operation: op.name! })).data.status, 'RUNNING');
  t.is(
    (await c.globalOperations.wait({ project: P, operation: op.name! })).data.status,
    'RUNNING',
    'a wait counts as a poll',
  );
  t.is((await c.globalOperations.get({ project: P, operation: op.name! })).data.status, 'RUNNING');
  const done = (await c.globalOperations.wait({ project: P, operation: op.name! })).data;
  t.like(done, { status: 'DONE', progress: 100, operationType: 'insert' });
  t.truthy(done.endTime);
  t.is((await call(emu, 'GET', `${ROOT}/global/healthChecks/hc`)).status, 200);

  emu.setFaults({ operationDelay: { ms: 150 } });
  const slow = (await c.healthChecks.delete({ project: P, healthCheck: 'hc' })).data;
  t.is(
    (await call(emu, 'GET', `${ROOT}/global/healthChecks/hc`)).status,
    200,
    'still there while the delete runs',
  );
  t.is(
    (await c.globalOperations.wait({ project: P, operation: slow.name! })).data.status,
    'DONE',
    'wait holds until DONE',
  );
  t.is((await call(emu, 'GET', `${ROOT}/global/healthChecks/hc`)).status, 404);

  emu.setFaults({ failOperationRate: 1, operationDelay: {} });
  const failed = (await c.healthChecks.insert({ project: P, requestBody: tcpHc('hc') })).data;
  t.is(failed.status, 'DONE');
  t.is(failed.httpErrorStatusCode, 500);
  t.is(failed.error!.errors![0].code, 'INTERNAL_ERROR');
  t.is(
    (await call(emu, 'GET', `${ROOT}/global/healthChecks/hc`)).status,
    404,
    'a failed operation changes nothing',
  );
  t.is(emu.stats().injected.failedOperations, 1);
});

test('wait answers a not-yet-DONE operation after waitTimeoutMs; visibleWhenDone=false applies at once', async (t) => {
  const emu = await emulatorFor(t, {
    operationDelay: { ms: 60_000 },
    waitTimeoutMs: 50,
    visibleWhenDone: false,
  });
  const c = rawClient(emu);
  const op = (await c.healthChecks.insert({ project: P, requestBody: tcpHc('hc') })).data;
  t.is((await c.globalOperations.wait({ project: P, operation: op.name! })).data.status, 'RUNNING');
  t.is((await call(emu, 'GET', `${ROOT}/global/healthChecks/hc`)).status, 200);
});

test('faults: scripted and random 429/503 with Compute bodies, drops after the work', async (t) => {
  const emu = await emulatorFor(t);
  const c = await seed(emu, []);
  emu.setFaults({ next: [{ status: 429 }, { status: 503 }, { drop: 'after' }] });
  const a = await call(emu, 'GET', `${ROOT}/global/healthChecks`);
  t.is(a.status, 429);
  t.is(reasonOf(a.json), 'rateLimitExceeded');
  t.is((await call(emu, 'GET', `${ROOT}/global/healthChecks`)).status, 503);
  await t.throwsAsync(c.healthChecks.insert({ project: P, requestBody: tcpHc('dropped') }));
  t.is((await call(emu, 'GET', `${ROOT}/global/healthChecks/dropped`)).status, 200, 'the work happened');
  emu.setFaults({ errorRates: { PUT: { '500': 1 } } });
  t.is((await call(emu, 'PUT', `${ROOT}/global/healthChecks/hc`, tcpHc('hc'))).status, 500);
  t.is((await call(emu, 'GET', `${ROOT}/global/healthChecks/hc`)).status, 200);
  t.like(emu.stats().injected, { '429': 1, '503': 1, '500': 1, dropped: 1 });
});

test('admin surface: stats, requests, state, faults, reset; admin writes must be JSON', async (t) => {
  const emu = await emulatorFor(t);
  const c = await seed(emu, ['neg-a']);
  await c.healthChecks.get({ project: P, healthCheck: 'hc' });
  const stats = (await call(emu, 'GET', '/_emulator/stats')).json as Record<string, unknown>;
  t.like(stats, { requests: 3, writes: 1, byMethod: { POST: 2, GET: 1 } });
  t.deepEqual((stats.byCollection as Record<string, unknown>).healthChecks, { POST: 1, GET: 1 });
  t.deepEqual((stats.byCollection as Record<string, unknown>).operations, { POST: 1 });
  const reqs = (await call(emu, 'GET', '/_emulator/requests')).json.requests as {
    method: string;
    status: number;
  }[];
  t.is(reqs.length, 3);
  const state = (await call(emu, 'GET', '/_emulator/state')).json as {
    resources: { healthChecks: object };
    negs: object;
  };
  t.deepEqual(Object.keys(state.resources.healthChecks), ['projects/p/global/healthChecks/hc']);
  t.is(Object.keys(state.negs).length, 1);
  t.is((await call(emu, 'POST', '/_emulator/faults', { latencyMs: 1, nope: 1 })).status, 400);
  t.is(
    (await call(emu, 'POST', '/_emulator/faults', { latencyMs: 1, errorRates: { PUT: { '503': 0.5 } } }))
      .status,
    200,
  );
  t.like((await call(emu, 'GET', '/_emulator/faults')).json, { latencyMs: 1 });
  t.is((await call(emu, 'DELETE', '/_emulator/faults', {})).status, 200);
  t.deepEqual((await call(emu, 'GET', '/_emulator/faults')).json, {});
  t.is(
    (await call(emu, 'POST', '/_emulator/reset', undefined, {})).status,
    415,
    'a body-less POST from a web page',
  );
  t.is((await call(emu, 'POST', '/_emulator/reset', 'x', { 'content-type': 'text/plain' })).status, 415);
  t.is((await call(emu, 'POST', '/_emulator/reset', {})).status, 200);
  t.is(emu.stats().requests, 0);
  t.is(emu.store.resources('healthChecks').length, 1, 'stats only');
  await call(emu, 'POST', '/_emulator/reset?state=true', {});
  t.is(emu.store.resources('healthChecks').length, 0);
  t.is(emu.store.negs().length, 0);
});

test('bodies: over 1 MiB is 413, a non-JSON content type on a write is 415, malformed JSON 400', async (t) => {
  const emu = await emulatorFor(t, { maxBodyBytes: 1 << 20 });
  const big = JSON.stringify({ name: 'x', description: 'a'.repeat((1 << 20) + 1) });
  t.is((await call(emu, 'POST', `${ROOT}/global/healthChecks`, big)).status, 413);
  const form = await call(emu, 'POST', `${ROOT}/global/healthChecks`, JSON.stringify(tcpHc('x')), {
    'content-type': 'text/plain',
  });
  t.is(form.status, 415);
  t.is((await call(emu, 'POST', `${ROOT}/global/healthChecks`, '{nope')).status, 400);
  t.is(emu.store.resources('healthChecks').length, 0);
});

test('the CLI serves the emulator: gamma-csm emulator compute --port 0', async (t) => {
  const child = spawn(process.execPath, [CLI, 'emulator', 'compute', '--port', '0'], { cwd: REPO_ROOT });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const m = /^compute emulator listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
  });
  const r = await fetch(`${url}${ROOT}/global/backendServices`);
  t.is(r.status, 200);
  t.like(await r.json(), { kind: 'compute#backendServiceList' });
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  t.regex(out, /compute emulator stopped\n$/);
});

test('statePath: resources and NEGs survive a restart', async (t) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'compute-state-')), 'compute.json');
  const first = await startComputeEmulator({ statePath: file });
  await seed(first, ['neg-a']);
  await first.close();
  const second = await emulatorFor(t, { statePath: file });
  t.is((await call(second, 'GET', `${ROOT}/global/healthChecks/hc`)).status, 200);
  t.deepEqual(
    second.store.negs().map((n) => n.name),
    ['neg-a'],
  );
});
