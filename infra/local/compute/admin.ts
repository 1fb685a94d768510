// The emulator's own surface, /_emulator/*: stats, request log, state, faults, reset, and the NEGs and
// endpoint health that in production belong to GKE's NEG controller and Google's health checkers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from '../netsvc/faults.ts';
import { computeError } from './errors.ts';
import type { NegSpec } from './negs.ts';
import { readJsonBody, sendJson } from './http.ts';
import { JSON_CONTENT_TYPE } from '../http-body.ts';
import type { ComputeStore, EmulatorStats, RequestLogEntry } from './handle-types.ts';
import { type ComputeState, type HealthState, serializeState } from './store.ts';

export interface AdminContext {
  stats(): EmulatorStats;
  log(): RequestLogEntry[];
  state: ComputeState;
  store: ComputeStore;
  faults(): Faults;
  setFaults(f: Faults): void;
  clearFaults(): void;
  resetStats(): void;
  resetState(): void;
  maxBodyBytes: number;
}

const fail = (res: ServerResponse, code: number, reason: string, message: string) =>
  sendJson(res, code, computeError(code, reason, message).body);

export async function adminRoutes(
  ctx: AdminContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = req.method ?? 'GET';
  const what = url.pathname.slice('/_emulator/'.length);
  const reply = (body: unknown) => sendJson(res, 200, body);
  if (method === 'GET') {
    if (what === 'stats') return reply(ctx.stats());
    if (what === 'requests') return reply({ requests: ctx.log() });
    if (what === 'state') return reply(serializeState(ctx.state));
    if (what === 'faults') return reply(ctx.faults());
    if (what === 'networkEndpointGroups') return reply({ networkEndpointGroups: ctx.store.negs() });
    return fail(res, 404, 'notFound', `no admin endpoint ${method} ${url.pathname}`);
  }
  // Every admin write must say it is JSON, so a web page cannot reset or fault the emulator.
  if (!JSON_CONTENT_TYPE.test(req.headers['content-type'] ?? ''))
    return fail(res, 415, 'unsupportedMediaType', 'admin writes need Content-Type: application/json');
  const parsed = await readJsonBody(req, ctx.maxBodyBytes);
  if ('error' in parsed) return sendJson(res, parsed.error.status, parsed.error.body);
  const body = parsed.body;
  if (what === 'faults' && method === 'DELETE') return (ctx.clearFaults(), reply({}));
  if (what === 'faults' && method === 'POST') {
    try {
      ctx.setFaults(body as Faults);
    } catch (e) {
      return fail(res, 400, 'invalid', (e as Error).message);
    }
    return reply(ctx.faults());
  }
  if (what === 'reset' && method === 'POST') {
    const all = url.searchParams.get('state') === 'true';
    if (all) ctx.resetState();
    else ctx.resetStats();
    return reply({ reset: all ? 'stats+state' : 'stats' });
  }
  if (what === 'networkEndpointGroups') return negAdmin(ctx, method, body, url, res);
  if (what === 'endpointHealth' && method === 'POST') {
    const ok = ctx.store.setEndpointHealth(body as Parameters<ComputeStore['setEndpointHealth']>[0]);
    if (!ok)
      return fail(
        res,
        404,
        'notFound',
        `no endpoint ${JSON.stringify(body)}; give zone, name, ipAddress, port and healthState (HEALTHY, UNHEALTHY, DRAINING, TIMEOUT, UNKNOWN)`,
      );
    return reply({ ok: true, healthState: body.healthState as HealthState });
  }
  return fail(res, 404, 'notFound', `no admin endpoint ${method} ${url.pathname}`);
}

/** POST {project?, zone, name, endpoints?} creates or updates; DELETE ?zone=&name=[&project=] removes. */
function negAdmin(
  ctx: AdminContext,
  method: string,
  body: Record<string, unknown>,
  url: URL,
  res: ServerResponse,
) {
  if (method === 'POST') {
    try {
      return sendJson(res, 200, ctx.store.putNeg(body as unknown as NegSpec));
    } catch (e) {
      return fail(res, 400, 'invalid', (e as Error).message);
    }
  }
  if (method === 'DELETE') {
    const q = url.searchParams;
    const zone = q.get('zone') ?? (body.zone as string | undefined);
    const name = q.get('name') ?? (body.name as string | undefined);
    if (!zone || !name)
      return fail(res, 400, 'invalid', 'DELETE /_emulator/networkEndpointGroups needs zone and name');
    const result = ctx.store.deleteNeg(zone, name, q.get('project') ?? (body.project as string | undefined));
    if (result.deleted) return sendJson(res, 200, result);
    if (result.reason === 'notFound') return fail(res, 404, 'notFound', result.message);
    return fail(res, 400, 'resourceInUseByAnotherResource', result.message);
  }
  return fail(
    res,
    405,
    'httpMethodNotAllowed',
    `${method} /_emulator/networkEndpointGroups is not supported`,
  );
}
