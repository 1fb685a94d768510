// Burst coalescing per parent on a fake clock: debounce, maximum wait, merging, flush on shutdown.
import test from 'ava';
import { Coalescer } from '../../watcher/coalescer.ts';
import { FakeClock } from './fake-clock.ts';

function setup(debounceMs = 100, maxWaitMs = 1000) {
  const clock = new FakeClock();
  const fired: { key: string; at: number; payload: string[] }[] = [];
  const c = new Coalescer<string[]>({
    debounceMs,
    maxWaitMs,
    merge: (a, b) => [...a, ...b],
    fire: (key, payload) => fired.push({ key, at: clock.t, payload }),
    timers: clock,
  });
  return { clock, fired, c };
}

test('one change fires after the debounce', (t) => {
  const { clock, fired, c } = setup();
  c.touch('a', ['1']);
  clock.advance(99);
  t.is(fired.length, 0);
  clock.advance(1);
  t.deepEqual(fired, [{ key: 'a', at: 100, payload: ['1'] }]);
  t.deepEqual(c.pendingKeys(), []);
});

test('a burst is merged into one firing, debounced from the last touch', (t) => {
  const { clock, fired, c } = setup();
  for (let i = 0; i < 5; i++) {
    c.touch('a', [String(i)]);
    clock.advance(50);
  }
  t.is(fired.length, 0);
  clock.advance(50);
  t.deepEqual(fired, [{ key: 'a', at: 300, payload: ['0', '1', '2', '3', '4'] }]);
});

test('a continuous stream still fires every maxWait', (t) => {
  const { clock, fired, c } = setup(100, 1000);
  for (let i = 0; i < 300; i++) {
    c.touch('a', [String(i)]);
    clock.advance(10); // 3 s of changes, 10 ms apart
  }
  clock.advance(200);
  t.deepEqual(
    fired.map((f) => f.at),
    [1000, 2000, 3000], // the last touch (2990) rides in the window opened at 2000
  );
  t.is(fired.flatMap((f) => f.payload).length, 300, 'no change lost');
  t.is(fired.at(-1)?.payload.at(-1), '299');
});

test('keys are independent', (t) => {
  const { clock, fired, c } = setup();
  c.touch('a', ['a1']);
  clock.advance(60);
  c.touch('b', ['b1']);
  clock.advance(40);
  t.deepEqual(
    fired.map((f) => f.key),
    ['a'],
  );
  clock.advance(60);
  t.deepEqual(
    fired.map((f) => `${f.key}@${f.at}`),
    ['a@100', 'b@160'],
  );
});

test('flushAll fires every open window at once; clear drops them', (t) => {
  const { clock, fired, c } = setup(5000, 10000);
  c.touch('a', ['1']);
  c.touch('b', ['2']);
  c.flushAll();
  t.deepEqual(
    fired.map((f) => `${f.key}@${f.at}`),
    ['a@0', 'b@0'],
  );
  clock.advance(10000);
  t.is(fired.length, 2, 'no second firing');
  c.touch('c', ['3']);
  c.clear();
  clock.advance(10000);
  t.is(fired.length, 2);
});

test('maxWait below debounce acts as debounce', (t) => {
  const { clock, fired, c } = setup(100, 0);
  c.touch('a', ['1']);
  clock.advance(100);
  t.is(fired.length, 1);
});
