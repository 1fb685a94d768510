import test from 'ava';
import { status } from '@grpc/grpc-js';
import { compileFilter } from '../../infra/local/pubsub/filter.ts';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import { clientFor, collect, sleep } from './helpers.ts';

const cases: Array<[string, Record<string, string>, boolean]> = [
  ['attributes:kind', { kind: '' }, true],
  ['attributes:kind', { other: 'x' }, false],
  ['attributes.kind = "route"', { kind: 'route' }, true],
  ['attributes.kind = "route"', { kind: 'tick' }, false],
  ['attributes.kind != "route"', { kind: 'tick' }, true],
  ['attributes.kind != "route"', {}, true],
  ['hasPrefix(attributes.cluster, "prod-")', { cluster: 'prod-eu' }, true],
  ['hasPrefix(attributes.cluster, "prod-")', { cluster: 'dev' }, false],
  ['NOT attributes:kind', {}, true],
  ['-attributes:kind', { kind: 'x' }, false],
  ['attributes.a = "1" AND attributes.b = "2"', { a: '1', b: '2' }, true],
  ['attributes.a = "1" AND attributes.b = "2"', { a: '1', b: '3' }, false],
  ['attributes.a = "1" OR attributes.b = "2"', { a: '0', b: '2' }, true],
  ['(attributes.a = "1" OR attributes.a = "2") AND NOT attributes:c', { a: '2' }, true],
  ['(attributes.a = "1" OR attributes.a = "2") AND NOT attributes:c', { a: '2', c: '' }, false],
  ['attributes."odd key" = "say \\"hi\\""', { 'odd key': 'say "hi"' }, true],
  ['', { anything: 'x' }, true],
];

for (const [filter, attributes, expected] of cases) {
  test(`filter ${filter || '(empty)'} on ${JSON.stringify(attributes)} -> ${expected}`, (t) => {
    t.is(compileFilter(filter)(attributes), expected);
  });
}

for (const bad of [
  'attributes.a = "1" AND attributes.b = "2" OR attributes:c',
  'attributes.a = 1',
  'attributes.a =',
  'data = "x"',
  '(attributes:a',
  'attributes:a)',
  'x'.repeat(300),
]) {
  test(`filter ${bad.slice(0, 40)} is rejected`, (t) => {
    const err = t.throws(() => compileFilter(bad));
    t.is((err as { code?: number }).code, status.INVALID_ARGUMENT);
    t.regex(err.message, /Invalid filter expression/);
  });
}

test('a filtered subscription only receives matching messages; bad filters are INVALID_ARGUMENT', async (t) => {
  const emulator = await startPubsubEmulator({ port: 0 });
  const pubsub = clientFor(emulator.endpoint);
  try {
    const [topic] = await pubsub.createTopic('filtered');
    const [sub] = await topic.createSubscription('filtered-sub', { filter: 'attributes.kind = "route"' });
    const { seen, stop } = collect(sub);
    await topic.publishMessage({ data: Buffer.from('a'), attributes: { kind: 'route' } });
    await topic.publishMessage({ data: Buffer.from('b'), attributes: { kind: 'tick' } });
    await topic.publishMessage({ data: Buffer.from('c'), attributes: { kind: 'route' } });
    await emulator.waitForStats((s) => s.subscriptions[sub.name].acked === 2);
    await sleep(100);
    t.deepEqual(seen.map((m) => m.data.toString()).sort(), ['a', 'c']);
    t.is(emulator.subscriptionStats(sub.name).published, 2);
    const err = await t.throwsAsync(
      topic.createSubscription('filtered-bad', { filter: 'attributes.kind ~ "x"' }),
    );
    t.is((err as { code?: number }).code, status.INVALID_ARGUMENT);
    const eo = await t.throwsAsync(
      topic.createSubscription('filtered-eo', { enableExactlyOnceDelivery: true }),
    );
    t.regex(eo.message, /not supported/);
    await stop();
  } finally {
    await pubsub.close();
    await emulator.close();
  }
});
