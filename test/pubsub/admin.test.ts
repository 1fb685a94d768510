import test from 'ava';
import { status } from '@grpc/grpc-js';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import { PubSub } from '@google-cloud/pubsub';
import type { PageOptions, Topic } from '@google-cloud/pubsub';
import { PROJECT, clientFor } from './helpers.ts';

let emulator: PubsubEmulator;
test.before(async () => {
  emulator = await startPubsubEmulator({ port: 0 });
});
test.after.always(() => emulator.close());

test('endpoint is 127.0.0.1 with the bound port', (t) => {
  t.regex(emulator.endpoint, /^127\.0\.0\.1:\d+$/);
  t.is(emulator.endpoint, `127.0.0.1:${emulator.port}`);
  t.true(emulator.port > 0);
});

test('topics: create, get, list, duplicate, delete', async (t) => {
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('admin-topic-a');
  t.is(topic.name, `projects/${PROJECT}/topics/admin-topic-a`);
  await pubsub.createTopic('admin-topic-b');
  const [exists] = await pubsub.topic('admin-topic-a').exists();
  t.true(exists);
  const [topics] = await pubsub.getTopics();
  t.deepEqual(
    topics.map((x) => x.name).filter((n) => n.startsWith(`projects/${PROJECT}/topics/admin-topic-`)),
    [`projects/${PROJECT}/topics/admin-topic-a`, `projects/${PROJECT}/topics/admin-topic-b`],
  );
  const dup = await t.throwsAsync(pubsub.createTopic('admin-topic-a'));
  t.is((dup as { code?: number }).code, status.ALREADY_EXISTS);
  t.regex(dup.message, /Resource already exists in the project \(resource=admin-topic-a\)/);
  await pubsub.topic('admin-topic-b').delete();
  const missing = await t.throwsAsync(pubsub.topic('admin-topic-b').getMetadata());
  t.is((missing as { code?: number }).code, status.NOT_FOUND);
  t.regex(missing.message, /Resource not found \(resource=admin-topic-b\)/);
  await pubsub.close();
});

test('topic listing pages through results with page tokens', async (t) => {
  const pubsub = new PubSub({ projectId: 'paging-proj', apiEndpoint: emulator.endpoint, emulatorMode: true });
  for (const n of [1, 2, 3, 4, 5]) await pubsub.createTopic(`page-topic-${n}`);
  const pages: string[][] = [];
  let query: PageOptions | null = { pageSize: 2, autoPaginate: false };
  while (query) {
    const [topics, next]: [Topic[], PageOptions | null, unknown] = (await pubsub.getTopics(query)) as never;
    pages.push(topics.map((x) => x.name.split('/').pop() as string));
    query = next;
  }
  t.deepEqual(pages, [['page-topic-1', 'page-topic-2'], ['page-topic-3', 'page-topic-4'], ['page-topic-5']]);
  await pubsub.close();
});

test('invalid names are INVALID_ARGUMENT naming the resource', async (t) => {
  const pubsub = clientFor(emulator.endpoint);
  const err = await t.throwsAsync(pubsub.createTopic('1-starts-with-digit'));
  t.is((err as { code?: number }).code, status.INVALID_ARGUMENT);
  t.regex(err.message, /Invalid \[topics\] name: \(name=projects\/test-proj\/topics\/1-starts-with-digit\)/);
  const goog = await t.throwsAsync(pubsub.createTopic('goog-reserved'));
  t.is((goog as { code?: number }).code, status.INVALID_ARGUMENT);
  await pubsub.close();
});

test('subscriptions: create with policies, get defaults, list, missing topic, delete', async (t) => {
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('sub-admin-topic');
  await pubsub.createTopic('sub-admin-dlq');
  const [sub] = await topic.createSubscription('sub-admin-a', {
    enableMessageOrdering: true,
    deadLetterPolicy: { deadLetterTopic: `projects/${PROJECT}/topics/sub-admin-dlq` },
    retryPolicy: { minimumBackoff: { seconds: 1 } },
  });
  const [meta] = await sub.getMetadata();
  t.is(meta.topic, `projects/${PROJECT}/topics/sub-admin-topic`);
  t.is(meta.ackDeadlineSeconds, 10);
  t.true(meta.enableMessageOrdering);
  t.is(meta.deadLetterPolicy?.maxDeliveryAttempts, 5);
  t.is(String(meta.retryPolicy?.minimumBackoff?.seconds), '1');
  t.is(String(meta.retryPolicy?.maximumBackoff?.seconds), '600');
  const [subs] = await topic.getSubscriptions();
  t.deepEqual(
    subs.map((s) => s.name),
    [`projects/${PROJECT}/subscriptions/sub-admin-a`],
  );
  const [all] = await pubsub.getSubscriptions();
  t.true(all.some((s) => s.name === `projects/${PROJECT}/subscriptions/sub-admin-a`));

  const dup = await t.throwsAsync(topic.createSubscription('sub-admin-a'));
  t.is((dup as { code?: number }).code, status.ALREADY_EXISTS);
  const noTopic = await t.throwsAsync(pubsub.topic('no-such-topic').createSubscription('sub-admin-b'));
  t.is((noTopic as { code?: number }).code, status.NOT_FOUND);
  t.regex(noTopic.message, /resource=no-such-topic/);
  const badDeadline = await t.throwsAsync(topic.createSubscription('sub-admin-c', { ackDeadlineSeconds: 5 }));
  t.is((badDeadline as { code?: number }).code, status.INVALID_ARGUMENT);
  t.regex(badDeadline.message, /ack_deadline_seconds is too small/);
  const badPush = await t.throwsAsync(
    topic.createSubscription('sub-admin-d', { pushConfig: { pushEndpoint: 'ftp://x' } }),
  );
  t.is((badPush as { code?: number }).code, status.INVALID_ARGUMENT);

  await sub.modifyPushConfig({ pushEndpoint: 'http://127.0.0.1:9/x' });
  t.is((await sub.getMetadata())[0].pushConfig?.pushEndpoint, 'http://127.0.0.1:9/x');
  await sub.modifyPushConfig({});
  t.falsy((await sub.getMetadata())[0].pushConfig?.pushEndpoint);

  await topic.delete();
  t.is((await sub.getMetadata())[0].topic, '_deleted-topic_');
  await sub.delete();
  const gone = await t.throwsAsync(sub.getMetadata());
  t.is((gone as { code?: number }).code, status.NOT_FOUND);
  t.regex(gone.message, /resource=sub-admin-a/);
  await pubsub.close();
});

test('publish validates like the service', async (t) => {
  const pubsub = clientFor(emulator.endpoint);
  const [topic] = await pubsub.createTopic('publish-limits');
  const ids = await Promise.all([
    topic.publishMessage({ data: Buffer.from('a') }),
    topic.publishMessage({ attributes: { k: 'v' } }),
  ]);
  t.is(new Set(ids).size, 2);
  const cases: Array<[string, Parameters<typeof topic.publishMessage>[0], RegExp]> = [
    [
      'attribute value too long',
      { data: Buffer.from('x'), attributes: { k: 'v'.repeat(1025) } },
      /attribute_value_size is too large/,
    ],
    [
      'attribute key too long',
      { data: Buffer.from('x'), attributes: { ['k'.repeat(257)]: 'v' } },
      /attribute_key_size is too large/,
    ],
    [
      'too many attributes',
      {
        data: Buffer.from('x'),
        attributes: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v'])),
      },
      /attributes_count is too large/,
    ],
    ['request over 10 MB', { data: Buffer.alloc(10_000_001) }, /is too large/],
  ];
  for (const [what, message, pattern] of cases) {
    const err = await t.throwsAsync(topic.publishMessage(message), undefined, what);
    t.is((err as { code?: number }).code, status.INVALID_ARGUMENT, what);
    t.regex(err.message, pattern, what);
  }
  const missing = await t.throwsAsync(
    pubsub.topic('never-created').publishMessage({ data: Buffer.from('x') }),
  );
  t.is((missing as { code?: number }).code, status.NOT_FOUND);
  t.is(emulator.stats().topics[`projects/${PROJECT}/topics/publish-limits`].published, 2);
  await pubsub.close();
});
