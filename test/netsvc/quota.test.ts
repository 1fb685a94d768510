// Per-minute quota: the emulator's 60-s windows and quota outages (on an injected clock), Google's 429
// body, and the client riding a throttled minute out without losing a write.
import test from 'ava';
import { ApiError } from '../../shared/netsvc/errors.ts';
import { NetsvcClient } from '../../shared/netsvc/client.ts';
import type { NetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import { call, emulatorFor, httpRoute, PARENT } from './helpers.ts';

/** One fake clock for the emulator and the client: it moves only when the client sleeps. */
function fakeTime(start = 1_800_000_000_000) {
  const clock = { t: start, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
}

function clientFor(emu: NetsvcEmulator, time: ReturnType<typeof fakeTime>, project = 'p') {
  return new NetsvcClient({
    project,
    location: 'global',
    endpoint: emu.url,
    requestsPerSecond: 500,
    now: time.now,
    sleep: time.sleep,
  });
}

test('N requests per project per minute, then Google’s 429 RESOURCE_EXHAUSTED with an ErrorInfo', async (t) => {
  const time = fakeTime(60_000 * 1000); // at the start of a minute window
  const emu = await emulatorFor(t, { clock: time.now, quota: { requestsPerMinute: 3 } });
  for (let i = 0; i < 3; i++) t.is((await call(emu, 'GET', `/v1/${PARENT}/httpRoutes`)).status, 200);
  const refused = await call(emu, 'GET', `/v1/${PARENT}/httpRoutes`);
  t.is(refused.status, 429);
  const error = refused.json.error as {
    code: number;
    status: string;
    message: string;
    details: { '@type': string; reason?: string; domain?: string; metadata?: Record<string, string> }[];
  };
  t.is(error.code, 429);
  t.is(error.status, 'RESOURCE_EXHAUSTED');
  t.regex(error.message, /^Quota exceeded for quota metric .+ per minute.+networkservices\.googleapis\.com/);
  const info = error.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo');
  t.like(info, { reason: 'RATE_LIMIT_EXCEEDED', domain: 'googleapis.com' });
  t.like(info?.metadata, {
    service: 'networkservices.googleapis.com',
    consumer: 'projects/p',
    quota_limit_value: '3',
  });
  t.is((await call(emu, 'GET', `/v1/projects/other/locations/global/httpRoutes`)).status, 200, 'per project');
  time.clock.t += 59_999;
  t.is((await call(emu, 'GET', `/v1/${PARENT}/httpRoutes`)).status, 429, 'still the same minute');
  time.clock.t += 1;
  t.is((await call(emu, 'GET', `/v1/${PARENT}/httpRoutes`)).status, 200, 'the next window');
  t.is(emu.stats().quotaRejected, 2);
  t.is(emu.stats().injected['429'], 0, 'quota refusals are not fault injections');
});

test('admin: quota settings, a quota outage for a duration, Retry-After on request', async (t) => {
  const time = fakeTime(0);
  const emu = await emulatorFor(t, { clock: time.now });
  const set = await call(emu, 'POST', '/_emulator/quota', { outageMs: 90_000, retryAfter: true });
  t.is(set.status, 200);
  t.is(set.json.outageUntil, 90_000);
  const refused = await fetch(new URL(`/v1/${PARENT}/meshes`, emu.url));
  t.is(refused.status, 429);
  t.is(refused.headers.get('retry-after'), '90');
  time.clock.t = 90_000;
  t.is((await call(emu, 'GET', `/v1/${PARENT}/meshes`)).status, 200, 'over when the duration has passed');
  t.is((await call(emu, 'POST', '/_emulator/quota', { requestsPerMinute: -1 })).status, 400);
  t.is((await call(emu, 'POST', '/_emulator/quota', { perSecond: 1 })).status, 400);
  t.is((await call(emu, 'POST', '/_emulator/quota', { requestsPerMinute: 1 })).status, 200);
  t.deepEqual((await call(emu, 'GET', '/_emulator/quota')).json.windows, {});
  await call(emu, 'GET', `/v1/${PARENT}/meshes`);
  t.deepEqual((await call(emu, 'GET', '/_emulator/quota')).json.windows, { p: 1 });
  t.is((await call(emu, 'DELETE', '/_emulator/quota')).status, 200);
  t.is((await call(emu, 'GET', `/v1/${PARENT}/meshes`)).status, 200, 'no limit after DELETE');
});

test('the client rides out throttled minutes: 12 creates at 5 requests a minute all land', async (t) => {
  const time = fakeTime(0);
  const emu = await emulatorFor(t, { clock: time.now, quota: { requestsPerMinute: 5 } });
  const client = clientFor(emu, time);
  for (let i = 0; i < 12; i++) await client.create('httpRoutes', `r${i}`, httpRoute(`r${i}.example`));
  t.is(emu.resources('httpRoutes').length, 12, 'nothing lost');
  t.true(time.now() >= 120_000, 'it took three windows');
  t.true(client.stats.throttled > 0);
  t.is(client.stats.throttled, emu.stats().quotaRejected);
});

test('a quota outage longer than ~90 s: the write fails with 429 (transient) after ~90 s; the deadline ends it sooner', async (t) => {
  const time = fakeTime(0);
  const emu = await emulatorFor(t, { clock: time.now });
  emu.quotaOutage(10 * 60_000);
  const client = clientFor(emu, time);
  const err = await t.throwsAsync(client.create('httpRoutes', 'r', httpRoute('r.example')), {
    instanceOf: ApiError,
  });
  t.is(err.httpStatus, 429);
  t.true(time.now() > 60_000 && time.now() <= 90_000, `gave up after ${time.now()} ms`);
  t.deepEqual(emu.resources('httpRoutes'), []);

  const start = time.now();
  const bounded = client.withDeadline(start + 20_000);
  await t.throwsAsync(bounded.create('httpRoutes', 'r', httpRoute('r.example')), { instanceOf: ApiError });
  t.true(time.now() - start <= 20_000, `stopped ${time.now() - start} ms in`);
  t.is(bounded.stats, client.stats, 'the view shares the client’s stats');

  emu.quotaOutage(0);
  await client.create('httpRoutes', 'r', httpRoute('r.example'));
  t.is(emu.resources('httpRoutes').length, 1, 'a later try (the redelivery) writes it');
});
