// Which REST method a Compute v1 path and verb name, and the bounded `operations/{op}/wait`.
import type { ApiRules, EmulatorStats } from '../google-api.ts';
import type { ComputeApi } from './api.ts';
import { readJsonBody } from './http.ts';
import { type ApiResult, computeError } from './errors.ts';
import { firewallsApi } from './firewalls.ts';
import { getHealth, getNeg, listNegs, listNetworkEndpoints } from './negs.ts';
import { computeSchemaViolations, schemaError } from './schema.ts';
import type { ComputeState, Obj } from './store.ts';

const GLOBAL =
  /^\/compute\/v1\/projects\/([^/]+)\/global\/(backendServices|healthChecks|operations|firewalls)(?:\/([^/]+)(?:\/([A-Za-z]+))?)?$/;
const ZONAL =
  /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/networkEndpointGroups(?:\/([^/]+)(?:\/([A-Za-z]+))?)?$/;

const COLLECTION_OF = /^\/compute\/v1\/projects\/[^/]+\/(?:global|zones\/[^/]+)\/([A-Za-z]+)/;
const FAULT_REASON = { 429: 'rateLimitExceeded', 500: 'backendError', 503: 'backendError' } as const;

/** The Compute v1 API as the shared request loop (../google-api.ts) runs it. */
export function computeRules(
  api: ComputeApi,
  state: ComputeState,
  limits: { waitTimeoutMs: number; maxBodyBytes: number },
  persist: () => void,
): ApiRules<EmulatorStats, Obj> {
  return {
    collectionOf: (pathname) => COLLECTION_OF.exec(pathname)?.[1] ?? '',
    readBody: (req) => readJsonBody(req, limits.maxBodyBytes),
    faultError: (status) => computeError(status, FAULT_REASON[status], `injected fault: ${status}`),
    route: async (method, url, body) => {
      // Operations that came due are stored state too: saved even when this call changes nothing.
      const settled = api.settle();
      const result = await routeApi(api, state, method, url, body, limits.waitTimeoutMs);
      return { ...result, settled };
    },
    persist,
  };
}

const unsupported = (method: string, path: string) =>
  computeError(405, 'httpMethodNotAllowed', `${method} ${path} is not supported by the emulator`);

export async function routeApi(
  api: ComputeApi,
  state: ComputeState,
  method: string,
  url: URL,
  body: Obj,
  waitTimeoutMs: number,
): Promise<ApiResult> {
  const violations = computeSchemaViolations(method, url, body);
  if (violations.length) return schemaError(violations);
  const g = GLOBAL.exec(url.pathname);
  if (g) {
    const [, project, coll, name, action] = g;
    if (coll === 'operations') return operation(api, method, url, project, name, action, waitTimeoutMs);
    if (coll === 'firewalls')
      return (!name && firewallsApi(state, method, project, body)) || unsupported(method, url.pathname);
    return resource(
      api,
      state,
      method,
      url,
      body,
      project,
      coll as 'backendServices' | 'healthChecks',
      name,
      action,
    );
  }
  const z = ZONAL.exec(url.pathname);
  if (z) {
    const [, project, zone, name, action] = z;
    if (!name && method === 'GET') return listNegs(state, project, zone, url.searchParams);
    if (name && !action && method === 'GET') return getNeg(state, project, zone, name);
    if (name && action === 'listNetworkEndpoints' && method === 'POST')
      return listNetworkEndpoints(state, project, zone, name);
    // NEGs are the GKE NEG controller's: the emulator creates them in-process (README), never by API.
    return unsupported(method, url.pathname);
  }
  return computeError(404, 'notFound', `no such API path: ${url.pathname}`);
}

function resource(
  api: ComputeApi,
  state: ComputeState,
  method: string,
  url: URL,
  body: Obj,
  project: string,
  coll: 'backendServices' | 'healthChecks',
  name: string | undefined,
  action: string | undefined,
): ApiResult {
  const q = url.searchParams;
  if (!name) {
    if (method === 'GET') return api.list(project, coll, q);
    if (method === 'POST') return api.insert(project, coll, q, body);
  } else if (action) {
    if (action === 'getHealth' && coll === 'backendServices' && method === 'POST')
      return getHealth(state, project, name, body);
  } else {
    if (method === 'GET') return api.get(project, coll, name);
    if (method === 'PATCH') return api.patch(project, coll, name, q, body);
    if (method === 'PUT') return api.update(project, coll, name, q, body);
    if (method === 'DELETE') return api.delete(project, coll, name, q);
  }
  return unsupported(method, url.pathname);
}

/** get answers at once; wait holds the request until DONE or `waitTimeoutMs` (it may return RUNNING). */
async function operation(
  api: ComputeApi,
  method: string,
  url: URL,
  project: string,
  name: string | undefined,
  action: string | undefined,
  waitTimeoutMs: number,
): Promise<ApiResult> {
  if (name && !action && method === 'GET') return api.getOperation(project, name);
  if (!name || action !== 'wait' || method !== 'POST') return unsupported(method, url.pathname);
  const deadline = Date.now() + waitTimeoutMs;
  let result = api.getOperation(project, name);
  let mutated = Boolean(result.mutated);
  for (;;) {
    const op = result.body as Obj;
    if (result.status !== 200 || op.status === 'DONE' || Date.now() >= deadline) break;
    const entry = api.state.operations.get(`projects/${project}/global/operations/${name}`);
    // Poll-counted delays only move on polls; waiting would not finish them.
    if (!entry || entry.pendingPolls > 0) break;
    await new Promise((r) => setTimeout(r, Math.max(1, Math.min(10, deadline - Date.now()))));
    mutated = api.settle() || mutated;
    result = { ...api.getOperation(project, name) };
  }
  return { ...result, mutated };
}
