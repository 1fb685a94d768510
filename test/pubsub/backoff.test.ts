import test from 'ava';
import { redeliveryDelayMs, shuffleKeepingKeys } from '../../infra/local/pubsub/backoff.ts';
import { subscriptionConfig } from '../../infra/local/pubsub/validate.ts';

const base = { name: 'projects/p-test/subscriptions/sub', topic: 'projects/p-test/topics/top' };

test('retry policy backs off exponentially between minimum and maximum', (t) => {
  const config = subscriptionConfig({
    ...base,
    retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 5 } },
  });
  t.deepEqual(
    [1, 2, 3, 4, 5].map((n) => redeliveryDelayMs(config, n)),
    [1000, 2000, 4000, 5000, 5000],
  );
});

test('retry policy defaults are 10 s and 600 s', (t) => {
  const config = subscriptionConfig({ ...base, retryPolicy: {} });
  t.is(redeliveryDelayMs(config, 1), 10_000);
  t.is(redeliveryDelayMs(config, 20), 600_000);
});

test('pull without a retry policy redelivers at once; push backs off from 100 ms to 60 s', (t) => {
  t.is(redeliveryDelayMs(subscriptionConfig(base), 3), 0);
  const push = subscriptionConfig({ ...base, pushConfig: { pushEndpoint: 'http://127.0.0.1:1/' } });
  t.deepEqual(
    [1, 2, 3].map((n) => redeliveryDelayMs(push, n)),
    [100, 200, 400],
  );
  t.is(redeliveryDelayMs(push, 30), 60_000);
});

test('minimumBackoff above maximumBackoff is rejected', (t) => {
  const err = t.throws(() =>
    subscriptionConfig({
      ...base,
      retryPolicy: { minimumBackoff: { seconds: 9 }, maximumBackoff: { seconds: 1 } },
    }),
  );
  t.regex(err.message, /maximum_backoff must be greater than or equal to minimum_backoff/);
});

test('shuffleKeepingKeys permutes but keeps each key in order', (t) => {
  let s = 7;
  const random = (): number => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
  const items = Array.from({ length: 40 }, (_, i) => ({ i, key: i % 3 === 0 ? '' : `k${i % 3}` }));
  const out = shuffleKeepingKeys(items, (x) => x.key, random);
  t.deepEqual(
    [...out].map((x) => x.i).sort((a, b) => a - b),
    items.map((x) => x.i),
  );
  t.notDeepEqual(out, items);
  for (const key of ['k1', 'k2']) {
    const seq = out.filter((x) => x.key === key).map((x) => x.i);
    t.deepEqual(
      seq,
      [...seq].sort((a, b) => a - b),
      key,
    );
  }
});
