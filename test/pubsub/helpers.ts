import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PubSub } from '@google-cloud/pubsub';
import type { Message, Subscription } from '@google-cloud/pubsub';

export const PROJECT = 'test-proj';

/** The real client pointed at an emulator endpoint (host:port). */
export const clientFor = (endpoint: string): PubSub =>
  new PubSub({ projectId: PROJECT, apiEndpoint: endpoint, emulatorMode: true });

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until<T>(
  read: () => T,
  ok: (v: T) => boolean,
  timeoutMs = 8000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(20);
  }
}

/** Collects messages from a subscription with the given handler; returns the list and a stop function. */
export function collect(
  sub: Subscription,
  onMessage: (m: Message, seen: Message[]) => void = (m) => m.ack(),
): { seen: Message[]; stop: () => Promise<void> } {
  const seen: Message[] = [];
  sub.on('message', (m: Message) => {
    seen.push(m);
    onMessage(m, seen);
  });
  sub.on('error', () => undefined);
  return { seen, stop: () => sub.close() };
}

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  status: number;
}

/** A local HTTP push endpoint: `reply(body, n)` picks the status for the n-th request. */
export async function pushTarget(
  reply: (body: Record<string, unknown>, index: number) => number = () => 204,
): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const status = reply(body, received.length);
      received.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`;
  return {
    url,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Data of a pushed message, decoded. */
export const pushedData = (r: Received): string =>
  Buffer.from((r.body.message as { data: string }).data, 'base64').toString('utf8');
