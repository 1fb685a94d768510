import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import { PROJECT, clientFor, pushTarget, pushedData, sleep, until } from './helpers.ts';

let emulator: PubsubEmulator;
test.before(async () => {
  emulator = await startPubsubEmulator({ port: 0 });
});
test.after.always(() => emulator.close());

const subPath = (id: string): string => `projects/${PROJECT}/subscriptions/${id}`;

test('push posts a binary-mode CloudEvent; 2xx acks', async (t) => {
  const target = await pushTarget(() => 204);
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('push-basic');
  await topic.createSubscription('push-basic-sub', { pushConfig: { pushEndpoint: target.url } });
  const id = await topic.publishMessage({
    data: Buffer.from('{"hello":"world"}'),
    attributes: { kind: 'greeting' },
  });
  await emulator.waitForStats((s) => s.subscriptions[subPath('push-basic-sub')].acked === 1);
  t.is(target.received.length, 1);
  const [r] = target.received;
  t.like(r.headers, {
    'content-type': 'application/json',
    'ce-id': id,
    'ce-specversion': '1.0',
    'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
    'ce-source': `//pubsub.googleapis.com/projects/${PROJECT}/topics/push-basic`,
  });
  const message = r.body.message as Record<string, unknown>;
  t.is(r.headers['ce-time'], String(message.publishTime));
  t.regex(String(message.publishTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.deepEqual(r.body, {
    message: {
      data: Buffer.from('{"hello":"world"}').toString('base64'),
      attributes: { kind: 'greeting' },
      messageId: id,
      message_id: id,
      publishTime: message.publishTime,
      publish_time: message.publishTime,
    },
    subscription: subPath('push-basic-sub'),
  });
  await sleep(150);
  t.is(target.received.length, 1, 'an acked message is not pushed again');
  await pubsub.close();
  await target.close();
});

test('a 500 reply is redelivered with backoff, then a 2xx acks', async (t) => {
  const target = await pushTarget((_body, i) => (i === 0 ? 500 : 200));
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('push-retry');
  await topic.createSubscription('push-retry-sub', { pushConfig: { pushEndpoint: target.url } });
  const started = Date.now();
  const times: number[] = [];
  await topic.publishMessage({ data: Buffer.from('retry me') });
  await until(
    () => target.received.length,
    (n) => n >= 2,
    5000,
    'redelivery',
  );
  times.push(Date.now() - started);
  await emulator.waitForStats((s) => s.subscriptions[subPath('push-retry-sub')].acked === 1);
  const [a, b] = target.received;
  t.is(a.status, 500);
  t.is(b.status, 200);
  t.is(a.headers['ce-id'], b.headers['ce-id']);
  t.is(pushedData(b), 'retry me');
  t.like(emulator.subscriptionStats(subPath('push-retry-sub')), {
    delivered: 2,
    nacked: 1,
    redelivered: 1,
    acked: 1,
  });
  t.true(times[0] >= 90, `redelivered after push backoff (${times[0]} ms)`);
  await pubsub.close();
  await target.close();
});

test('connection refused is redelivered; ModifyPushConfig retargets', async (t) => {
  const dead = http.createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/`;
  await new Promise((r) => dead.close(r));
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('push-refused');
  const [sub] = await topic.createSubscription('push-refused-sub', { pushConfig: { pushEndpoint: deadUrl } });
  await topic.publishMessage({ data: Buffer.from('eventually') });
  await emulator.waitForStats((s) => s.subscriptions[sub.name].nacked >= 2);
  const target = await pushTarget();
  await sub.modifyPushConfig({ pushEndpoint: target.url });
  await emulator.waitForStats((s) => s.subscriptions[sub.name].acked === 1);
  t.deepEqual(target.received.map(pushedData), ['eventually']);
  await pubsub.close();
  await target.close();
});

test('ordered push: one request in flight per key, in order, retries keep order', async (t) => {
  const inFlight = new Map<string, number>();
  let maxPerKey = 0;
  let maxTotal = 0;
  let total = 0;
  const failedOnce = new Set<string>();
  const order = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        message: { data: string; orderingKey: string };
      };
      const key = body.message.orderingKey;
      const n = Number(Buffer.from(body.message.data, 'base64').toString());
      order.set(key, [...(order.get(key) ?? []), n]);
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      total++;
      maxPerKey = Math.max(maxPerKey, inFlight.get(key) as number);
      maxTotal = Math.max(maxTotal, total);
      const fail = n % 7 === 3 && !failedOnce.has(`${key}/${n}`);
      if (fail) failedOnce.add(`${key}/${n}`);
      setTimeout(() => {
        inFlight.set(key, (inFlight.get(key) as number) - 1);
        total--;
        res.writeHead(fail ? 503 : 204).end();
      }, 10);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('push-ordered');
  const [sub] = await topic.createSubscription('push-ordered-sub', {
    enableMessageOrdering: true,
    pushConfig: { pushEndpoint: url },
  });
  const ordered = pubsub.topic('push-ordered', { messageOrdering: true });
  const keys = ['a', 'b', 'c', 'd'];
  const perKey = 20;
  const publishes: Promise<string>[] = [];
  for (let n = 0; n < perKey; n++) {
    for (const key of keys)
      publishes.push(ordered.publishMessage({ data: Buffer.from(String(n)), orderingKey: key }));
  }
  await Promise.all(publishes);
  await emulator.waitForStats((s) => s.subscriptions[sub.name].acked === keys.length * perKey, 15_000);
  t.is(maxPerKey, 1);
  t.true(maxTotal > 1, `several keys in flight at once (max ${maxTotal})`);
  for (const key of keys) {
    const seq = order.get(key) as number[];
    // A failed n is retried right away as the next delivery for that key, so the sequence is 0..n,n,n+1..
    const deduped = seq.filter((n, i) => i === 0 || n !== seq[i - 1]);
    t.deepEqual(
      deduped,
      Array.from({ length: perKey }, (_, i) => i),
      key,
    );
  }
  t.is(emulator.subscriptionStats(sub.name).nacked, failedOnce.size);
  await pubsub.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

interface PublishedEvent {
  type: string;
  source: string;
  id: string;
  data: {
    message: { data: string; attributes: Record<string, string>; orderingKey?: string };
    subscription: string;
  };
}

test('push into a functions-framework CloudEvent function', async (t) => {
  const received: PublishedEvent[] = [];
  let failures = 0;
  ff.cloudEvent('pubsubEmulatorTarget', (event: unknown) => {
    const ce = event as unknown as PublishedEvent;
    received.push(ce);
    if (Buffer.from(ce.data.message.data, 'base64').toString() === 'fail-once' && failures++ === 0) {
      throw new Error('first attempt fails');
    }
  });
  const server = getTestServer('pubsubEmulatorTarget');
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('push-ff');
  const [sub] = await topic.createSubscription('push-ff-sub', {
    enableMessageOrdering: true,
    pushConfig: { pushEndpoint: url },
  });
  const ordered = pubsub.topic('push-ff', { messageOrdering: true });
  const id = await ordered.publishMessage({
    data: Buffer.from(JSON.stringify({ schema: 1 })),
    attributes: { cluster: 'c1' },
    orderingKey: 'c1/ns/svc',
  });
  await ordered.publishMessage({ data: Buffer.from('fail-once'), orderingKey: 'c1/ns/svc' });
  await emulator.waitForStats((s) => s.subscriptions[sub.name].acked === 2);
  const first = received[0];
  t.is(first.type, 'google.cloud.pubsub.topic.v1.messagePublished');
  t.is(first.source, `//pubsub.googleapis.com/projects/${PROJECT}/topics/push-ff`);
  t.is(first.id, id);
  t.deepEqual(JSON.parse(Buffer.from(first.data.message.data, 'base64').toString()), { schema: 1 });
  t.deepEqual(first.data.message.attributes, { cluster: 'c1' });
  t.is(first.data.message.orderingKey, 'c1/ns/svc');
  t.is(first.data.subscription, sub.name);
  t.deepEqual(
    received.map((e) => Buffer.from(e.data.message.data, 'base64').toString()).slice(1),
    ['fail-once', 'fail-once'],
    'a thrown handler (500) is redelivered',
  );
  await pubsub.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test('a push that times out is redelivered', async (t) => {
  const own = await startPubsubEmulator({ port: 0, pushTimeoutMs: 500 });
  let requests = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    if (requests++ === 0) return; // never answer the first delivery
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const pubsub = clientFor(own.endpoint);
  try {
    const [topic] = await pubsub.createTopic('push-timeout');
    const [sub] = await topic.createSubscription('push-timeout-sub', {
      pushConfig: { pushEndpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` },
    });
    const started = Date.now();
    await topic.publishMessage({ data: Buffer.from('slow') });
    await own.waitForStats((s) => s.subscriptions[sub.name].acked === 1);
    t.true(Date.now() - started >= 500, 'acked only after the first request timed out');
    // Under heavy load a later request may time out too; every timed-out one is a nack.
    t.true(requests >= 2);
    t.like(own.subscriptionStats(sub.name), { nacked: requests - 1, redelivered: requests - 1, acked: 1 });
  } finally {
    await pubsub.close();
    await own.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
