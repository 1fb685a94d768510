// Pure pieces of the client: token bucket, semaphore, backoff, retry loop, operation polling.
import test from 'ava';
import {
  ApiError,
  OperationError,
  OperationTimeoutError,
  failureOf,
  isRetryable,
  retryAfterMs,
  toApiError,
} from '../../shared/netsvc/errors.ts';
import {
  nextPollInterval,
  operationResult,
  waitForOperation,
  type PollOptions,
} from '../../shared/netsvc/operations.ts';
import { Semaphore, TokenBucket } from '../../shared/netsvc/ratelimit.ts';
import { backoffDelay, DEFAULT_RETRY, withRetry } from '../../shared/netsvc/retry.ts';
import { bucketFor, differingFields } from '../../shared/netsvc/client.ts';
import { maxInWindow } from '../../infra/local/netsvc/server.ts';

/** Drives the bucket with a fake clock: `n` callers all waiting from `at`, served as soon as allowed. */
function grantTimes(bucket: TokenBucket, at: number, n: number): number[] {
  const times: number[] = [];
  let t = at;
  while (times.length < n) {
    const wait = bucket.tryAcquire(t);
    if (wait > 0) t += wait;
    else times.push(t);
  }
  return times;
}

test('token bucket with burst 1 spaces grants 1/rate apart and never exceeds the rate in any 1 s window', (t) => {
  const bucket = new TokenBucket(50, 1);
  const times = grantTimes(bucket, 0, 500);
  t.deepEqual(times.slice(0, 3), [0, 20, 40]);
  t.is(maxInWindow(times, 1000), 50);
});

test('token bucket allows a burst after idling, then returns to the rate', (t) => {
  const bucket = new TokenBucket(10, 5);
  t.deepEqual(
    grantTimes(bucket, 10_000, 8),
    [10_000, 10_000, 10_000, 10_000, 10_000, 10_100, 10_200, 10_300],
  );
  t.throws(() => new TokenBucket(0), { message: /requestsPerSecond must be > 0/ });
});

test('the client bucket lets a small burst through at once yet keeps every 1 s window within the limit', (t) => {
  for (const [limit, burst] of [
    [50, 5],
    [100, 10],
    [8, 5],
  ]) {
    const bucket = bucketFor(limit, burst);
    const times = grantTimes(bucket, 0, limit * 6);
    const immediate = times.filter((x) => x === 0).length;
    t.is(immediate, Math.min(burst, Math.floor(limit / 4)), `limit ${limit}: burst at t=0`);
    t.true(maxInWindow(times, 1000) <= limit, `limit ${limit}: ${maxInWindow(times, 1000)} in a 1 s window`);
    // a burst after idling must not break the window either
    const later = grantTimes(bucket, 60_000, limit * 3);
    t.true(maxInWindow([...times, ...later], 1000) <= limit);
  }
});

test('after an event-loop stall the queue drains at the rate, not in a burst of overdue timers', async (t) => {
  const bucket = new TokenBucket(100);
  const released: number[] = [];
  // Release times come from the bucket itself (queued-at + waited), not from when each promise
  // callback happens to run, which a loaded machine delays by arbitrary amounts.
  const all = Array.from({ length: 30 }, () => {
    const queuedAt = performance.now();
    return bucket.take().then((waited) => released.push(queuedAt + waited));
  });
  const stallUntil = performance.now() + 120;
  while (performance.now() < stallUntil); // block the loop while a dozen slots pass
  await Promise.all(all);
  const gaps = released.slice(1).map((x, i) => x - released[i]);
  // A burst of overdue timers would release many back to back (gaps near 0 ms). Paced releases are
  // 10 ms apart; a loaded machine can deschedule the process between a release and its clock read,
  // which shortens one gap and lengthens the next, so check for bursts and for the overall pace.
  const backToBack = gaps.filter((g) => g < 2).length;
  t.is(backToBack, 0, `gaps: ${gaps.map((g) => g.toFixed(1)).join(' ')}`);
  const span = released[released.length - 1] - released[1];
  t.true(span >= 28 * 10 * 0.95, `29 paced releases took ${span.toFixed(0)} ms`);
});

test('semaphore keeps at most `limit` tasks running', async (t) => {
  const sem = new Semaphore(3);
  let running = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: 20 }, () =>
      sem.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
      }),
    ),
  );
  t.is(peak, 3);
  t.is(sem.inFlight, 0);
});

test('backoff grows exponentially with full jitter, capped', (t) => {
  const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  t.is(
    backoffDelay(0, policy, () => 0.999),
    99,
  );
  t.is(
    backoffDelay(3, policy, () => 0.5),
    400,
  );
  t.is(
    backoffDelay(9, policy, () => 0.999),
    999,
  );
  t.is(
    backoffDelay(2, policy, () => 0),
    0,
  );
});

test('withRetry retries only retryable errors, up to the attempt budget', async (t) => {
  const sleep = async () => {};
  const policy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 1 };
  let n = 0;
  const result = await withRetry(
    'x',
    policy,
    async () => {
      if (n++ < 2) throw new ApiError(503, 'UNAVAILABLE', 'busy', 'x');
      return 'ok';
    },
    { sleep },
  );
  t.is(result, 'ok');
  t.is(n, 3);
  n = 0;
  await t.throwsAsync(
    withRetry(
      'x',
      policy,
      async () => {
        n++;
        throw new ApiError(400, 'INVALID_ARGUMENT', 'bad', 'x');
      },
      { sleep },
    ),
  );
  t.is(n, 1);
  n = 0;
  await t.throwsAsync(
    withRetry(
      'x',
      policy,
      async () => {
        n++;
        throw new ApiError(503, 'UNAVAILABLE', 'busy', 'x');
      },
      { sleep },
    ),
  );
  t.is(n, 4, '5xx: the attempt budget');
});

/** A clock that only moves when the retry loop sleeps; records the sleeps. */
function fakeTime(start = 1_000_000) {
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

test('429: retried for ~90 s in total, not a number of attempts; backoff grows to 10-15 s', async (t) => {
  const time = fakeTime();
  let n = 0;
  const err = await t.throwsAsync(
    withRetry(
      'x',
      { ...DEFAULT_RETRY, attempts: 2 },
      async () => {
        n++;
        throw new ApiError(429, 'RESOURCE_EXHAUSTED', 'quota', 'x');
      },
      { sleep: time.sleep, now: time.now, random: () => 0.5 },
    ),
    { instanceOf: ApiError },
  );
  t.is(err.httpStatus, 429);
  const waited = time.clock.t - 1_000_000;
  t.true(waited > 75_000 && waited <= 90_000, `waited ${waited} ms`);
  t.true(n > 2, 'far more than the 5xx attempt budget');
  const sleeps = time.clock.sleeps;
  t.true(
    sleeps.every((d, i) => i === 0 || d >= sleeps[i - 1]),
    `non-decreasing: ${sleeps.join(', ')}`,
  );
  const longest = Math.max(...sleeps);
  t.true(longest >= 10_000 && longest <= 15_000, `longest ${longest}`);
});

test('429 succeeds once the quota window reopens: nothing is lost', async (t) => {
  const time = fakeTime(0);
  const result = await withRetry(
    'x',
    DEFAULT_RETRY,
    async () => {
      // Throttled until the next minute window opens.
      if (time.now() < 60_000) throw new ApiError(429, 'RESOURCE_EXHAUSTED', 'quota', 'x');
      return 'written';
    },
    { sleep: time.sleep, now: time.now },
  );
  t.is(result, 'written');
  t.true(time.now() >= 60_000 && time.now() < 90_000);
});

test('429 honours Retry-After; the deadline cuts every retry short', async (t) => {
  const time = fakeTime(0);
  let n = 0;
  await withRetry(
    'x',
    DEFAULT_RETRY,
    async () => {
      if (n++ === 0) throw new ApiError(429, 'RESOURCE_EXHAUSTED', 'quota', 'x', 42_000);
      return 'ok';
    },
    { sleep: time.sleep, now: time.now },
  );
  t.deepEqual(time.clock.sleeps, [42_000]);

  const late = fakeTime(0);
  const err = await t.throwsAsync(
    withRetry(
      'x',
      DEFAULT_RETRY,
      async () => {
        throw new ApiError(429, 'RESOURCE_EXHAUSTED', 'quota', 'x');
      },
      { sleep: late.sleep, now: late.now, deadline: 20_000 },
    ),
    { instanceOf: ApiError },
  );
  t.is(err.httpStatus, 429);
  t.true(late.now() <= 20_000, `stopped at ${late.now()}`);
  t.true(late.now() > 5_000, 'but used the time it had');

  const fiveXX = fakeTime(0);
  await t.throwsAsync(
    withRetry(
      'x',
      { attempts: 100, baseDelayMs: 1000, maxDelayMs: 1000 },
      async () => {
        throw new ApiError(503, 'UNAVAILABLE', 'busy', 'x');
      },
      { sleep: fiveXX.sleep, now: fiveXX.now, random: () => 0.99, deadline: 3_500 },
    ),
  );
  t.true(fiveXX.now() <= 3_500);
});

test('Retry-After: delay-seconds and HTTP dates, from a plain record or a Headers object', (t) => {
  t.is(retryAfterMs({ 'retry-after': '7' }), 7000);
  t.is(retryAfterMs(new Headers({ 'Retry-After': '3' })), 3000);
  const now = Date.parse('2026-01-01T00:00:00Z');
  t.is(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now), 30_000);
  t.is(retryAfterMs({ 'retry-after': 'soon' }), undefined);
  t.is(retryAfterMs({}), undefined);
  t.is(retryAfterMs(undefined), undefined);
});

test('errors from gaxios map to ApiError; transport failures are retryable', (t) => {
  const http = toApiError(
    { status: 409, response: { status: 409, data: { error: { status: 'ALREADY_EXISTS', message: 'dup' } } } },
    'create x',
  );
  t.is(http.status, 'ALREADY_EXISTS');
  t.false(isRetryable(http));
  const reset = toApiError(
    Object.assign(new Error('request failed'), { cause: { code: 'ECONNRESET' } }),
    'get x',
  );
  t.is(reset.httpStatus, 0);
  t.true(isRetryable(reset));
  t.true(isRetryable(toApiError({ status: 502, response: { status: 502, data: '' } }, 'x')));
  t.throws(() => toApiError(new TypeError('a bug'), 'x'), { instanceOf: TypeError });
});

test('operation polling backs off, times out, and turns `error` into OperationError', async (t) => {
  const waits: number[] = [];
  let clock = 0;
  const opts: PollOptions = {
    initialIntervalMs: 100,
    maxIntervalMs: 2000,
    factor: 1.5,
    timeoutMs: 60_000,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
  t.is(nextPollInterval(1800, opts), 2000);
  let polls = 0;
  const done = await waitForOperation(
    { name: 'op', done: false },
    async () => ({ name: 'op', done: ++polls === 4, response: { '@type': 't', a: 1 } }),
    opts,
  );
  t.deepEqual(waits, [100, 150, 225, 337.5]);
  t.deepEqual(operationResult(done), { a: 1 });
  const failed = {
    name: 'op',
    done: true,
    error: { code: 9, message: 'nope' },
    metadata: { target: 'projects/p/x' },
  };
  const err = t.throws(() => operationResult(failed), { instanceOf: OperationError });
  t.is(err.code, 9);
  t.is(err.resource, 'projects/p/x');
  await t.throwsAsync(
    waitForOperation({ name: 'op', done: false }, async () => ({ name: 'op', done: false }), {
      ...opts,
      timeoutMs: 1000,
    }),
    {
      instanceOf: OperationTimeoutError,
    },
  );
});

test('differingFields lists the top-level writable fields that differ, ignoring key order and output-only fields', (t) => {
  t.deepEqual(
    differingFields(
      { description: 'a', labels: { x: '1', y: '2' }, hostnames: ['h'] },
      {
        name: 'n',
        createTime: 't',
        description: 'a',
        labels: { y: '2', x: '1' },
        hostnames: ['h', 'i'],
        meshes: ['m'],
      },
    ),
    ['hostnames', 'meshes'],
  );
});

test("failureOf: only the caller's own mistakes are permanent", (t) => {
  t.is(failureOf(new ApiError(400, 'INVALID_ARGUMENT', 'bad hostname', 't')), 'permanent');
  t.is(failureOf(new ApiError(400, 'FAILED_PRECONDITION', 'in use', 't')), 'permanent');
  t.is(failureOf(new ApiError(429, 'RESOURCE_EXHAUSTED', 'slow down', 't')), 'transient');
  t.is(failureOf(new ApiError(503, 'UNAVAILABLE', 'down', 't')), 'transient');
  t.is(failureOf(new OperationError(3, 'invalid', 'r', 'op')), 'permanent');
  t.is(failureOf(new OperationError(13, 'internal (throttled)', 'r', 'op')), 'transient');
  t.is(failureOf(new Error('socket hang up')), 'transient');
});
