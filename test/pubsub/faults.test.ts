import test from 'ava';
import type { Message } from '@google-cloud/pubsub';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import { MAX_ADMIN_BODY_BYTES } from '../../infra/local/pubsub/admin.ts';
import { clientFor, collect, pushTarget, pushedData, until } from './helpers.ts';

/** A seeded generator so the shares below do not flake. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

let emulator: PubsubEmulator;
test.before(async () => {
  emulator = await startPubsubEmulator({ port: 0, random: seeded(42) });
});
test.after.always(() => emulator.close());

// Fault switches are emulator-wide, so these tests run one at a time.
test.serial('duplicateRate duplicates about that share of deliveries', async (t) => {
  emulator.setFaults({ duplicateRate: 0.3, reorder: false, delayMs: 0 });
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('dups');
  const [sub] = await topic.createSubscription('dups-sub');
  const { seen, stop } = collect(sub);
  const total = 300;
  await Promise.all(
    Array.from({ length: total }, (_, i) => topic.publishMessage({ data: Buffer.from(String(i)) })),
  );
  await emulator.waitForStats((s) => s.subscriptions[sub.name].acked === total);
  await until(
    () => seen.length,
    (n) => n >= total + emulator.subscriptionStats(sub.name).duplicated,
    3000,
    'duplicates',
  );
  const distinct = new Set(seen.map((m) => m.id)).size;
  const duplicates = seen.length - distinct;
  t.is(distinct, total);
  t.is(duplicates, emulator.subscriptionStats(sub.name).duplicated);
  t.log(`duplicates observed: ${duplicates}/${total}`);
  t.true(duplicates > total * 0.2 && duplicates < total * 0.4, `share ${duplicates / total}`);
  emulator.setFaults({ duplicateRate: 0 });
  await stop();
  await pubsub.close();
});

test.serial('duplicates reach push endpoints too', async (t) => {
  emulator.setFaults({ duplicateRate: 1 });
  const target = await pushTarget();
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('dups-push');
  const [sub] = await topic.createSubscription('dups-push-sub', { pushConfig: { pushEndpoint: target.url } });
  await topic.publishMessage({ data: Buffer.from('twice') });
  await until(
    () => target.received.length,
    (n) => n >= 2,
    3000,
    'two pushes',
  );
  await emulator.waitForStats((s) => s.subscriptions[sub.name].acked === 1);
  t.deepEqual(target.received.map(pushedData), ['twice', 'twice']);
  t.is(target.received[0].headers['ce-id'], target.received[1].headers['ce-id']);
  emulator.setFaults({ duplicateRate: 0 });
  await pubsub.close();
  await target.close();
});

test.serial('reorder shuffles unordered deliveries but keeps per-key order', async (t) => {
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('reorder');
  await topic.createSubscription('reorder-plain');
  // One stream, so without the fault the client would see publish order.
  const plain = pubsub.subscription('reorder-plain', { streamingOptions: { maxStreams: 1 } });
  const [keyed] = await topic.createSubscription('reorder-keyed', { enableMessageOrdering: true });
  emulator.setFaults({ reorder: true, delayMs: 200 }); // hold messages back so a batch accumulates to shuffle
  const plainSeen = collect(plain);
  const keyedSeen = collect(keyed);
  const ordered = pubsub.topic('reorder', { messageOrdering: true });
  const total = 60;
  await Promise.all(
    Array.from({ length: total }, (_, i) =>
      ordered.publishMessage({ data: Buffer.from(String(i)), orderingKey: 'k' }),
    ),
  );
  await emulator.waitForStats(
    (s) => s.subscriptions[plain.name].acked === total && s.subscriptions[keyed.name].acked === total,
  );
  const numbers = (ms: Message[]): number[] => ms.map((m) => Number(m.data.toString()));
  const sorted = Array.from({ length: total }, (_, i) => i);
  t.notDeepEqual(numbers(plainSeen.seen), sorted, 'unordered subscription sees a shuffled order');
  t.deepEqual(
    [...numbers(plainSeen.seen)].sort((a, b) => a - b),
    sorted,
  );
  t.deepEqual(numbers(keyedSeen.seen), sorted, 'ordered subscription keeps key order');
  emulator.setFaults({ reorder: false, delayMs: 0 });
  await plainSeen.stop();
  await keyedSeen.stop();
  await pubsub.close();
});

test.serial('delayMs holds deliveries back', async (t) => {
  emulator.setFaults({ delayMs: 400 });
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('delay');
  const [sub] = await topic.createSubscription('delay-sub');
  const { seen, stop } = collect(sub);
  await topic.publishMessage({ data: Buffer.from('late') });
  const published = Date.now();
  await until(
    () => seen.length,
    (n) => n >= 1,
    3000,
    'delayed message',
  );
  const waited = Date.now() - published;
  t.true(waited >= 350, `delivered after ${waited} ms`);
  emulator.setFaults({ delayMs: 0 });
  await stop();
  await pubsub.close();
});

test.serial('admin HTTP endpoint sets faults and reports stats', async (t) => {
  const put = await fetch(`${emulator.adminUrl}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ duplicateRate: 0.5, delayMs: 5 }),
  });
  t.is(put.status, 200);
  t.deepEqual(await put.json(), { duplicateRate: 0.5, reorder: false, delayMs: 5 });
  t.deepEqual(emulator.setFaults({}), { duplicateRate: 0.5, reorder: false, delayMs: 5 });
  const bad = await fetch(`${emulator.adminUrl}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ duplicateRate: 2 }),
  });
  t.is(bad.status, 400);
  t.regex(((await bad.json()) as { error: string }).error, /faults\.duplicateRate/);
  const unknown = await fetch(`${emulator.adminUrl}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ chaos: 1 }),
  });
  t.regex(((await unknown.json()) as { error: string }).error, /unknown field\(s\) chaos/);
  emulator.setFaults({ duplicateRate: 0, delayMs: 0 });
  // A page can POST text/plain (or untyped) bodies without a preflight: refused, faults unchanged.
  for (const headers of [{ 'content-type': 'text/plain' }, {}] as Record<string, string>[]) {
    const page = await fetch(`${emulator.adminUrl}/faults`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ duplicateRate: 1 }),
    });
    t.is(page.status, 415);
  }
  const huge = await fetch(`${emulator.adminUrl}/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ delayMs: 1, pad: 'x'.repeat(MAX_ADMIN_BODY_BYTES) }),
  });
  t.is(huge.status, 413);
  t.deepEqual(emulator.setFaults({}), { duplicateRate: 0, reorder: false, delayMs: 0 });
  const stats = (await (await fetch(`${emulator.adminUrl}/stats`)).json()) as {
    subscriptions: Record<string, { acked: number }>;
  };
  t.deepEqual(stats, JSON.parse(JSON.stringify(emulator.stats())));
  t.true(Object.keys(stats.subscriptions).length > 0);
});
