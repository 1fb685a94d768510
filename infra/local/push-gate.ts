// A push gate sits between the route-events subscription and the sync function so tests can lose
// deliveries on purpose (acknowledged without reaching the function).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PushBody {
  message?: { data?: string; attributes?: Record<string, string>; messageId?: string; orderingKey?: string };
}

/** Forwards pushes to `target` unless `drop` says to lose them (answered 204: acknowledged, lost). */
export async function startGate(target: string, host: string) {
  let drop: ((b: PushBody) => boolean) | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let parsed: PushBody = {};
      try {
        parsed = JSON.parse(body.toString('utf8')) as PushBody;
      } catch {
        // not JSON: forwarded as is, the function decides
      }
      if (drop?.(parsed)) return void res.writeHead(204).end();
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k.startsWith('ce-') || k === 'content-type'),
      ) as Record<string, string>;
      fetch(target, { method: 'POST', headers, body })
        .then(async (r) => res.writeHead(r.status).end(Buffer.from(await r.arrayBuffer())))
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}/`;
  return { url, setDrop: (d: typeof drop) => (drop = d), close: () => closeServer(server) };
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}
