// A recording HTTP proxy in front of an emulator: the CLI talks to it over loopback, and the test
// reads back exactly what went on the wire (method, path and query such as updateMask).
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
}

export async function startRecordingProxy(target: string) {
  const recorded: RecordedRequest[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    recorded.push({ method: req.method ?? 'GET', url: req.url ?? '/' });
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    recorded,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
