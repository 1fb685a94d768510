// ComputeClient against the Compute emulator over loopback: CRUD, paging, retries with one requestId,
// surfaced 412 and failed operations, operation waits, and the client-side rate limit.
import test from 'ava';
import { ApiError, failureOf, OperationError } from '../../shared/netsvc/errors.ts';
import { ComputeClient, isResourceInUse, type ComputeClientOptions } from '../../shared/compute/client.ts';
import type { ComputeEmulator } from '../../infra/local/compute/server.ts';
import { bs, emulatorFor, negUrl, P, tcpHc, ZONE } from './helpers.ts';

const FAST_RETRY = { attempts: 5, baseDelayMs: 5, maxDelayMs: 20 };

function clientFor(emu: ComputeEmulator, opts: Partial<ComputeClientOptions> = {}): ComputeClient {
  return new ComputeClient({
    project: P,
    endpoint: emu.url,
    retry: FAST_RETRY,
    requestsPerSecond: 1000,
    ...opts,
  });
}

function withNegs(emu: ComputeEmulator, names: string[]): void {
  for (const name of names)
    emu.store.putNeg({ zone: ZONE, name, endpoints: [{ ipAddress: '10.1.0.1', port: 9000 }] });
}

test('insert, get, list, patch with the fingerprint, delete; get of a missing resource is null', async (t) => {
  const emu = await emulatorFor(t);
  withNegs(emu, ['neg-a', 'neg-b']);
  const c = clientFor(emu);
  await c.insert('healthChecks', tcpHc('hc'));
  await c.insert('backendServices', bs('bs', ['neg-a']));
  const got = await c.get('backendServices', 'bs');
  t.is(got?.backends?.length, 1);
  t.is(await c.get('backendServices', 'nope'), null);
  await c.patch('backendServices', 'bs', {
    fingerprint: got!.fingerprint,
    backends: [{ group: negUrl('neg-b'), balancingMode: 'RATE', maxRatePerEndpoint: 7 }],
  });
  const after = await c.get('backendServices', 'bs');
  t.deepEqual(after?.backends, [{ group: negUrl('neg-b'), balancingMode: 'RATE', maxRatePerEndpoint: 7 }]);
  t.is(after?.healthChecks?.length, 1, 'fields the patch left out stay');
  await c.patch('healthChecks', 'hc', { checkIntervalSec: 9 });
  t.is((await c.get('healthChecks', 'hc'))?.checkIntervalSec, 9);
  t.deepEqual(
    (await c.list('backendServices')).map((b) => b.name),
    ['bs'],
  );
  await c.delete('backendServices', 'bs');
  t.is(await c.get('backendServices', 'bs'), null);
  await t.notThrowsAsync(c.delete('backendServices', 'bs'), 'deleting what is gone resolves');
  t.like(c.stats.requests, { GET: 6, POST: 2, PATCH: 2, PUT: 0, DELETE: 2 });
  t.is(c.stats.operationsPolled, 0, 'operations already DONE need no wait');
});

test('list walks every page and passes the filter', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  const names = Array.from({ length: 505 }, (_, i) => `gamma-${String(i).padStart(3, '0')}`);
  await Promise.all([...names, 'other'].map((n) => c.insert('healthChecks', tcpHc(n))));
  const all = await c.list('healthChecks', "name eq 'gamma-.*'");
  t.is(all.length, 505);
  t.deepEqual(
    all.map((h) => h.name),
    names,
  );
  const pages = emu.requestLog().filter((e) => e.method === 'GET' && e.collection === 'healthChecks');
  t.is(pages.length, 2);
  t.true(pages.every((p) => p.query.includes('filter=name%20eq')));
  t.is((await c.list('healthChecks', 'name eq other')).length, 1);
});

test('a retried insert keeps its requestId: a drop after the work does not insert twice or fail with 409', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  emu.setFaults({ next: [{ drop: 'after' }] });
  await c.insert('healthChecks', tcpHc('hc'));
  const posts = emu.requestLog().filter((e) => e.method === 'POST' && e.collection === 'healthChecks');
  t.is(posts.length, 2);
  const ids = posts.map((p) => new URLSearchParams(p.query).get('requestId'));
  t.truthy(ids[0]);
  t.is(ids[0], ids[1]);
  t.deepEqual(
    posts.map((p) => p.status),
    [0, 200],
  );
  t.is(emu.stats().writes, 1);
  t.is(c.stats.retries, 1);
  const again = await t.throwsAsync(c.insert('healthChecks', tcpHc('hc')), { instanceOf: ApiError });
  t.like(again, { httpStatus: 409, status: 'ALREADY_EXISTS', target: 'insert healthChecks/hc' });
});

test('429 and 503 are retried with backoff; the stats count them', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  emu.setFaults({ next: [{ status: 429 }, { status: 503 }, 'ok', { status: 500 }] });
  await c.insert('healthChecks', tcpHc('hc'));
  t.truthy(await c.get('healthChecks', 'hc'));
  t.is(c.stats.retries, 3);
  t.is(c.stats.throttled, 1);
  emu.setFaults({ errorRates: { GET: { '503': 1 } } });
  const err = await t.throwsAsync(c.get('healthChecks', 'hc'), { instanceOf: ApiError });
  t.is(err.httpStatus, 503);
  t.is(failureOf(err), 'transient');
});

test('a stale fingerprint surfaces as 412 FAILED_PRECONDITION, not retried; in-use deletes are recognisable', async (t) => {
  const emu = await emulatorFor(t);
  withNegs(emu, ['neg-a']);
  const c = clientFor(emu);
  await c.insert('healthChecks', tcpHc('hc'));
  await c.insert('backendServices', bs('bs', ['neg-a']));
  const read = await c.get('backendServices', 'bs');
  await c.patch('backendServices', 'bs', { fingerprint: read!.fingerprint, description: 'one' });
  const stale = await t.throwsAsync(
    c.patch('backendServices', 'bs', { fingerprint: read!.fingerprint, description: 'two' }),
    { instanceOf: ApiError },
  );
  t.like(stale, { httpStatus: 412, status: 'FAILED_PRECONDITION', target: 'patch backendServices/bs' });
  t.is(c.stats.retries, 0);
  const missing = await t.throwsAsync(c.patch('backendServices', 'bs', { description: 'x' }), {
    instanceOf: ApiError,
  });
  t.is(missing.httpStatus, 412);
  const inUse = await t.throwsAsync(c.delete('healthChecks', 'hc'));
  t.true(isResourceInUse(inUse));
  t.false(isResourceInUse(stale));
  t.regex(
    inUse.message,
    /health_check resource 'projects\/p\/global\/healthChecks\/hc' is already being used by/,
  );
});

test('an operation that ends with an error throws OperationError naming the resource', async (t) => {
  const emu = await emulatorFor(t, { operationDelay: { polls: 1 } });
  const c = clientFor(emu);
  emu.setFaults({ failOperationRate: 1 });
  const err = await t.throwsAsync(c.insert('healthChecks', tcpHc('hc')), { instanceOf: OperationError });
  t.is(err.code, 13);
  t.is(err.resource, 'projects/p/global/healthChecks/hc');
  t.regex(err.detail, /INTERNAL_ERROR/);
  t.is(failureOf(err), 'transient');
  t.is(emu.store.resources('healthChecks').length, 0);
});

test('operation delays are waited through globalOperations.wait until DONE', async (t) => {
  const emu = await emulatorFor(t, { operationDelay: { polls: 2 } });
  const c = clientFor(emu);
  await c.insert('healthChecks', tcpHc('hc'));
  t.truthy(await c.get('healthChecks', 'hc'), 'visible once the insert returned');
  t.is(c.stats.operationsPolled, 2);
  emu.setFaults({ operationDelay: { ms: 150 } });
  await c.delete('healthChecks', 'hc');
  t.is(await c.get('healthChecks', 'hc'), null);
  const waits = emu.requestLog().filter((e) => e.path.endsWith('/wait'));
  t.is(waits.length, 3, 'a time delay is one held wait');
});

test('an operation never DONE within operationTimeoutMs is an OperationTimeoutError', async (t) => {
  const emu = await emulatorFor(t, { operationDelay: { ms: 60_000 }, waitTimeoutMs: 30 });
  const c = clientFor(emu, { operationTimeoutMs: 200 });
  const err = await t.throwsAsync(c.insert('healthChecks', tcpHc('hc')));
  t.is(err.name, 'OperationTimeoutError');
});

test('getHealth and getNeg', async (t) => {
  const emu = await emulatorFor(t);
  withNegs(emu, ['neg-a']);
  const c = clientFor(emu);
  await c.insert('healthChecks', tcpHc('hc'));
  await c.insert('backendServices', bs('bs', ['neg-a']));
  t.deepEqual((await c.getHealth('bs', negUrl('neg-a'))).healthStatus, [
    { ipAddress: '10.1.0.1', port: 9000, healthState: 'HEALTHY' },
  ]);
  t.like(await c.getNeg(ZONE, 'neg-a'), { name: 'neg-a', size: 1, selfLink: negUrl('neg-a') });
  t.is(await c.getNeg(ZONE, 'nope'), null);
});

test('the rate limit holds in every one-second window of the emulator request log', async (t) => {
  const emu = await emulatorFor(t);
  // 20/s (the client's default): the bucket keeps ~1 request of headroom per second for jitter.
  const c = clientFor(emu, { requestsPerSecond: 20, maxConcurrency: 16 });
  await Promise.all(Array.from({ length: 50 }, () => c.get('healthChecks', 'nope')));
  t.is(emu.requestLog().length, 50);
  t.true(emu.maxRequestsInWindow(1000) <= 20, `max ${emu.maxRequestsInWindow(1000)} in a second`);
  const times = emu.requestLog().map((e) => e.t);
  t.true(Math.max(...times) - Math.min(...times) >= 1500, 'the requests were spread out');
});
