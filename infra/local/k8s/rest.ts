// The REST verbs of the Kubernetes API server stand-in on one resource path: list (paged, with
// injected page failures), watch, get, create, replace, the four patch types, delete. One handler a
// verb, chosen from a table for collection paths and one for object paths.
import type http from 'node:http';
import { ApiError, badRequest, conflict, expired, methodNotAllowed, unsupportedMediaType } from './errors.ts';
import { checkFields } from './openapi.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { apiVersionOf, type KubeObj, toTable } from './resources.ts';
import { decodeContinue, parseBody, readBody, type ResourceRef, withVersion } from './routes.ts';
import { parseSelector, SelectorError } from './selectors.ts';
import type { Filter } from './store.ts';
import { startWatch, type WatchContext } from './watch.ts';

export interface ListFault {
  times: number;
  code: number;
  resource?: string;
}

export interface RestContext extends WatchContext {
  /** Injected list failures by 1-based page number. */
  listFaults: Map<number, ListFault>;
}

/** One request on one resource path, with what every verb reads from it. */
interface Call {
  ctx: RestContext;
  ref: ResourceRef;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  q: URLSearchParams;
  wantsTable: boolean;
  contentType: string;
  manager: string;
  /** Answers one object, as a Table when the client asked for one. */
  out(code: number, obj: KubeObj): void;
}

type Verb = (call: Call) => void | Promise<void>;

const COLLECTION_VERBS: Record<string, Verb> = {
  GET: (c) => send(c.res, 200, list(c.ctx, c.ref, c.q, c.wantsTable)),
  POST: async (c) => {
    const body = parseBody(await readBody(c.req, 'POST'), c.contentType) as KubeObj;
    validate(c.ref, c.q, body, c.res);
    if (c.q.get('dryRun')) return c.out(201, body);
    return c.out(201, c.ctx.store.create(c.ref.def, c.ref.namespace, body, c.manager));
  },
};

const OBJECT_VERBS: Record<string, Verb> = {
  GET: (c) => c.out(200, c.ctx.store.get(c.ref.def, c.ref.namespace, c.ref.name as string)),
  PUT: async (c) => {
    const body = parseBody(await readBody(c.req, 'PUT'), c.contentType) as KubeObj;
    validate(c.ref, c.q, body, c.res);
    const { def, namespace, name, subresource } = c.ref;
    return c.out(200, c.ctx.store.update(def, namespace, name as string, body, subresource, c.manager));
  },
  PATCH: async (c) => c.out(200, await patch(c, await readBody(c.req, 'PATCH'))),
  DELETE: (c) => {
    if (c.ref.subresource) throw methodNotAllowed('DELETE');
    return c.out(200, c.ctx.store.delete(c.ref.def, c.ref.namespace, c.ref.name as string));
  },
};

export async function handleResource(
  ctx: RestContext,
  ref: ResourceRef,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  q: URLSearchParams,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'GET' && q.get('watch') === 'true')
    return startWatch(ctx, ref, filterOf(ref, q), q, req, res);
  const verbs = ref.name ? OBJECT_VERBS : COLLECTION_VERBS;
  if (!Object.hasOwn(verbs, method)) throw methodNotAllowed(method);
  const wantsTable = String(req.headers.accept ?? '').includes('as=Table');
  const out = (code: number, obj: KubeObj) => {
    const versioned = withVersion(ref.def, ref.version, obj);
    send(
      res,
      code,
      wantsTable ? toTable(ref.def, [versioned], String(ctx.store.resourceVersion), Date.now()) : versioned,
    );
  };
  await verbs[method]({
    ctx,
    ref,
    req,
    res,
    q,
    wantsTable,
    contentType: String(req.headers['content-type'] ?? 'application/json'),
    manager: q.get('fieldManager') ?? 'unknown',
    out,
  });
}

export function send(res: http.ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json' });
  res.end(text);
}

function filterOf(ref: ResourceRef, q: URLSearchParams): Filter {
  try {
    return {
      def: ref.def,
      namespace: ref.namespace,
      labels: parseSelector(q.get('labelSelector')),
      fields: parseSelector(q.get('fieldSelector')),
    };
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(`unable to parse selector: ${e.message}`);
    throw e;
  }
}

function list(ctx: RestContext, ref: ResourceRef, q: URLSearchParams, wantsTable: boolean): unknown {
  const { store } = ctx;
  const filter = filterOf(ref, q);
  const cont = q.get('continue') ? decodeContinue(q.get('continue') as string) : undefined;
  if (cont && cont.rv < store.compactedRv) {
    throw expired(
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
    );
  }
  const page = cont ? cont.page + 1 : 1;
  injectedListFailure(ctx, ref, page);
  const all = store.list(filter, cont?.after);
  const limit = Number(q.get('limit') ?? 0);
  const items = limit > 0 ? all.slice(0, limit) : all;
  const more = limit > 0 && all.length > limit;
  const rv = String(cont?.rv ?? store.resourceVersion);
  const next = more
    ? Buffer.from(JSON.stringify({ rv: Number(rv), after: items[items.length - 1].key, page })).toString(
        'base64url',
      )
    : undefined;
  const objs = items.map((i) => withVersion(ref.def, ref.version, i.obj));
  if (wantsTable)
    return {
      ...toTable(ref.def, objs, rv, Date.now()),
      metadata: { resourceVersion: rv, ...(next ? { continue: next } : {}) },
    };
  return {
    apiVersion: apiVersionOf(ref.def, ref.version),
    kind: `${ref.def.kind}List`,
    metadata: {
      resourceVersion: rv,
      ...(next ? { continue: next, remainingItemCount: all.length - items.length } : {}),
    },
    items: objs,
  };
}

/** Throws the failure injected for this list page (failListPage), counting it down. */
function injectedListFailure(ctx: RestContext, ref: ResourceRef, page: number): void {
  const fault = ctx.listFaults.get(page);
  if (fault && fault.times > 0 && (!fault.resource || fault.resource === ref.def.plural)) {
    fault.times -= 1;
    throw fault.code === 410
      ? expired('injected: continue expired')
      : new ApiError(fault.code, 'InternalError', `injected failure on list page ${page}`);
  }
}

/** fieldValidation (openapi.ts): Strict refuses unknown fields, Warn answers Warning headers. */
function validate(ref: ResourceRef, q: URLSearchParams, body: unknown, res: http.ServerResponse): void {
  const { error, warnings } = checkFields(ref.def, ref.version, body, q.get('fieldValidation'));
  if (error) throw badRequest(error);
  if (warnings.length)
    res.setHeader(
      'Warning',
      warnings.map((w) => `299 - ${JSON.stringify(w)}`),
    );
}

async function patch(c: Call, raw: Buffer): Promise<KubeObj> {
  const { ref, q, contentType, manager } = c;
  const store = c.ctx.store;
  const name = ref.name as string;
  const body = parseBody(raw, contentType);
  const type = contentType.split(';')[0].trim();
  if (type !== 'application/json-patch+json') validate(ref, q, body, c.res);
  if (type === 'application/apply-patch+yaml') {
    if (!q.get('fieldManager')) throw badRequest('PATCH with server-side apply requires fieldManager');
    const force = q.get('force') === 'true';
    if (ref.subresource === 'status')
      return store.applyStatus(ref.def, ref.namespace, name, body as KubeObj, manager, force);
    // Main-resource apply, simplified: create when missing, else merge the applied fields.
    const existing = store.find(ref.def, ref.namespace, name);
    if (!existing) return store.create(ref.def, ref.namespace, body as KubeObj, manager);
    return store.replace(
      ref.def,
      existing,
      mergePatch(existing, body) as unknown as KubeObj,
      undefined,
      manager,
    );
  }
  const current = store.get(ref.def, ref.namespace, name);
  let next: unknown;
  if (type === 'application/merge-patch+json') next = mergePatch(current, body);
  else if (type === 'application/strategic-merge-patch+json') next = strategicMergePatch(current, body);
  else if (type === 'application/json-patch+json') next = jsonPatch(current, body);
  else throw unsupportedMediaType(contentType);
  const nextObj = next as KubeObj;
  const rv = nextObj.metadata?.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) throw conflict(ref.def, name);
  return store.replace(ref.def, current, nextObj, ref.subresource, manager);
}
