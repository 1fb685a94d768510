import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import test from 'ava';
import type { Message } from '@google-cloud/pubsub';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import { clientFor, collect, pushTarget, pushedData, sleep, until } from './helpers.ts';

/**
 * Runs the same scenarios against our emulator and Google's (when the gcloud component is installed)
 * and expects the same observable behaviour. Google's emulator sends a plain push body (no ce-* headers),
 * so push is compared on the fields both send.
 */
const GOOGLE_EMULATOR = '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${command}`));
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function startGoogleEmulator(): Promise<{ endpoint: string; stop: () => void }> {
  const port = await freePort();
  const child: ChildProcess = spawn(GOOGLE_EMULATOR, ['--host=127.0.0.1', `--port=${port}`], {
    detached: true,
    stdio: 'ignore',
  });
  const stop = (): void => {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  };
  const deadline = Date.now() + 20_000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      stop();
      throw new Error(`Google's emulator did not start on port ${port}`);
    }
    await sleep(100);
  }
  return { endpoint: `127.0.0.1:${port}`, stop };
}

const codeOf = async (p: Promise<unknown>): Promise<number | undefined> =>
  p.then(
    () => undefined,
    (err: { code?: number }) => err.code,
  );

/** Per key, deliveries run n, n+1, ... and only restart at a nacked message. */
function inOrder(deliveries: number[], nacked: number[], total: number): boolean {
  const steps = deliveries.every(
    (n, i) => i === 0 || n === deliveries[i - 1] + 1 || (nacked.includes(n) && n <= deliveries[i - 1]),
  );
  return deliveries[0] === 0 && steps && new Set(deliveries).size === total;
}

async function scenarios(endpoint: string): Promise<Record<string, unknown>> {
  const pubsub = clientFor(endpoint);
  const out: Record<string, unknown> = {};

  // Admin errors.
  const [topic] = await pubsub.createTopic('cmp-topic');
  out.errors = [
    await codeOf(pubsub.createTopic('cmp-topic')),
    await codeOf(pubsub.topic('cmp-missing').getMetadata()),
    await codeOf(pubsub.topic('cmp-missing').createSubscription('cmp-orphan')),
    await codeOf(pubsub.subscription('cmp-missing-sub').getMetadata()),
  ];

  // Publish, streaming pull, ack; a nack is redelivered.
  const [sub] = await topic.createSubscription('cmp-pull');
  const nackedOnce = new Set<string>();
  const pulled = collect(sub, (m) => {
    if (m.attributes.i === '2' && !nackedOnce.has(m.id)) {
      nackedOnce.add(m.id);
      return m.nack();
    }
    m.ack();
  });
  await Promise.all(
    [0, 1, 2, 3, 4].map((i) =>
      topic.publishMessage({ data: Buffer.from(`p${i}`), attributes: { i: String(i) } }),
    ),
  );
  await until(
    () => pulled.seen.length,
    (n) => n >= 6,
    10_000,
    'pull deliveries',
  );
  await sleep(300);
  out.pull = pulled.seen.map((m) => `${m.data.toString()}:${m.attributes.i}`).sort();
  await pulled.stop();

  // Ordering keys with a nack in the middle.
  const [orderedSub] = await topic.createSubscription('cmp-ordered', { enableMessageOrdering: true });
  const perKey = 25;
  const seq = new Map<string, number[]>();
  let nacked = false;
  const ordered = collect(orderedSub, (m: Message) => {
    const n = Number(m.data.toString().slice(1));
    seq.set(m.orderingKey as string, [...(seq.get(m.orderingKey as string) ?? []), n]);
    if (m.orderingKey === 'a' && n === 10 && !nacked) {
      nacked = true;
      return m.nack();
    }
    m.ack();
  });
  const orderedTopic = pubsub.topic('cmp-topic', { messageOrdering: true });
  const publishes: Promise<string>[] = [];
  for (let n = 0; n < perKey; n++) {
    for (const key of ['a', 'b'])
      publishes.push(orderedTopic.publishMessage({ data: Buffer.from(`o${n}`), orderingKey: key }));
  }
  await Promise.all(publishes);
  await until(
    () => [...seq.values()].map((s) => new Set(s).size),
    (sizes) =>
      sizes.length === 2 &&
      sizes.every((n) => n === perKey) &&
      (seq.get('a') ?? []).filter((n) => n === 10).length >= 2,
    10_000,
    'ordered deliveries',
  );
  await sleep(300);
  out.ordered = {
    a: inOrder(seq.get('a') ?? [], [10], perKey),
    b: inOrder(seq.get('b') ?? [], [], perKey),
    aRedeliveredTen: (seq.get('a') ?? []).filter((n) => n === 10).length >= 2,
  };
  await ordered.stop();
  await orderedTopic.flush();

  // Push: a 500 is redelivered, a 2xx acks.
  const target = await pushTarget((_body, i) => (i === 0 ? 500 : 204));
  await topic.createSubscription('cmp-push', { pushConfig: { pushEndpoint: target.url } });
  const id = await topic.publishMessage({ data: Buffer.from('pushed'), attributes: { via: 'push' } });
  await until(
    () => target.received.length,
    (n) => n >= 2,
    10_000,
    'push redelivery',
  );
  await sleep(1500);
  out.push = {
    statuses: target.received.map((r) => r.status),
    data: target.received.map(pushedData),
    messageIds: target.received.map((r) => (r.body.message as { messageId: string }).messageId === id),
    attributes: (target.received[0].body.message as { attributes: unknown }).attributes,
    subscription: target.received[0].body.subscription,
    contentType: target.received[0].headers['content-type'],
  };
  await target.close();
  await pubsub.close();
  return out;
}

// Decided when the test is registered, so a machine without Google's emulator reports a skip, not a pass.
const missing = !existsSync(GOOGLE_EMULATOR)
  ? `${GOOGLE_EMULATOR} is not installed`
  : !onPath('java')
    ? 'java is not on PATH'
    : undefined;

(missing ? test.skip : test)(
  `our emulator behaves like Google’s for publish, pull, ordering and push${missing ? ` (skipped: ${missing})` : ''}`,
  async (t) => {
    const google = await startGoogleEmulator();
    const ours = await startPubsubEmulator({ port: 0 });
    try {
      const [theirs, mine] = await Promise.all([scenarios(google.endpoint), scenarios(ours.endpoint)]);
      t.log('google:', JSON.stringify(theirs));
      t.deepEqual(mine, theirs);
      t.deepEqual(mine.errors, [6, 5, 5, 5]);
      t.like(mine.push, { statuses: [500, 204], data: ['pushed', 'pushed'] });
    } finally {
      google.stop();
      await ours.close();
    }
  },
);
