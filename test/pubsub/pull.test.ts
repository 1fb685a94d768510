import net from 'node:net';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { status } from '@grpc/grpc-js';
import { v1 } from '@google-cloud/pubsub';
import type { Message } from '@google-cloud/pubsub';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import { PROJECT, clientFor, collect, sleep, until } from './helpers.ts';

let emulator: PubsubEmulator;
test.before(async () => {
  emulator = await startPubsubEmulator({ port: 0 });
});
test.after.always(() => emulator.close());

const subPath = (id: string): string => `projects/${PROJECT}/subscriptions/${id}`;

test('publish, streaming pull and ack', async (t) => {
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('basic');
  const [sub] = await topic.createSubscription('basic-sub');
  const { seen, stop } = collect(sub);
  const ids = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      topic.publishMessage({ data: Buffer.from(`m${i}`), attributes: { i: String(i) } }),
    ),
  );
  await until(
    () => seen.length,
    (n) => n >= 20,
    5000,
    '20 messages',
  );
  await emulator.waitForStats((s) => s.subscriptions[subPath('basic-sub')].acked === 20);
  t.deepEqual(seen.map((m) => m.id).sort(), [...ids].sort());
  for (const m of seen) {
    t.is(m.data.toString(), `m${m.attributes.i}`);
    t.true(m.publishTime.getTime() > Date.now() - 60_000);
    t.is(m.deliveryAttempt, 0);
  }
  const stats = emulator.subscriptionStats(subPath('basic-sub'));
  t.like(stats, {
    published: 20,
    delivered: 20,
    acked: 20,
    nacked: 0,
    redelivered: 0,
    backlog: 0,
    outstanding: 0,
  });
  await stop();
  await pubsub.close();
});

test('nack redelivers the message', async (t) => {
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('nack');
  const [sub] = await topic.createSubscription('nack-sub');
  const { seen, stop } = collect(sub, (m, all) =>
    all.filter((x) => x.id === m.id).length === 1 ? m.nack() : m.ack(),
  );
  const id = await topic.publishMessage({ data: Buffer.from('again') });
  await emulator.waitForStats((s) => s.subscriptions[subPath('nack-sub')].acked === 1);
  t.deepEqual(
    seen.map((m) => m.id),
    [id, id],
  );
  t.like(emulator.subscriptionStats(subPath('nack-sub')), {
    delivered: 2,
    nacked: 1,
    redelivered: 1,
    acked: 1,
  });
  await stop();
  await pubsub.close();
});

test('an expired ack deadline redelivers; deadline and max_messages are validated', async (t) => {
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('expiry');
  await topic.createSubscription('expiry-sub');
  const raw = new v1.SubscriberClient(
    (await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0],
  );
  const subscription = subPath('expiry-sub');
  const id = await topic.publishMessage({ data: Buffer.from('slow') });
  const [first] = await raw.pull({ subscription, maxMessages: 10 });
  t.is(first.receivedMessages?.[0]?.message?.messageId, id);
  const ackId = first.receivedMessages?.[0]?.ackId as string;
  const [none] = await raw.pull({ subscription, maxMessages: 10, returnImmediately: true });
  t.is(none.receivedMessages?.length ?? 0, 0, 'leased message is not handed out twice');
  await raw.modifyAckDeadline({ subscription, ackIds: [ackId], ackDeadlineSeconds: 1 });
  const started = Date.now();
  const [second] = await raw.pull({ subscription, maxMessages: 10 });
  t.is(second.receivedMessages?.[0]?.message?.messageId, id);
  t.true(Date.now() - started >= 800, 'redelivered only after the 1 s deadline');
  t.like(emulator.subscriptionStats(subscription), { expired: 1, redelivered: 1 });
  // A late ack with the stale ack id changes nothing; the fresh one acks.
  await raw.acknowledge({ subscription, ackIds: [ackId] });
  t.is(emulator.subscriptionStats(subscription).acked, 0);
  await raw.acknowledge({ subscription, ackIds: [second.receivedMessages?.[0]?.ackId as string] });
  t.is(emulator.subscriptionStats(subscription).acked, 1);

  const tooLong = await t.throwsAsync(
    raw.modifyAckDeadline({ subscription, ackIds: ['x'], ackDeadlineSeconds: 601 }),
  );
  t.is((tooLong as { code?: number }).code, status.INVALID_ARGUMENT);
  const zero = await t.throwsAsync(raw.pull({ subscription, maxMessages: 0 }));
  t.is((zero as { code?: number }).code, status.INVALID_ARGUMENT);
  const missing = await t.throwsAsync(raw.pull({ subscription: subPath('nope-sub'), maxMessages: 1 }));
  t.is((missing as { code?: number }).code, status.NOT_FOUND);
  await raw.close();
  await pubsub.close();
});

/** Per key, deliveries must run n, n+1, ... and may only restart at a message that was nacked. */
function checkKeyOrder(t: ExecutionContext, deliveries: number[], nacked: Set<number>, total: number): void {
  t.is(deliveries[0], 0);
  for (let i = 1; i < deliveries.length; i++) {
    const [prev, cur] = [deliveries[i - 1], deliveries[i]];
    if (cur !== prev + 1) t.true(nacked.has(cur) && cur <= prev, `out of order: ${prev} then ${cur}`);
  }
  t.is(deliveries[deliveries.length - 1], total - 1);
}

test('ordering keys: in order per key under load, including after a nack', async (t) => {
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('ordered');
  const [sub] = await topic.createSubscription('ordered-sub', { enableMessageOrdering: true });
  const keys = ['k0', 'k1', 'k2'];
  const perKey = 200;
  const nackOnce = new Map([
    ['k0', 50],
    ['k1', 120],
  ]);
  const deliveries = new Map(keys.map((k) => [k, [] as number[]]));
  const nackedDone = new Set<string>();
  const handler = (m: Message): void => {
    const n = Number(m.data.toString());
    deliveries.get(m.orderingKey as string)?.push(n);
    if (nackOnce.get(m.orderingKey as string) === n && !nackedDone.has(m.orderingKey as string)) {
      nackedDone.add(m.orderingKey as string);
      return m.nack();
    }
    m.ack();
  };
  const { stop } = collect(sub, handler);
  const ordered = pubsub.topic('ordered', { messageOrdering: true });
  const started = Date.now();
  const publishes: Promise<string>[] = [];
  for (let n = 0; n < perKey; n++) {
    for (const key of keys)
      publishes.push(ordered.publishMessage({ data: Buffer.from(String(n)), orderingKey: key }));
  }
  await Promise.all(publishes);
  await emulator.waitForStats(
    (s) => s.subscriptions[subPath('ordered-sub')].acked === keys.length * perKey,
    20_000,
  );
  t.log(`3 keys x ${perKey} ordered messages acked in ${Date.now() - started} ms`);
  for (const key of keys) {
    const nack = nackOnce.get(key);
    checkKeyOrder(t, deliveries.get(key) as number[], new Set(nack === undefined ? [] : [nack]), perKey);
    t.true(new Set(deliveries.get(key)).size === perKey, `${key}: every message delivered`);
  }
  t.is(emulator.subscriptionStats(subPath('ordered-sub')).nacked, 2);
  await stop();
  await pubsub.close();
});

test('dead-letters after maxDeliveryAttempts with the service attributes', async (t) => {
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('dl-source');
  const [dlq] = await pubsub.createTopic('dl-dead');
  const [dlqSub] = await dlq.createSubscription('dl-dead-sub');
  const [sub] = await topic.createSubscription('dl-sub', {
    deadLetterPolicy: { deadLetterTopic: dlq.name, maxDeliveryAttempts: 5 },
    retryPolicy: { minimumBackoff: { nanos: 20e6 }, maximumBackoff: { nanos: 80e6 } },
  });
  const attempts: number[] = [];
  const { stop } = collect(sub, (m) => {
    attempts.push(m.deliveryAttempt);
    m.nack();
  });
  const dead = collect(dlqSub);
  await topic.publishMessage({ data: Buffer.from('poison'), attributes: { origin: 'test' } });
  await until(
    () => dead.seen.length,
    (n) => n >= 1,
    8000,
    'dead-lettered message',
  );
  t.deepEqual(attempts, [1, 2, 3, 4, 5]);
  const m = dead.seen[0];
  t.is(m.data.toString(), 'poison');
  t.like(m.attributes, {
    origin: 'test',
    CloudPubSubDeadLetterSourceDeliveryCount: '5',
    CloudPubSubDeadLetterSourceSubscription: 'dl-sub',
    CloudPubSubDeadLetterSourceSubscriptionProject: PROJECT,
  });
  t.truthy(m.attributes.CloudPubSubDeadLetterSourceTopicPublishTime);
  t.like(emulator.subscriptionStats(subPath('dl-sub')), { deadLettered: 1, nacked: 5, backlog: 0 });
  await stop();
  await dead.stop();
  await pubsub.close();
});

test('stream flow control caps outstanding messages', async (t) => {
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('flow');
  const [sub] = await topic.createSubscription('flow-sub');
  const held: Message[] = [];
  const flowSub = pubsub.subscription('flow-sub', {
    flowControl: { maxMessages: 3, allowExcessMessages: false },
    streamingOptions: { maxStreams: 1 },
  });
  const { seen, stop } = collect(flowSub, (m) => held.push(m));
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => topic.publishMessage({ data: Buffer.from(String(i)) })),
  );
  await until(
    () => seen.length,
    (n) => n >= 3,
    5000,
    'first 3',
  );
  await sleep(300);
  t.is(emulator.subscriptionStats(sub.name).outstanding, 3);
  t.is(seen.length, 3);
  const drain = setInterval(() => held.splice(0).forEach((m) => m.ack()), 20);
  await emulator.waitForStats((s) => s.subscriptions[sub.name].acked === 10);
  clearInterval(drain);
  t.is(new Set(seen.map((m) => m.id)).size, 10);
  await stop();
  await pubsub.close();
});

test('close() ends open streams promptly and frees the port', async (t) => {
  const own = await startPubsubEmulator({ port: 0 });
  const pubsub = clientFor(own.endpoint);
  const [topic] = await pubsub.createTopic('closing');
  const [sub] = await topic.createSubscription('closing-sub');
  const { stop } = collect(sub);
  await topic.publishMessage({ data: Buffer.from('x') });
  await own.waitForStats((s) => s.subscriptions[sub.name].acked === 1);
  const started = Date.now();
  await own.close();
  t.true(Date.now() - started < 3000, `close took ${Date.now() - started} ms`);
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(own.port, '127.0.0.1', resolve);
  });
  await new Promise((r) => probe.close(r));
  await stop();
  await pubsub.close();
  t.pass();
});
