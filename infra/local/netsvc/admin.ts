// The Network Services emulator's own surface, /_emulator/*: stats, request log, state, faults, quota
// and reset.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EmulatorCore, sendJson } from '../google-api.ts';
import { type BodyRead, readRequestBody } from '../http-body.ts';
import type { Faults } from './faults.ts';
import { type QuotaOptions, type QuotaWindows, validateQuota } from './quota.ts';
import { MAX_BODY_BYTES, type NetsvcStats } from './rules.ts';
import { type EmulatorState, serializeState } from './store.ts';

export interface AdminContext {
  core: EmulatorCore<NetsvcStats>;
  state: EmulatorState;
  quota: QuotaWindows;
  setFaults(f: Faults): void;
  clearFaults(): void;
  resetStats(): void;
  resetState(): void;
}

type Reply = (status: number, body: unknown) => void;
type BodyRefusal = Extract<BodyRead, { ok: false }>;

export async function netsvcAdmin(ctx: AdminContext, req: IncomingMessage, res: ServerResponse, url: URL) {
  const method = req.method ?? 'GET';
  const reply: Reply = (status, body) => sendJson(res, status, body);
  const refuse = (read: BodyRefusal) => reply(read.status, { error: bodyError(read) });
  const what = url.pathname.slice('/_emulator/'.length);
  if (what === 'stats' && method === 'GET') return reply(200, ctx.core.stats);
  if (what === 'requests' && method === 'GET') return reply(200, { requests: ctx.core.log });
  if (what === 'state' && method === 'GET') return reply(200, serializeState(ctx.state));
  if (what === 'faults' && method === 'GET') return reply(200, ctx.core.faults);
  if (what === 'faults' && method === 'DELETE') return (ctx.clearFaults(), reply(200, {}));
  if (what === 'faults' && method === 'POST') {
    const read = await readRequestBody(req, { maxBytes: MAX_BODY_BYTES, requireType: true });
    if (!read.ok) return refuse(read);
    const text = read.text;
    try {
      ctx.setFaults(text ? (JSON.parse(text) as Faults) : {});
    } catch (e) {
      return reply(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: (e as Error).message } });
    }
    return reply(200, ctx.core.faults);
  }
  if (what === 'quota') return handleQuota(ctx.quota, req, method, reply);
  if (what === 'reset' && method === 'POST') {
    const read = await readRequestBody(req, { maxBytes: MAX_BODY_BYTES, requireType: true });
    if (!read.ok) return refuse(read);
    if (url.searchParams.get('state') === 'true') ctx.resetState();
    else ctx.resetStats();
    return reply(200, { reset: url.searchParams.get('state') === 'true' ? 'stats+state' : 'stats' });
  }
  return reply(404, {
    error: { code: 404, status: 'NOT_FOUND', message: `no admin endpoint ${method} ${url.pathname}` },
  });
}

/** GET shows the settings and this window's counts; POST sets them (and may start an outage); DELETE clears. */
async function handleQuota(quota: QuotaWindows, req: IncomingMessage, method: string, reply: Reply) {
  if (method === 'GET') return reply(200, quota.describe());
  if (method === 'DELETE') return (quota.clear(), reply(200, quota.describe()));
  if (method !== 'POST')
    return reply(405, { error: { code: 405, status: 'UNIMPLEMENTED', message: method } });
  const read = await readRequestBody(req, { maxBytes: MAX_BODY_BYTES, requireType: true });
  if (!read.ok) return reply(read.status, { error: bodyError(read) });
  const text = read.text;
  let q: QuotaOptions & { outageMs?: number };
  try {
    q = text ? (JSON.parse(text) as typeof q) : {};
  } catch (e) {
    const message = `quota body is not JSON: ${(e as Error).message}`;
    return reply(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message } });
  }
  const problem = validateQuota(q);
  if (problem) return reply(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: problem } });
  const { outageMs, ...settings } = q;
  if (Object.keys(settings).length) quota.configure(settings);
  if (outageMs !== undefined) quota.startOutage(outageMs);
  return reply(200, quota.describe());
}

function bodyError(read: BodyRefusal) {
  return { code: read.status, status: 'INVALID_ARGUMENT', message: read.message };
}
