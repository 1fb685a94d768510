// Long-running operations as the API has them: a change reads back only once its operation is done,
// a done operation may carry an error, and the client copes with both.
import test from 'ava';
import { NetsvcClient } from '../../shared/netsvc/client.ts';
import { OperationError } from '../../shared/netsvc/errors.ts';
import { call, emulatorFor, httpRoute, MESH, PARENT } from './helpers.ts';

const ROUTE = `${PARENT}/httpRoutes/r`;

test('with a delay, creates, patches and deletes read back only once their operation is done', async (t) => {
  const clock = { t: 1_000_000 };
  const emu = await emulatorFor(t, { clock: () => clock.t, operationDelay: { ms: 500 } });
  const created = await call(emu, 'POST', `/v1/${PARENT}/httpRoutes?httpRouteId=r`, httpRoute('a.example'));
  t.false(created.json.done);
  t.is((await call(emu, 'GET', `/v1/${ROUTE}`)).status, 404, 'not readable while pending');
  t.deepEqual((await call(emu, 'GET', `/v1/${PARENT}/httpRoutes`)).json.httpRoutes, []);
  const again = await call(emu, 'POST', `/v1/${PARENT}/httpRoutes?httpRouteId=r`, httpRoute('b.example'));
  t.is(again.status, 409, 'the name is taken while pending');
  clock.t += 500;
  t.is((await call(emu, 'GET', `/v1/${ROUTE}`)).status, 200, 'done by time alone, without a poll');
  t.true((await call(emu, 'GET', `/v1/${created.json.name as string}`)).json.done);

  await call(emu, 'PATCH', `/v1/${ROUTE}?updateMask=description`, { description: 'new' });
  t.is((await call(emu, 'GET', `/v1/${ROUTE}`)).json.description, undefined, 'the old body while pending');
  clock.t += 500;
  t.is((await call(emu, 'GET', `/v1/${ROUTE}`)).json.description, 'new');

  await call(emu, 'DELETE', `/v1/${ROUTE}`);
  t.is((await call(emu, 'GET', `/v1/${ROUTE}`)).status, 200, 'still there while the delete is pending');
  t.is(((await call(emu, 'GET', `/v1/${PARENT}/httpRoutes`)).json.httpRoutes as unknown[]).length, 1);
  clock.t += 500;
  t.is((await call(emu, 'GET', `/v1/${ROUTE}`)).status, 404);
});

test('poll-counted delays finish when polled; visibleWhenDone: false shows changes at once', async (t) => {
  const emu = await emulatorFor(t, { operationDelay: { polls: 1 } });
  const op = await call(emu, 'POST', `/v1/${PARENT}/meshes?meshId=m`, {});
  t.is((await call(emu, 'GET', `/v1/${MESH}`)).status, 404);
  await call(emu, 'GET', `/v1/${op.json.name as string}`); // pending, counts the poll
  t.true((await call(emu, 'GET', `/v1/${op.json.name as string}`)).json.done);
  t.is((await call(emu, 'GET', `/v1/${MESH}`)).status, 200);

  const eager = await emulatorFor(t, { operationDelay: { polls: 1 }, visibleWhenDone: false });
  await call(eager, 'POST', `/v1/${PARENT}/meshes?meshId=m`, {});
  t.is((await call(eager, 'GET', `/v1/${MESH}`)).status, 200);
});

test('a done operation carries the error; the change never shows; the client raises OperationError', async (t) => {
  const emu = await emulatorFor(t, { operationDelay: { polls: 1 } });
  emu.setFaults({ failOperationRate: 1, seed: 1 });
  const op = await call(emu, 'POST', `/v1/${PARENT}/meshes?meshId=m`, {});
  await call(emu, 'GET', `/v1/${op.json.name as string}`);
  const done = (await call(emu, 'GET', `/v1/${op.json.name as string}`)).json;
  t.true(done.done);
  t.is((done.error as { code: number }).code, 13);
  t.is(done.response, undefined);
  t.is((await call(emu, 'GET', `/v1/${MESH}`)).status, 404);
  const client = new NetsvcClient({ project: 'p', location: 'global', endpoint: emu.url });
  const err = await t.throwsAsync(client.create('meshes', 'm2', {}), { instanceOf: OperationError });
  t.is(err.code, 13);
  t.is(err.resource, `${PARENT}/meshes/m2`);
});

test('a retried create that meets 409 while the first create is pending reads until it shows', async (t) => {
  // One fake clock: the operation takes 5 s of it, and it moves only when the client sleeps.
  const clock = { t: 1_000_000 };
  const emu = await emulatorFor(t, { clock: () => clock.t, operationDelay: { ms: 5000 } });
  const client = new NetsvcClient({
    project: 'p',
    location: 'global',
    endpoint: emu.url,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
    },
  });
  // The first POST lands but its answer is lost; the retry meets 409 and the Mesh is not readable yet.
  emu.setFaults({ next: [{ drop: 'after' }] });
  const mesh = await client.create('meshes', 'm', { description: 'd' });
  t.is(mesh.name, MESH);
  t.is(mesh.description, 'd');
  t.is(client.stats.createsResolvedByRead, 1);
  const gets = emu.requestLog().filter((r) => r.method === 'GET' && r.collection === 'meshes');
  t.true(gets.length >= 2, 'it read again until the create was done');
  t.true(clock.t >= 1_005_000, 'and only then returned');
});
