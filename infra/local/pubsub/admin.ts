import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Faults } from './broker.ts';

export interface AdminApi {
  setFaults(faults: Partial<Faults>): Faults;
  stats(): unknown;
}

/** Parses a faults body, naming the offending field on bad input. */
export function parseFaults(body: unknown): Partial<Faults> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error('faults: expected a JSON object');
  const { duplicateRate, reorder, delayMs, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new Error(`faults: unknown field(s) ${unknown.join(', ')}`);
  const faults: Partial<Faults> = {};
  if (duplicateRate !== undefined) {
    if (typeof duplicateRate !== 'number' || duplicateRate < 0 || duplicateRate > 1) {
      throw new Error('faults.duplicateRate: expected a number from 0 to 1');
    }
    faults.duplicateRate = duplicateRate;
  }
  if (reorder !== undefined) {
    if (typeof reorder !== 'boolean') throw new Error('faults.reorder: expected true or false');
    faults.reorder = reorder;
  }
  if (delayMs !== undefined) {
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
      throw new Error('faults.delayMs: expected a non-negative number');
    }
    faults.delayMs = delayMs;
  }
  return faults;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

/** GET /stats, GET /faults, PUT|POST /faults {duplicateRate?, reorder?, delayMs?}. */
async function route(api: AdminApi, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://admin').pathname;
  if (path === '/stats' && req.method === 'GET') return send(res, 200, api.stats());
  if (path === '/faults' && req.method === 'GET') return send(res, 200, api.setFaults({}));
  if (path === '/faults' && (req.method === 'PUT' || req.method === 'POST')) {
    let faults: Partial<Faults>;
    try {
      faults = parseFaults(await readJson(req));
    } catch (err) {
      return send(res, 400, { error: (err as Error).message });
    }
    return send(res, 200, api.setFaults(faults));
  }
  send(res, 404, { error: `no admin route ${req.method} ${path}; try GET /stats, GET|PUT /faults` });
}

export async function startAdminServer(api: AdminApi, host: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    route(api, req, res).catch((err: unknown) => send(res, 500, { error: String(err) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export const adminUrl = (server: http.Server, host: string): string =>
  `http://${host}:${(server.address() as AddressInfo).port}`;
