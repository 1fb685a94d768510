// An informer's liveness record (watcher/informer-health.ts), on explicit clock readings.
import test from 'ava';
import { InformerHealth } from '../../watcher/informer-health.ts';

test('failing from the first error until a reconnect has held for the settle time', (t) => {
  const h = new InformerHealth(2000);
  t.is(h.failingForMs(0), 0);
  h.onError(100);
  h.onError(300);
  t.is(h.failingForMs(500), 400, 'counted from the first error');
  h.onConnect(600);
  t.is(h.failingForMs(2599), 2499, 'the reconnect has not held for 2 s yet');
  h.onError(2000);
  t.is(h.failingForMs(4100), 4000, 'an error after the reconnect: still failing');
  h.onConnect(4100);
  t.is(h.failingForMs(6100), 0, 'recovered');
  t.is(h.failingForMs(9000), 0);
});

test('a reconnect with the same clock reading as the error before it still counts', (t) => {
  const h = new InformerHealth(2000);
  h.onError(0);
  h.onConnect(0);
  t.is(h.failingForMs(1999), 1999);
  t.is(h.failingForMs(2000), 0);
});

test('an object event proves the informer works', (t) => {
  const h = new InformerHealth(2000);
  h.onError(0);
  h.onObject();
  t.is(h.failingForMs(10_000), 0);
});
