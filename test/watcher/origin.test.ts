// The origin the watcher stamps on route events (shared/events route-event.ts): one run id per
// watcher start, and per parent a count that grows by one per event handed to Pub/Sub, so the sync
// function can tell the direct successor of an event it applied. A retried publish keeps its count.
import test from 'ava';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import { eventually, labelOf, labelled, rig, service } from './harness.ts';

let pubsub: PubsubEmulator;
test.before(async () => {
  pubsub = await startPubsubEmulator({ port: 0 });
});
test.after.always(() => pubsub.close());

test('each parent counts its events from 1 in one run; another watcher start is another run', async (t) => {
  const seed = [service('p'), service('q'), labelled('a', 'p', '0'), labelled('b', 'q', '0')];
  const r = await rig(t, pubsub, { seed });
  for (let v = 1; v <= 3; v++) {
    r.emu.apply(labelled('a', 'p', String(v)));
    await r.waitFor('default/p', (e) => labelOf(e, 'a') === String(v), `p v${v}`);
  }
  r.emu.apply(labelled('b', 'q', '1'));
  await r.waitFor('default/q', (e) => labelOf(e, 'b') === '1', 'q v1');
  const p = r.forParent('default/p');
  t.deepEqual(
    p.map((e) => e.origin?.count),
    [1, 2, 3],
  );
  t.deepEqual(
    r.forParent('default/q').map((e) => e.origin?.count),
    [1],
    'counts are per parent',
  );
  const run = p[0].origin?.run;
  t.regex(run ?? '', /^[A-Za-z0-9_-]{1,64}$/);
  t.true(
    r.received.every((m) => m.event.origin?.run === run),
    'one run id per watcher start',
  );

  const again = await rig(t, pubsub, { seed: [service('p'), labelled('a', 'p', '0')] });
  again.emu.apply(labelled('a', 'p', '9'));
  const next = await again.waitFor('default/p', (e) => labelOf(e, 'a') === '9', 'second watcher');
  t.is(next.origin?.count, 1);
  t.not(next.origin?.run, run, 'a new start is a new run');
});

test('a publish retried after failures keeps its count; the next event is count + 1', async (t) => {
  const r = await rig(t, pubsub, {
    seed: [service('p'), labelled('a', 'p', '0')],
    settings: { publishTimeoutMs: 400 },
  });
  r.proxy.cut();
  r.emu.apply(labelled('a', 'p', '1'));
  await eventually(
    () => r.watcher.stats().failedAttempts,
    (n) => n >= 2,
    8000,
    'two failed attempts of one event',
  );
  r.proxy.restore();
  await r.waitFor('default/p', (e) => labelOf(e, 'a') === '1', 'published after recovery', 8000);
  r.emu.apply(labelled('a', 'p', '2'));
  await r.waitFor('default/p', (e) => labelOf(e, 'a') === '2', 'the next change');
  await r.settle();
  // Pub/Sub may deliver an attempt that the client gave up on as well: same event, same count.
  const seen = new Map(r.forParent('default/p').map((e) => [labelOf(e, 'a'), e.origin?.count]));
  t.deepEqual(
    [...seen.entries()],
    [
      ['1', 1],
      ['2', 2],
    ],
  );
});
