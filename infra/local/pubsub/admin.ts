import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Faults } from './broker.ts';
import { readRequestBody } from '../http-body.ts';

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

/**
 * Admin bodies are a few fields: 64 KiB is plenty. The gRPC API is bounded by the server's
 * receive limit (emulator.ts); only this HTTP endpoint needs the type check, as a web page can send
 * text/plain or untyped bodies to it without a preflight (docs/security.md §5).
 */
export const MAX_ADMIN_BODY_BYTES = 64 << 10;

class BodyRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const read = await readRequestBody(req, { maxBytes: MAX_ADMIN_BODY_BYTES, requireType: true });
  if (!read.ok) throw new BodyRefused(read.status, read.message);
  return JSON.parse(read.text || '{}');
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
      return send(res, err instanceof BodyRefused ? err.status : 400, { error: (err as Error).message });
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
