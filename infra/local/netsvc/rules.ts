// The Network Services v1 API as the shared request loop (../google-api.ts) runs it: which path names
// which collection, the body rules, the per-project quota, the error envelope, and which REST method a
// path and verb name. Every kind in KINDS routes alike, so a new kind needs no entry here.
import type { IncomingMessage } from 'node:http';
import { type ApiRules, type EmulatorStats } from '../google-api.ts';
import { readRequestBody } from '../http-body.ts';
import { apiError, type ApiResult, type NetsvcApi } from './api.ts';
import type { QuotaWindows } from './quota.ts';
import { schemaViolations } from './schema.ts';
import type { Obj } from './store.ts';
import { KINDS, type Kind } from './validate.ts';

export interface NetsvcStats extends EmulatorStats {
  /** Requests refused by the per-minute quota or a quota outage (429, not counted in `injected`). */
  quotaRejected: number;
}

/** Request bodies above this get 413: Network Services resources are small (docs/security.md §5). */
export const MAX_BODY_BYTES = 4 << 20;

const API_PATH = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/([A-Za-z]+)(?:\/([^/]+))?$/;
const FAULT_STATUS = { 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' } as const;

export function netsvcRules(
  api: NetsvcApi,
  quota: QuotaWindows,
  persist: () => void,
): ApiRules<NetsvcStats, string> {
  return {
    collectionOf: (pathname) => API_PATH.exec(pathname)?.[3] ?? '',
    readBody: async (req: IncomingMessage, method: string) => {
      const write = method === 'POST' || method === 'PATCH';
      const read = await readRequestBody(req, { maxBytes: MAX_BODY_BYTES, requireType: write });
      return read.ok
        ? { body: read.text }
        : { error: apiError(read.status, 'INVALID_ARGUMENT', read.message) };
    },
    refuse: (url, stats) => {
      const m = API_PATH.exec(url.pathname);
      const admitted = m ? quota.admit(m[1]) : ({ ok: true } as const);
      if (admitted.ok) return undefined;
      stats.quotaRejected++;
      return admitted.result;
    },
    faultError: (httpStatus) => {
      const status = FAULT_STATUS[httpStatus];
      return apiError(httpStatus, status, `injected fault: ${status}`);
    },
    route: (method, url, body) => routeApi(api, method, url, body),
    persist,
  };
}

export function netsvcInternalError(e: unknown) {
  return { error: { code: 500, status: 'INTERNAL', message: String(e) } };
}

function routeApi(api: NetsvcApi, method: string, url: URL, rawBody: string): ApiResult {
  const m = API_PATH.exec(url.pathname);
  if (!m) return apiError(404, 'NOT_FOUND', `no such API path: ${url.pathname}`);
  const [, project, location, coll, id] = m;
  const parent = `projects/${project}/locations/${location}`;
  if (coll === 'operations') {
    if (method === 'GET')
      return id
        ? api.getOperation(`${parent}/operations/${id}`)
        : api.listOperations(parent, url.searchParams);
    return apiError(405, 'UNIMPLEMENTED', `${method} is not supported on operations`);
  }
  if (!(KINDS as readonly string[]).includes(coll))
    return apiError(404, 'NOT_FOUND', `unknown collection "${coll}"`);
  const kind = coll as Kind;
  const parsed = parseJsonBody(method, rawBody);
  if ('error' in parsed) return parsed.error;
  const violations = schemaViolations(kind, method, Boolean(id), url.searchParams, parsed.body);
  if (violations.length) return apiError(400, 'INVALID_ARGUMENT', violations[0].description, violations);
  const name = `${parent}/${kind}/${id}`;
  if (!id) {
    if (method === 'GET') return api.list(kind, parent, url.searchParams);
    if (method === 'POST') return api.create(kind, parent, url.searchParams, parsed.body);
  } else {
    if (method === 'GET') return api.get(kind, name);
    if (method === 'PATCH') return api.patch(kind, name, url.searchParams, parsed.body);
    if (method === 'DELETE') return api.delete(kind, name);
  }
  return apiError(405, 'UNIMPLEMENTED', `${method} ${url.pathname} is not supported`);
}

function parseJsonBody(method: string, raw: string): { body: Obj } | { error: ApiResult } {
  if (method !== 'POST' && method !== 'PATCH') return { body: {} };
  if (raw.trim() === '') return { body: {} };
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { error: apiError(400, 'INVALID_ARGUMENT', 'request body must be a JSON object') };
    }
    return { body: parsed as Obj };
  } catch (e) {
    return { error: apiError(400, 'INVALID_ARGUMENT', `invalid JSON payload: ${(e as Error).message}`) };
  }
}
