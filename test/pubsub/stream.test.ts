import test from 'ava';
import { status } from '@grpc/grpc-js';
import { v1 } from '@google-cloud/pubsub';
import type { PubSub } from '@google-cloud/pubsub';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import { PROJECT, clientFor, until } from './helpers.ts';

/**
 * The generated v1 client's raw StreamingPull: acks, deadline changes and keep-alives sent on the stream
 * (the high-level client sends acks as unary calls), and how streams end.
 */
let emulator: PubsubEmulator;
let pubsub: PubSub;
let raw: v1.SubscriberClient;
test.before(async () => {
  emulator = await startPubsubEmulator({ port: 0 });
  pubsub = clientFor(emulator.endpoint);
  raw = new v1.SubscriberClient(
    (await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0],
  );
});
test.after.always(async () => {
  await raw.close();
  await pubsub.close();
  await emulator.close();
});

interface Received {
  ackId: string;
  message: { messageId: string; data: Buffer };
}

function open(): {
  stream: ReturnType<v1.SubscriberClient['streamingPull']>;
  received: Received[];
  ended: Promise<{ code?: number; details?: string }>;
} {
  const stream = raw.streamingPull();
  const received: Received[] = [];
  stream.on('data', (r: { receivedMessages: Received[] }) => received.push(...r.receivedMessages));
  const ended = new Promise<{ code?: number; details?: string }>((resolve) => {
    stream.on('error', (err: { code?: number; details?: string }) => resolve(err));
    stream.on('end', () => resolve({ code: status.OK }));
  });
  return { stream, received, ended };
}

test('acks, deadline changes and keep-alives on the stream', async (t) => {
  const [topic] = await pubsub.createTopic('raw-stream');
  const [sub] = await topic.createSubscription('raw-stream-sub');
  const { stream, received } = open();
  stream.write({ subscription: sub.name, streamAckDeadlineSeconds: 10, maxOutstandingMessages: 2 });
  await Promise.all([1, 2, 3].map((i) => topic.publishMessage({ data: Buffer.from(String(i)) })));
  await until(
    () => received.length,
    (n) => n >= 2,
    5000,
    'two messages',
  );
  t.is(received.length, 2, 'maxOutstandingMessages caps the stream');
  stream.write({}); // keep-alive
  stream.write({ ackIds: [received[0].ackId] });
  await until(
    () => received.length,
    (n) => n >= 3,
    5000,
    'third after an ack',
  );
  // A 0 s deadline on the stream is a nack: the message comes back on the same stream.
  stream.write({ modifyDeadlineAckIds: [received[1].ackId], modifyDeadlineSeconds: [0] });
  await until(
    () => received.length,
    (n) => n >= 4,
    5000,
    'redelivery',
  );
  t.is(received[3].message.messageId, received[1].message.messageId);
  stream.write({ ackIds: [received[2].ackId, received[3].ackId] });
  await emulator.waitForStats((s) => s.subscriptions[sub.name].acked === 3);
  t.like(emulator.subscriptionStats(sub.name), { nacked: 1, backlog: 0, outstanding: 0 });
  stream.end();
});

test('bad first requests end the stream with the service status', async (t) => {
  const [topic] = await pubsub.createTopic('raw-bad');
  const [sub] = await topic.createSubscription('raw-bad-sub');
  const noDeadline = open();
  noDeadline.stream.write({ subscription: sub.name });
  t.like(await noDeadline.ended, { code: status.INVALID_ARGUMENT });
  const missing = open();
  missing.stream.write({
    subscription: `projects/${PROJECT}/subscriptions/raw-none`,
    streamAckDeadlineSeconds: 10,
  });
  const err = await missing.ended;
  t.is(err.code, status.NOT_FOUND);
  t.regex(err.details ?? '', /resource=raw-none/);
});

test('deleting the subscription ends its streams with NOT_FOUND', async (t) => {
  const [topic] = await pubsub.createTopic('raw-delete');
  const [sub] = await topic.createSubscription('raw-delete-sub');
  const { stream, ended } = open();
  stream.write({ subscription: sub.name, streamAckDeadlineSeconds: 10 });
  await emulator.waitForStats((s) => s.subscriptions[sub.name].consumers === 1);
  await sub.delete();
  t.like(await ended, { code: status.NOT_FOUND });
});

test('UpdateSubscription applies the field mask and refuses immutable fields', async (t) => {
  const [topic] = await pubsub.createTopic('raw-update');
  const [sub] = await topic.createSubscription('raw-update-sub');
  await sub.setMetadata({ ackDeadlineSeconds: 42, labels: { team: 'mesh' } });
  const [meta] = await sub.getMetadata();
  t.is(meta.ackDeadlineSeconds, 42);
  t.deepEqual(meta.labels, { team: 'mesh' });
  const err = await t.throwsAsync(sub.setMetadata({ enableMessageOrdering: true }));
  t.is((err as { code?: number }).code, status.INVALID_ARGUMENT);
  const tooBig = await t.throwsAsync(sub.setMetadata({ ackDeadlineSeconds: 601 }));
  t.is((tooBig as { code?: number }).code, status.INVALID_ARGUMENT);
});
