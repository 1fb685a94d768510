// Compute v1 REST semantics for global backend services and health checks over a ComputeState: one
// method per REST method, returning {status, body}. No sockets here; server.ts does HTTP and faults.
import { randomBytes } from 'node:crypto';
import {
  type ApiResult,
  alreadyExists,
  badRequest,
  conditionNotMet,
  inUse,
  invalid,
  notFound,
} from './errors.ts';
import { decodePageToken, matchesFilter, pageOf, pageSize, parseFilter } from './listing.ts';
import { findUsersOfHealthCheck } from './negs.ts';
import {
  type Collection,
  type ComputeState,
  findNeg,
  fingerprintOf,
  newId,
  type Obj,
  resourceKey,
  selfLinkOf,
  type StoredOperation,
  timestamp,
} from './store.ts';
import { backendServiceProblems, healthCheckKey, healthCheckProblems, OUTPUT_ONLY } from './validate.ts';

export interface ApiOptions {
  operationDelay: { polls?: number; ms?: number };
  /** A write shows in GET/list only once its operation is DONE. */
  visibleWhenDone: boolean;
  failOperation: () => boolean;
}

const KIND: Record<Collection, string> = {
  backendServices: 'compute#backendService',
  healthChecks: 'compute#healthCheck',
};
const TYPE: Record<Collection, string> = { backendServices: 'backend_service', healthChecks: 'health_check' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type OpType = 'insert' | 'patch' | 'update' | 'delete';

export class ComputeApi {
  /** `project|requestId` -> operation key: a repeated request answers the first one's operation. */
  private readonly requestIds = new Map<string, string>();
  /** Keys of operations not DONE yet, so settling does not walk every operation ever made. */
  private readonly running = new Set<string>();

  constructor(
    public state: ComputeState,
    private readonly opts: () => ApiOptions,
  ) {
    for (const [key, e] of state.operations) if (e.op.status !== 'DONE') this.running.add(key);
  }

  list(project: string, coll: Collection, query: URLSearchParams): ApiResult {
    const size = pageSize(query.get('maxResults'));
    if (size === undefined)
      return invalid([
        `Invalid value for field 'maxResults': '${query.get('maxResults')}'. Must be from 0 to 500.`,
      ]);
    const clauses = parseFilter(query.get('filter'));
    if (typeof clauses === 'string') return invalid([clauses]);
    const orderBy = query.get('orderBy');
    if (orderBy && orderBy !== 'name')
      return invalid([`Unsupported orderBy '${orderBy}' (the emulator sorts by name).`]);
    const token = query.get('pageToken');
    const after = token ? decodePageToken(token) : undefined;
    if (token && after === undefined) return invalid([`Invalid value for field 'pageToken': '${token}'.`]);
    const prefix = `projects/${project}/global/${coll}/`;
    const all = [...this.state.resources[coll].entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, b]) => b)
      .filter((b) => matchesFilter(b, clauses))
      .sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));
    const { items, nextPageToken } = pageOf(all, size, after);
    const body: Obj = {
      kind: `${KIND[coll]}List`,
      id: `projects/${project}/global/${coll}`,
      selfLink: selfLinkOf(`projects/${project}/global/${coll}`),
    };
    if (items.length) body.items = structuredClone(items);
    if (nextPageToken) body.nextPageToken = nextPageToken;
    return { status: 200, body };
  }

  get(project: string, coll: Collection, name: string): ApiResult {
    const key = resourceKey(project, coll, name);
    const r = this.state.resources[coll].get(key);
    return r ? { status: 200, body: structuredClone(r) } : notFound(key);
  }

  insert(project: string, coll: Collection, query: URLSearchParams, body: Obj): ApiResult {
    return this.once(project, query, () => {
      const key = resourceKey(project, coll, String(body.name ?? ''));
      const next = this.normalize(project, coll, dropEmpty(writable(body)));
      const problems = this.problems(project, coll, next);
      if (problems.length) return invalid(problems);
      if (this.state.resources[coll].has(key) || this.pending(key, 'insert')) return alreadyExists(key);
      const stored = {
        kind: KIND[coll],
        id: newId(),
        creationTimestamp: timestamp(),
        ...next,
        selfLink: selfLinkOf(key),
      };
      return this.mutate(project, coll, key, 'insert', stored);
    });
  }

  /** PATCH merges top-level fields (lists such as `backends` are replaced whole; null clears a field). */
  patch(project: string, coll: Collection, name: string, query: URLSearchParams, body: Obj): ApiResult {
    return this.write(project, coll, name, query, body, 'patch');
  }

  /** PUT replaces the whole resource. */
  update(project: string, coll: Collection, name: string, query: URLSearchParams, body: Obj): ApiResult {
    return this.write(project, coll, name, query, body, 'update');
  }

  delete(project: string, coll: Collection, name: string, query: URLSearchParams): ApiResult {
    return this.once(project, query, () => {
      const key = resourceKey(project, coll, name);
      if (!this.state.resources[coll].has(key)) return notFound(key);
      const users = coll === 'healthChecks' ? findUsersOfHealthCheck(this.state, key) : [];
      if (users.length) return inUse(TYPE[coll], key, users);
      return this.mutate(project, coll, key, 'delete', undefined);
    });
  }

  getOperation(project: string, name: string): ApiResult {
    const key = `projects/${project}/global/operations/${name}`;
    const entry = this.state.operations.get(key);
    if (!entry) return notFound(key);
    const mutated = this.advance(entry);
    return { status: 200, body: structuredClone(entry.op), mutated };
  }

  /** Finishes every operation whose delay has passed (time-delayed writes become visible untouched). */
  settle(): boolean {
    let changed = false;
    for (const key of this.running) {
      const entry = this.state.operations.get(key);
      if (!entry || entry.op.status === 'DONE') this.running.delete(key);
      else if (entry.pendingPolls === 0 && Date.now() >= entry.readyAt) {
        this.finish(entry);
        this.running.delete(key);
        changed = true;
      }
    }
    return changed;
  }

  private write(
    project: string,
    coll: Collection,
    name: string,
    query: URLSearchParams,
    body: Obj,
    type: OpType,
  ) {
    return this.once(project, query, () => {
      const key = resourceKey(project, coll, name);
      const existing = this.state.resources[coll].get(key);
      if (!existing) return notFound(key);
      if (body.name !== undefined && body.name !== name)
        return invalid([
          `Invalid value for field 'resource.name': '${String(body.name)}'. The name of ${key} cannot change.`,
        ]);
      const fp = this.checkFingerprint(coll, key, existing, body);
      if (fp) return fp;
      const merged =
        type === 'patch'
          ? dropEmpty({ ...writable(existing), ...writable(body) })
          : dropEmpty({ ...writable(body), name });
      const next = this.normalize(project, coll, merged);
      const problems = this.problems(project, coll, next);
      if (problems.length) return invalid(problems);
      const kept = { kind: existing.kind, id: existing.id, creationTimestamp: existing.creationTimestamp };
      const stored = { ...kept, ...next, selfLink: existing.selfLink };
      return this.mutate(project, coll, key, type, stored, existing.fingerprint as string | undefined);
    });
  }

  /** Backend services require an up-to-date fingerprint to change (412 conditionNotMet otherwise). */
  private checkFingerprint(coll: Collection, key: string, existing: Obj, body: Obj): ApiResult | undefined {
    if (coll !== 'backendServices') return undefined;
    if (body.fingerprint === undefined || body.fingerprint === null || body.fingerprint === '')
      return conditionNotMet(
        `Required field 'fingerprint' not specified: an up-to-date fingerprint must be provided to update ${key}; read it first.`,
      );
    if (body.fingerprint !== existing.fingerprint)
      return conditionNotMet(
        `Invalid fingerprint: ${key} changed since fingerprint '${String(body.fingerprint)}' was read.`,
      );
    return undefined;
  }

  private problems(project: string, coll: Collection, body: Obj): string[] {
    if (coll === 'healthChecks') return healthCheckProblems(body);
    return backendServiceProblems(body, {
      project,
      healthCheckExists: (key) => this.state.resources.healthChecks.has(key),
      negExists: (p, z, n) => findNeg(this.state, p, z, n) !== undefined,
    });
  }

  /** Health check references become full URLs, as Compute stores them. */
  private normalize(project: string, coll: Collection, body: Obj): Obj {
    if (coll !== 'backendServices' || !Array.isArray(body.healthChecks)) return body;
    const hcs = body.healthChecks.map((ref: unknown) => {
      const key = typeof ref === 'string' ? healthCheckKey(ref, project) : undefined;
      return key ? selfLinkOf(key) : ref;
    });
    return { ...body, healthChecks: hcs };
  }

  /** Runs a mutation once per requestId: a repeat answers the first call's operation, as it now stands. */
  private once(project: string, query: URLSearchParams, run: () => ApiResult): ApiResult {
    const requestId = query.get('requestId');
    if (requestId !== null && (!UUID.test(requestId) || /^[0-]+$/.test(requestId)))
      return badRequest(`Invalid value for field 'requestId': '${requestId}'. Must be a non-zero UUID.`);
    const earlier = requestId
      ? this.state.operations.get(this.requestIds.get(`${project}|${requestId}`) ?? '')
      : undefined;
    if (earlier) return { status: 200, body: structuredClone(earlier.op) };
    const result = run();
    if (requestId && result.status === 200)
      this.requestIds.set(`${project}|${requestId}`, opKey(String((result.body as Obj).selfLink)));
    return result;
  }

  private pending(key: string, type: OpType): boolean {
    for (const k of this.running) {
      const e = this.state.operations.get(k);
      if (e && e.op.status !== 'DONE' && e.apply?.key === key && e.op.operationType === type) return true;
    }
    return false;
  }

  private mutate(
    project: string,
    coll: Collection,
    key: string,
    type: OpType,
    stored: Obj | undefined,
    expectFp?: string,
  ) {
    const opts = this.opts();
    const name = operationName();
    const now = timestamp();
    const op: Obj = {
      kind: 'compute#operation',
      id: newId(),
      name,
      operationType: type,
      targetLink: selfLinkOf(key),
      targetId: stored?.id ?? this.state.resources[coll].get(key)?.id,
      status: 'RUNNING',
      user: 'emulator@gamma-csm.local',
      progress: 0,
      insertTime: now,
      startTime: now,
      selfLink: selfLinkOf(`projects/${project}/global/operations/${name}`),
    };
    const entry: StoredOperation = {
      op,
      pendingPolls: opts.operationDelay.polls ?? 0,
      readyAt: Date.now() + (opts.operationDelay.ms ?? 0),
      apply: {
        collection: coll,
        key,
        body: stored,
        ...(type === 'insert' ? {} : { expectFingerprint: expectFp }),
      },
    };
    if (opts.failOperation())
      entry.failure = {
        code: 'INTERNAL_ERROR',
        message: `Internal error while processing ${type} of ${key} (injected failure).`,
        httpStatus: 500,
      };
    else if (!opts.visibleWhenDone) this.apply(entry);
    const opId = opKey(String(op.selfLink));
    this.state.operations.set(opId, entry);
    if (entry.pendingPolls === 0 && Date.now() >= entry.readyAt) this.finish(entry);
    else this.running.add(opId);
    return { status: 200, body: structuredClone(op), mutated: true };
  }

  /** Counts one poll; finishes the operation once its delay has passed. */
  advance(entry: StoredOperation): boolean {
    if (entry.op.status === 'DONE') return false;
    if (entry.pendingPolls > 0) {
      entry.pendingPolls--;
      return false;
    }
    if (Date.now() < entry.readyAt) return false;
    this.finish(entry);
    return true;
  }

  private finish(entry: StoredOperation): void {
    const failure = entry.failure ?? (entry.apply ? this.apply(entry) : undefined);
    Object.assign(entry.op, { status: 'DONE', progress: 100, endTime: timestamp() });
    if (failure) {
      entry.op.error = { errors: [{ code: failure.code, message: failure.message }] };
      entry.op.httpErrorStatusCode = failure.httpStatus;
      entry.op.httpErrorMessage =
        failure.code === 'CONDITION_NOT_MET' ? 'PRECONDITION FAILED' : 'INTERNAL SERVER ERROR';
    }
  }

  /** Applies a write (once); a write the state no longer allows ends the operation with an error. */
  private apply(entry: StoredOperation): StoredOperation['failure'] {
    const a = entry.apply;
    if (!a) return undefined;
    entry.apply = undefined;
    const map = this.state.resources[a.collection];
    const current = map.get(a.key);
    if (a.expectFingerprint !== undefined && current?.fingerprint !== a.expectFingerprint)
      return {
        code: 'CONDITION_NOT_MET',
        message: `Invalid fingerprint: ${a.key} changed meanwhile.`,
        httpStatus: 412,
      };
    if (!a.body) {
      map.delete(a.key);
      return undefined;
    }
    if (entry.op.operationType === 'insert' && current)
      return {
        code: 'RESOURCE_ALREADY_EXISTS',
        message: `The resource '${a.key}' already exists`,
        httpStatus: 409,
      };
    const body = { ...a.body };
    if (a.collection === 'backendServices') body.fingerprint = fingerprintOf(body);
    map.set(a.key, body);
    return undefined;
  }
}

/** `projects/P/global/operations/N` from an operation's selfLink. */
function opKey(selfLink: string): string {
  return selfLink.slice(selfLink.indexOf('projects/'));
}

/** The body minus output-only fields and the fingerprint (checked separately, never stored as sent). */
function writable(body: Obj): Obj {
  return Object.fromEntries(
    Object.entries(body).filter(([k]) => !OUTPUT_ONLY.includes(k) && k !== 'fingerprint'),
  );
}

/** Compute leaves out unset fields and empty lists; null in a PATCH clears a field. */
function dropEmpty(body: Obj): Obj {
  return Object.fromEntries(
    Object.entries(body).filter(
      ([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0),
    ),
  );
}

/** `operation-<epoch ms>-<13 hex>-<8 hex>-<8 hex>`, the shape Compute operation names have. */
function operationName(): string {
  const hex = randomBytes(15).toString('hex');
  return `operation-${Date.now()}-${hex.slice(0, 13)}-${hex.slice(13, 21)}-${hex.slice(21, 29)}`;
}
