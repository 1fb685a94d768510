// The v1 REST semantics over an EmulatorState: one function per method, returning {status, body}.
// No sockets here; server.ts does the HTTP and the faults.
import { randomBytes } from 'node:crypto';
import {
  applyPatch,
  decodePageToken,
  hostnameConflicts,
  makeClock,
  omitDefaults,
  page,
  parseMask,
  routesReferencingMesh,
  type StoredRoute,
  withoutOutputOnly,
} from './resources.ts';
import type { EmulatorState, Obj, StoredOperation } from './store.ts';
import { PendingVisibility } from './visibility.ts';
import { roundFloat32Fields } from '../../../shared/netsvc/float32.ts';
import {
  idParam,
  KINDS,
  type Kind,
  validateResource,
  validateResourceId,
  type Violation,
} from './validate.ts';

export interface ApiResult {
  status: number;
  body: unknown;
  /** Extra response headers (lower-case names). */
  headers?: Record<string, string>;
  /** True when the call changed stored state (resources or operations). */
  mutated?: boolean;
}

export interface ApiOptions {
  lenient: boolean;
  operationDelay: { polls?: number; ms?: number };
  /** Decides whether this mutation's operation fails (fault injection). */
  failOperation: () => boolean;
  /** Changes read back only once their operation is done (as the API promises no earlier). */
  visibleWhenDone: boolean;
  /** Clock (epoch ms) for operation delays. */
  now: () => number;
}

const TYPE_NAMES: Record<Kind, string> = {
  meshes: 'Mesh',
  httpRoutes: 'HttpRoute',
  grpcRoutes: 'GrpcRoute',
  tcpRoutes: 'TcpRoute',
  tlsRoutes: 'TlsRoute',
};
const TYPE_PREFIX = 'type.googleapis.com/google.cloud.networkservices.v1.';
const ROUTE_KINDS: Kind[] = ['httpRoutes', 'grpcRoutes', 'tcpRoutes', 'tlsRoutes'];
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

export function apiError(
  httpStatus: number,
  status: string,
  message: string,
  violations?: Violation[],
): ApiResult {
  const error: Obj = { code: httpStatus, message, status };
  if (violations?.length) {
    error.details = [
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: violations.map((v) => ({ field: v.field, description: v.description })),
      },
    ];
  }
  return { status: httpStatus, body: { error } };
}

const notFound = (name: string) => apiError(404, 'NOT_FOUND', `Resource '${name}' was not found`);

function invalid(what: string, violations: Violation[], status = 'INVALID_ARGUMENT'): ApiResult {
  const shown = violations
    .slice(0, 5)
    .map((v) => `${v.field}: ${v.description}`)
    .join('; ');
  const more = violations.length > 5 ? ` (and ${violations.length - 5} more)` : '';
  return apiError(400, status, `Invalid ${what}: ${shown}${more}`, violations);
}

export class NetsvcApi {
  private readonly timestamp = makeClock();
  /** `parent:requestId` -> operation name, for idempotent CreateHttpRoute retries (memory only). */
  private readonly requestIds = new Map<string, string>();
  private readonly visibility = new PendingVisibility();
  /** Operations not yet done, for finishing those whose time has come when anything is read. */
  private readonly pending = new Set<StoredOperation>();

  constructor(
    public state: EmulatorState,
    private readonly opts: () => ApiOptions,
  ) {}

  list(kind: Kind, parent: string, query: URLSearchParams): ApiResult {
    const sizeParam = query.get('pageSize');
    const size = sizeParam ? Number(sizeParam) : DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(size) || size < 0)
      return apiError(400, 'INVALID_ARGUMENT', `pageSize must be a non-negative integer, got "${sizeParam}"`);
    const token = query.get('pageToken');
    const after = token ? decodePageToken(token) : undefined;
    if (token && after === undefined)
      return apiError(400, 'INVALID_ARGUMENT', `invalid pageToken "${token}"`);
    this.settleDue();
    const prefix = `${parent}/${kind}/`;
    const names = new Set([...this.state.resources[kind].keys(), ...this.visibility.namesUnder(prefix)]);
    const all = [...names]
      .filter((n) => n.startsWith(prefix))
      .map((n) => this.visibility.view(n, this.state.resources[kind].get(n)))
      .filter((r): r is Obj => r !== undefined)
      .sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : 1)) as Array<Obj & { name: string }>;
    const { items, nextPageToken } = page(all, Math.min(size || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE), after);
    const body: Obj = { [kind]: items.map((r) => this.output(kind, r)) };
    if (nextPageToken) body.nextPageToken = nextPageToken;
    return { status: 200, body };
  }

  get(kind: Kind, name: string): ApiResult {
    this.settleDue();
    const r = this.visibility.view(name, this.state.resources[kind].get(name));
    return r ? { status: 200, body: this.output(kind, r) } : notFound(name);
  }

  create(kind: Kind, parent: string, query: URLSearchParams, body: Obj): ApiResult {
    // CreateHttpRoute takes a requestId (AIP-155): a repeat returns the first call's operation.
    const requestId = kind === 'httpRoutes' ? query.get('requestId') : null;
    const replay = requestId ? this.requestIds.get(`${parent}:${requestId}`) : undefined;
    const earlier = replay ? this.state.operations.get(replay) : undefined;
    if (earlier) return { status: 200, body: structuredClone(earlier.op) };
    const result = this.createNew(kind, parent, query, body);
    if (requestId && result.status === 200) {
      this.requestIds.set(`${parent}:${requestId}`, (result.body as { name: string }).name);
    }
    return result;
  }

  private createNew(kind: Kind, parent: string, query: URLSearchParams, body: Obj): ApiResult {
    const id = query.get(idParam(kind));
    const idProblems = validateResourceId(kind, id);
    if (idProblems.length) return invalid(`${idParam(kind)}`, idProblems);
    const name = `${parent}/${kind}/${id}`;
    if (this.state.resources[kind].has(name))
      return apiError(409, 'ALREADY_EXISTS', `Resource '${name}' already exists`);
    // Float fields are stored as proto `float`: what is read back is the float32 (docs/api-fidelity.md).
    const next = roundFloat32Fields(omitDefaults(kind, withoutOutputOnly(body)) as Obj);
    const problems = this.check(kind, name, next);
    if (problems) return problems;
    const now = this.timestamp();
    const stored = { name, createTime: now, updateTime: now, ...next };
    return this.mutate(kind, name, 'create', stored);
  }

  patch(kind: Kind, name: string, query: URLSearchParams, body: Obj): ApiResult {
    const existing = this.state.resources[kind].get(name);
    if (!existing) return notFound(name);
    const mask = parseMask(kind, query.get('updateMask'));
    if (mask.violations.length) return invalid('updateMask', mask.violations);
    const next = roundFloat32Fields(omitDefaults(kind, applyPatch(existing, body, mask.paths)) as Obj);
    const problems = this.check(kind, name, next);
    if (problems) return problems;
    const stored = { name, createTime: existing.createTime, updateTime: this.timestamp(), ...next };
    return this.mutate(kind, name, 'update', stored);
  }

  delete(kind: Kind, name: string): ApiResult {
    if (!this.state.resources[kind].has(name)) return notFound(name);
    if (kind === 'meshes') {
      const users = routesReferencingMesh(name, this.routes());
      if (users.length) {
        return apiError(
          400,
          'FAILED_PRECONDITION',
          `Mesh '${name}' is still referenced by ${users.length} route(s): ${users.slice(0, 10).join(', ')}; delete or detach them first`,
        );
      }
    }
    return this.mutate(kind, name, 'delete', undefined);
  }

  getOperation(name: string): ApiResult {
    const stored = this.state.operations.get(name);
    if (!stored) return notFound(name);
    const mutated = this.advance(stored);
    return { status: 200, body: stored.op, mutated };
  }

  listOperations(parent: string, query: URLSearchParams): ApiResult {
    const size = Math.min(Number(query.get('pageSize')) || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const token = query.get('pageToken');
    const after = token ? decodePageToken(token) : undefined;
    if (token && after === undefined)
      return apiError(400, 'INVALID_ARGUMENT', `invalid pageToken "${token}"`);
    const all = [...this.state.operations.values()]
      .filter((o) => (o.op.name as string).startsWith(`${parent}/`))
      .map((o) => o.op as Obj & { name: string })
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const { items, nextPageToken } = page(all, size, after);
    return {
      status: 200,
      body: nextPageToken ? { operations: items, nextPageToken } : { operations: items },
    };
  }

  /** After the state was reset: no operation is pending any more, nothing is hidden. */
  forgetPending(): void {
    this.pending.clear();
    this.visibility.clear();
  }

  /** Every stored route, for the cross-resource rules. */
  private *routes(): Iterable<StoredRoute> {
    for (const kind of ROUTE_KINDS)
      for (const [name, body] of this.state.resources[kind]) yield { kind, name, body };
  }

  private check(kind: Kind, name: string, next: Obj): ApiResult | undefined {
    const problems = validateResource(kind, next, { lenient: this.opts().lenient });
    if (problems.length) return invalid(`${TYPE_NAMES[kind]} '${name}'`, problems);
    const conflicts =
      kind === 'httpRoutes' || kind === 'grpcRoutes'
        ? hostnameConflicts({ kind, name, body: next }, this.routes())
        : [];
    if (conflicts.length) return invalid(`${TYPE_NAMES[kind]} '${name}'`, conflicts);
    return undefined;
  }

  /** Applies the change (unless the operation is to fail) and returns the operation envelope. */
  private mutate(
    kind: Kind,
    name: string,
    verb: 'create' | 'update' | 'delete',
    stored: Obj | undefined,
  ): ApiResult {
    const opts = this.opts();
    const fail = opts.failOperation();
    let outcome: StoredOperation['outcome'];
    const immediate = !opts.operationDelay.polls && !opts.operationDelay.ms;
    const hides = !fail && !immediate && opts.visibleWhenDone ? name : undefined;
    if (hides) this.visibility.hide(name, this.state.resources[kind].get(name));
    if (fail) {
      outcome = {
        error: { code: 13, message: `internal error while processing ${verb} of ${name} (injected failure)` },
      };
    } else if (stored) {
      this.state.resources[kind].set(name, stored);
      outcome = {
        response: { '@type': TYPE_PREFIX + TYPE_NAMES[kind], ...(omitDefaults(kind, stored) as Obj) },
      };
    } else {
      this.state.resources[kind].delete(name);
      outcome = { response: { '@type': 'type.googleapis.com/google.protobuf.Empty' } };
    }
    const parent = name.split('/').slice(0, 4).join('/');
    const opName = `${parent}/operations/${operationId()}`;
    const op: Obj = {
      name: opName,
      metadata: {
        '@type': `${TYPE_PREFIX}OperationMetadata`,
        createTime: this.timestamp(),
        target: name,
        verb,
        requestedCancellation: false,
        apiVersion: 'v1',
      },
      done: false,
    };
    const delay = opts.operationDelay;
    const entry: StoredOperation = {
      op,
      pendingPolls: delay.polls ?? 0,
      readyAt: opts.now() + (delay.ms ?? 0),
      outcome,
      ...(hides ? { hides } : {}),
    };
    this.state.operations.set(opName, entry);
    if (immediate) this.finish(entry);
    else this.pending.add(entry);
    return { status: 200, body: structuredClone(op), mutated: true };
  }

  /** Counts one poll; finishes the operation once its delay has passed. */
  private advance(entry: StoredOperation): boolean {
    if (entry.op.done) return false;
    if (entry.pendingPolls > 0) {
      entry.pendingPolls--;
      return false;
    }
    if (this.opts().now() < entry.readyAt) return false;
    this.finish(entry);
    return true;
  }

  /** Finishes the operations whose delay has passed and that wait for no more polls. */
  private settleDue(): void {
    const now = this.opts().now();
    for (const entry of this.pending) if (entry.pendingPolls <= 0 && now >= entry.readyAt) this.finish(entry);
  }

  private finish(entry: StoredOperation): void {
    this.pending.delete(entry);
    if (entry.hides) this.visibility.reveal(entry.hides);
    (entry.op.metadata as Obj).endTime = this.timestamp();
    entry.op.done = true;
    if ('error' in entry.outcome) entry.op.error = entry.outcome.error;
    else entry.op.response = entry.outcome.response;
  }

  /** What GET and list show: defaults omitted, plus the v1alpha1 selfLink production emits (§1.6). */
  private output(kind: Kind, stored: Obj): Obj {
    return {
      ...(omitDefaults(kind, stored) as Obj),
      selfLink: `https://networkservices.googleapis.com/v1alpha1/${stored.name as string}`,
    };
  }
}

/** `operation-<13-digit epoch ms>-<13 hex>-<8 hex>-<8 hex>`, the production shape (§1.3). */
function operationId(): string {
  const hex = randomBytes(15).toString('hex');
  return `operation-${Date.now()}-${hex.slice(0, 13)}-${hex.slice(13, 21)}-${hex.slice(21, 29)}`;
}

export { KINDS };
