// NetsvcClient (googleapis underneath) against the emulator over loopback: CRUD, paging, LROs,
// typed errors, idempotent retries and the client-side rate limit under injected faults.
import test from 'ava';
import { ApiError, OperationError } from '../../shared/netsvc/errors.ts';
import { NetsvcClient, type NetsvcClientOptions } from '../../shared/netsvc/client.ts';
import type { NetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import { emulatorFor, grpcRoute, httpRoute, MESH, PARENT } from './helpers.ts';

function clientFor(emu: NetsvcEmulator, extra: Partial<NetsvcClientOptions> = {}): NetsvcClient {
  return new NetsvcClient({
    project: 'p',
    location: 'global',
    endpoint: emu.url,
    requestsPerSecond: 500,
    retry: { attempts: 6, baseDelayMs: 2, maxDelayMs: 20 },
    ...extra,
  });
}

test('create, get, list, patch and delete meshes, httpRoutes and grpcRoutes', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  const mesh = await c.create('meshes', 'm', { description: 'mesh' });
  t.is(mesh.name, MESH);
  t.is(mesh.description, 'mesh');
  const hr = await c.create('httpRoutes', 'h', httpRoute('h.example.com', { labels: { team: 'a' } }));
  t.deepEqual(hr.hostnames, ['h.example.com']);
  t.false('@type' in hr, 'the operation response type tag is stripped');
  const gr = await c.create('grpcRoutes', 'g', grpcRoute('g.example.com:50051'));
  t.is(gr.rules?.[0].matches?.[0].method?.grpcMethod, 'SayHello');

  t.is((await c.get('httpRoutes', 'h'))?.labels?.team, 'a');
  t.is(await c.get('httpRoutes', 'missing'), null);
  t.deepEqual(
    (await c.list('grpcRoutes')).map((r) => r.name),
    [`${PARENT}/grpcRoutes/g`],
  );

  const patched = await c.patch('httpRoutes', 'h', { description: 'new', labels: { team: 'b' } }, [
    'description',
  ]);
  t.is(patched.description, 'new');
  t.deepEqual(patched.labels, { team: 'a' }, 'fields outside the mask stay');
  const replaced = await c.patch('httpRoutes', 'h', httpRoute('h2.example.com'), []);
  t.deepEqual(replaced.hostnames, ['h2.example.com']);
  t.is(replaced.labels, undefined, 'an empty mask replaces the whole resource');

  await c.delete('grpcRoutes', 'g');
  await c.delete('httpRoutes', 'h');
  await c.delete('meshes', 'm');
  t.deepEqual(await c.list('meshes'), []);
  t.deepEqual(c.stats.requests, emu.stats().byMethod as unknown as typeof c.stats.requests);
  t.is(c.stats.retries, 0);
});

test('list reads every page', async (t) => {
  const emu = await emulatorFor(t);
  for (let i = 0; i < 250; i++)
    emu.putRaw('httpRoutes', `${PARENT}/httpRoutes/r${i}`, httpRoute(`r${i}.example.com`));
  const c = clientFor(emu, { pageSize: 100 });
  const all = await c.list('httpRoutes');
  t.is(all.length, 250);
  t.is(new Set(all.map((r) => r.name)).size, 250);
  t.is(c.stats.requests.GET, 3);
});

test('mutations wait for pending operations; failed operations become OperationError', async (t) => {
  const emu = await emulatorFor(t, { operationDelay: { polls: 3 } });
  const c = clientFor(emu, { pollIntervalMs: 1 });
  const mesh = await c.create('meshes', 'm', { description: 'slow' });
  t.is(mesh.description, 'slow');
  t.is(emu.stats().byCollection.operations?.GET, 4, 'three pending polls, then done');

  emu.setFaults({ failOperationRate: 1 });
  const err = await t.throwsAsync(c.create('meshes', 'broken', {}), { instanceOf: OperationError });
  t.is(err.code, 13);
  t.is(err.resource, `${PARENT}/meshes/broken`);
  t.regex(err.message, /injected failure/);
  t.is(await c.get('meshes', 'broken'), null);
});

test('non-retryable API errors surface as ApiError; a first-attempt 409 is not swallowed', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  await c.create('meshes', 'm', {});
  const dup = await t.throwsAsync(c.create('meshes', 'm', {}), { instanceOf: ApiError });
  t.is(dup.httpStatus, 409);
  t.is(dup.status, 'ALREADY_EXISTS');
  const bad = await t.throwsAsync(c.create('httpRoutes', 'r', { hostnames: [], rules: [] }), {
    instanceOf: ApiError,
  });
  t.is(bad.httpStatus, 400);
  t.regex(bad.message, /hostnames is required/);
  const gone = await t.throwsAsync(c.delete('meshes', 'nope'), { instanceOf: ApiError });
  t.is(gone.httpStatus, 404);
  t.is(c.stats.retries, 0);
});

test('a create whose answer was lost is settled by reading: same body -> no write, different -> patch', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  emu.setFaults({ next: [{ drop: 'after' }] });
  const first = await c.create('grpcRoutes', 'a', { ...grpcRoute('a.example.com'), description: 'mine' });
  t.is(first.description, 'mine');
  t.is(c.stats.createsResolvedByRead, 1);
  t.is(c.stats.requests.PATCH, 0);

  // Someone else's earlier write (or our lost one with other content) is brought to the desired body.
  emu.putRaw('grpcRoutes', `${PARENT}/grpcRoutes/b`, { ...grpcRoute('b.example.com'), description: 'stale' });
  emu.setFaults({ next: [{ status: 503 }] });
  const second = await c.create('grpcRoutes', 'b', { ...grpcRoute('b.example.com'), description: 'desired' });
  t.is(second.description, 'desired');
  t.is(c.stats.requests.PATCH, 1);
  t.is(emu.resources('grpcRoutes').length, 2);
});

test('an HttpRoute create retried after its answer was lost is answered by requestId, without a 409', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  emu.setFaults({ next: [{ drop: 'after' }] });
  const route = await c.create('httpRoutes', 'a', httpRoute('a.example.com'));
  t.is(route.name, `${PARENT}/httpRoutes/a`);
  t.is(c.stats.retries, 1);
  t.is(c.stats.createsResolvedByRead, 0);
  t.is(emu.stats().writes, 1, 'the repeat did not write again');
  t.is(emu.requestLog().filter((e) => e.status === 409).length, 0);
});

test('a delete retried after its answer was lost counts the 404 as success', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  await c.create('meshes', 'm', {});
  emu.setFaults({ next: [{ drop: 'after' }] });
  await c.delete('meshes', 'm');
  t.is(c.stats.retries, 1);
  t.deepEqual(emu.resources('meshes'), []);
});

test('429s and 5xx are retried and counted; gaxios does not retry on its own', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  emu.setFaults({ next: [{ status: 429 }, { status: 500 }, { status: 503 }] });
  t.deepEqual(await c.list('meshes'), []);
  t.is(c.stats.retries, 3);
  t.is(c.stats.throttled, 1);
  t.is(emu.stats().requests, 4);
  emu.setFaults({ errorRates: { GET: { '503': 1 } } });
  const err = await t.throwsAsync(c.get('meshes', 'm'), { instanceOf: ApiError });
  t.is(err.httpStatus, 503);
  t.is(emu.stats().requests, 4 + 6, 'exactly the configured attempts');
});

test('200 routes created, patched and half deleted under 30% 503 + 10% 429 + 5% drops end exactly as expected, within the rate limit', async (t) => {
  const emu = await emulatorFor(t);
  const limit = 250;
  const c = clientFor(emu, {
    requestsPerSecond: limit,
    maxConcurrency: 16,
    retry: { attempts: 25, baseDelayMs: 5, maxDelayMs: 100 },
  });
  await c.create('meshes', 'm', {});
  emu.resetStats();
  emu.setFaults({ errorRates: { '*': { '503': 0.3, '429': 0.1 } }, dropRate: 0.05, seed: 7 });
  // Half HttpRoutes (idempotent through requestId), half GrpcRoutes (settled by reading on 409).
  const routes = Array.from({ length: 200 }, (_, i) => ({
    kind: i % 2 === 0 ? ('httpRoutes' as const) : ('grpcRoutes' as const),
    id: `route-${i}`,
    keep: i % 4 >= 2,
  }));
  const bodyFor = (kind: 'httpRoutes' | 'grpcRoutes', id: string) =>
    kind === 'httpRoutes'
      ? httpRoute(`${id}.example.com`, { description: 'v1' })
      : { ...grpcRoute(`${id}.example.com`), description: 'v1' };
  const started = performance.now();
  await Promise.all(routes.map(({ kind, id }) => c.create(kind, id, bodyFor(kind, id))));
  await Promise.all(
    routes.map(({ kind, id }) =>
      c.patch(kind, id, { description: 'v2', labels: { id } }, ['description', 'labels']),
    ),
  );
  await Promise.all(routes.filter((r) => !r.keep).map(({ kind, id }) => c.delete(kind, id)));
  const elapsed = performance.now() - started;
  emu.clearFaults();

  for (const kind of ['httpRoutes', 'grpcRoutes'] as const) {
    const left = emu.resources(kind);
    const expected = routes
      .filter((r) => r.kind === kind && r.keep)
      .map((r) => `${PARENT}/${kind}/${r.id}`)
      .sort();
    t.deepEqual(
      left.map((r) => r.name),
      expected,
      `${kind}: none missing, none extra, none duplicated`,
    );
    for (const r of left) {
      const id = (r.name as string).split('/').pop();
      t.is(r.description, 'v2');
      t.deepEqual(r.labels, { id });
      t.deepEqual(r.hostnames, [`${id}.example.com`]);
    }
  }

  const stats = emu.stats();
  const injected =
    stats.injected['429'] + stats.injected['500'] + stats.injected['503'] + stats.injected.dropped;
  t.true(injected > 200, `faults were injected (${injected})`);
  t.is(c.stats.retries, injected, 'every injected fault was retried once by our code, none by gaxios');
  t.is(c.stats.throttled, stats.injected['429']);
  const maxPerSecond = emu.maxRequestsInWindow(1000);
  t.true(maxPerSecond <= limit, `max ${maxPerSecond} requests in a 1 s window, limit ${limit}`);
  t.log(
    `requests=${stats.requests} injected=${injected} resolvedByRead=${c.stats.createsResolvedByRead} ` +
      `max/s=${maxPerSecond} elapsed=${Math.round(elapsed)}ms`,
  );
});

test('the rate limit binds every call of one client, operation polls included', async (t) => {
  const emu = await emulatorFor(t, { operationDelay: { polls: 2 } });
  const limit = 50;
  const c = clientFor(emu, { requestsPerSecond: limit, maxConcurrency: 32, pollIntervalMs: 1 });
  const started = performance.now();
  // 30 creates = 30 POSTs + 90 polls, plus 30 gets: 150 requests at <= 50/s take at least ~3 s.
  await Promise.all([
    ...Array.from({ length: 30 }, (_, i) => c.create('meshes', `m${i}`, {})),
    ...Array.from({ length: 30 }, (_, i) => c.get('httpRoutes', `r${i}`)),
  ]);
  const elapsed = performance.now() - started;
  t.is(emu.stats().requests, 150);
  t.is(emu.stats().byCollection.operations?.GET, 90);
  t.true(elapsed >= (149 / limit) * 1000, `150 requests took ${Math.round(elapsed)} ms`);
  t.true(emu.maxRequestsInWindow(1000) <= limit, `max ${emu.maxRequestsInWindow(1000)} in 1 s`);
  t.true(c.stats.rateLimitWaits > 100);
});
