// The watcher's per-parent memory on the fake clock: parents no route names any more are forgotten
// after the grace period (never while a window or an event for them is open), so the maps stay
// bounded however many parents come and go.
import test from 'ava';
import { ParentMemory } from '../../watcher/parent-memory.ts';
import { FakeClock } from './fake-clock.ts';

const none = () => false;

test('a parent no route names is forgotten once the grace period has passed, not before', (t) => {
  const clock = new FakeClock();
  const m = new ParentMemory({ now: clock.now, forgetAfterMs: 1000 });
  m.see('ns/a');
  m.see('ns/b');
  clock.advance(999);
  t.deepEqual(m.sweep(new Set(['ns/a']), none), []);
  clock.advance(1);
  t.deepEqual(m.sweep(new Set(['ns/a']), none), ['ns/b']);
  t.true(m.has('ns/a'));
  t.false(m.has('ns/b'));
  // a was refreshed by the sweep that saw it named: its grace period starts when routes stop naming it.
  clock.advance(999);
  t.deepEqual(m.sweep(new Set(), none), []);
  clock.advance(1);
  t.deepEqual(m.sweep(new Set(), none), ['ns/a']);
  t.is(m.size, 0);
});

test('a parent with an open window or an unpublished event is kept until it settles', (t) => {
  const clock = new FakeClock();
  const m = new ParentMemory({ now: clock.now, forgetAfterMs: 100 });
  m.see('ns/a');
  clock.advance(5000);
  let busy = true;
  t.deepEqual(
    m.sweep(new Set(), () => busy),
    [],
  );
  t.true(m.has('ns/a'));
  busy = false;
  t.deepEqual(
    m.sweep(new Set(), () => busy),
    ['ns/a'],
  );
});

test('seeing a parent again (it was affected) restarts its grace period', (t) => {
  const clock = new FakeClock();
  const m = new ParentMemory({ now: clock.now, forgetAfterMs: 100 });
  m.see('ns/a');
  clock.advance(90);
  m.see('ns/a');
  clock.advance(90);
  t.deepEqual(m.sweep(new Set(), none), []);
  clock.advance(10);
  t.deepEqual(m.sweep(new Set(), none), ['ns/a']);
});

test('bounded under churn: 10 000 parents come and go, memory holds only the recent ones', (t) => {
  const clock = new FakeClock();
  const forgetAfterMs = 600_000;
  const sweepEveryMs = 60_000;
  const m = new ParentMemory({ now: clock.now, forgetAfterMs });
  const live = new Set<string>();
  let peak = 0;
  let sinceSweep = 0;
  // One new parent per second; each lives 30 s (its route is deleted after that).
  for (let i = 0; i < 10_000; i++) {
    const key = `ns/p${i}`;
    m.see(key);
    live.add(key);
    live.delete(`ns/p${i - 30}`);
    clock.advance(1000);
    sinceSweep += 1000;
    if (sinceSweep >= sweepEveryMs) {
      m.sweep(live, none);
      sinceSweep = 0;
    }
    peak = Math.max(peak, m.size);
  }
  // At most: the live ones, the ones inside the grace period, and one sweep interval's worth.
  const bound = 30 + (forgetAfterMs + sweepEveryMs) / 1000;
  t.true(peak <= bound, `peak ${peak} > ${bound}`);
  t.true(m.size <= bound);
  for (const key of live) t.true(m.has(key), `${key} is still named by a route`);
});
