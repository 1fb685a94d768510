// The Compute planner: pure (desired, actual) -> ComputePlan, like shared/plan for Network Services.
// Compute resources carry no labels, so ownership is the description (ownership.ts); nothing that is
// not provably this cluster's is ever updated or deleted. Only the fields gamma-csm sets are compared
// (the API adds defaults, ids, fingerprints and timestamps of its own).
import { DEFAULT_MAX_DELETE_ABSOLUTE, DEFAULT_MAX_DELETE_FRACTION, type FieldDiff } from '../plan/types.ts';
import { computeOwnership, computeRefusal } from './ownership.ts';
import type {
  ActualCompute,
  ComputeBackendService,
  ComputeBody,
  ComputeKind,
  DesiredCompute,
} from './types.ts';
import { COMPUTE_ROOT } from './types.ts';

export interface ComputePlanItem {
  kind: ComputeKind;
  id: string;
  /** Create/update: the body to send (updates carry the live fingerprint). Delete: as listed. */
  body: ComputeBody;
}

export interface ComputePlanUpdate extends ComputePlanItem {
  diff: FieldDiff[];
}

export interface ComputeRefusal {
  kind: ComputeKind;
  id: string;
  reason: string;
}

export interface ComputePlan {
  creates: ComputePlanItem[];
  updates: ComputePlanUpdate[];
  deletes: ComputePlanItem[];
  refused: ComputeRefusal[];
  unchanged: number;
  errors: string[];
}

export interface ComputePlanOptions {
  clusterId: string;
  /** Plan deletes of owned resources nothing desired names (reconcile: the whole picture is known). */
  deletes: boolean;
  maxDeleteFraction?: number;
  maxDeleteAbsolute?: number;
  forceDelete?: boolean;
}

export const MANAGED_FIELDS: Record<ComputeKind, readonly string[]> = {
  healthChecks: [
    'description',
    'type',
    'tcpHealthCheck',
    'httpHealthCheck',
    'http2HealthCheck',
    'grpcHealthCheck',
  ],
  backendServices: ['description', 'loadBalancingScheme', 'protocol', 'healthChecks', 'backends'],
};

export function emptyComputePlan(errors: string[] = []): ComputePlan {
  return { creates: [], updates: [], deletes: [], refused: [], unchanged: 0, errors };
}

export function isEmptyComputePlan(p: ComputePlan): boolean {
  return p.creates.length + p.updates.length + p.deletes.length === 0;
}

/** `projects/P/...` for a full or relative Compute URL (the API answers full ones). */
export function relativeUrl(url: string): string {
  const at = url.indexOf('/projects/');
  if (url.startsWith(COMPUTE_ROOT)) return url.slice(COMPUTE_ROOT.length);
  return at >= 0 && /^https?:\/\//.test(url) ? url.slice(at + 1) : url;
}

function probeFields(probe: unknown): unknown {
  if (probe === null || typeof probe !== 'object') return undefined;
  const p = probe as Record<string, unknown>;
  const out: Record<string, unknown> = { portSpecification: p.portSpecification ?? undefined };
  if (p.requestPath !== undefined && p.requestPath !== null) out.requestPath = p.requestPath;
  if (p.grpcServiceName !== undefined && p.grpcServiceName !== null && p.grpcServiceName !== '')
    out.grpcServiceName = p.grpcServiceName;
  return out;
}

function backendFields(backends: ComputeBackendService['backends']): unknown {
  return (backends ?? [])
    .map((b) => ({
      group: relativeUrl(b.group ?? ''),
      balancingMode: b.balancingMode ?? undefined,
      maxRatePerEndpoint: b.maxRatePerEndpoint ?? undefined,
      // 0 is how a listing may spell "unset" for the mode not in use.
      maxConnectionsPerEndpoint: b.maxConnectionsPerEndpoint || undefined,
    }))
    .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/** The managed fields of a body in comparable form (undefined = absent). */
export function normalizeCompute(kind: ComputeKind, body: ComputeBody): Record<string, unknown> {
  const b = body as Record<string, unknown>;
  if (kind === 'healthChecks')
    return {
      description: b.description ?? undefined,
      type: b.type ?? undefined,
      tcpHealthCheck: probeFields(b.tcpHealthCheck),
      httpHealthCheck: probeFields(b.httpHealthCheck),
      http2HealthCheck: probeFields(b.http2HealthCheck),
      grpcHealthCheck: probeFields(b.grpcHealthCheck),
    };
  const bs = body as ComputeBackendService;
  return {
    description: bs.description ?? undefined,
    loadBalancingScheme: bs.loadBalancingScheme ?? undefined,
    protocol: bs.protocol ?? undefined,
    healthChecks: (bs.healthChecks ?? []).map(relativeUrl),
    backends: backendFields(bs.backends),
  };
}

export function diffCompute(kind: ComputeKind, desired: ComputeBody, actual: ComputeBody): FieldDiff[] {
  const want = normalizeCompute(kind, desired);
  const have = normalizeCompute(kind, actual);
  const diffs: FieldDiff[] = [];
  for (const field of MANAGED_FIELDS[kind])
    if (JSON.stringify(want[field]) !== JSON.stringify(have[field]))
      diffs.push({ field, before: have[field], after: want[field] });
  return diffs;
}

function planKind(
  plan: ComputePlan,
  kind: ComputeKind,
  desired: ComputeBody[],
  actual: ComputeBody[],
  clusterId: string,
): void {
  const byName = new Map(actual.map((a) => [a.name ?? '', a] as const));
  for (const body of desired) {
    const id = body.name ?? '';
    const live = byName.get(id);
    if (!live) {
      plan.creates.push({ kind, id, body });
      continue;
    }
    const owner = computeOwnership(live, clusterId);
    if (owner !== 'ours') {
      plan.refused.push({ kind, id, reason: computeRefusal(owner, kind, live) });
      continue;
    }
    const diff = diffCompute(kind, body, live);
    if (diff.length === 0) plan.unchanged++;
    else plan.updates.push({ kind, id, body: withFingerprint(body, live), diff });
  }
}

/** Backend services are updated under optimistic locking: the live fingerprint goes with the patch. */
function withFingerprint(body: ComputeBody, live: ComputeBody): ComputeBody {
  const fingerprint = (live as ComputeBackendService).fingerprint;
  return fingerprint ? { ...body, fingerprint } : body;
}

/** Owned resources nothing desired names; a health check only once no remaining backend service uses it. */
function plannedDeletes(
  desired: DesiredCompute,
  actual: ActualCompute,
  clusterId: string,
): { deletes: ComputePlanItem[]; owned: number } {
  const wanted = new Set([...desired.backendServices, ...desired.healthChecks].map((b) => b.name));
  const ours = (b: ComputeBody) => computeOwnership(b, clusterId) === 'ours';
  const deletes: ComputePlanItem[] = [];
  let owned = 0;
  const remaining: ComputeBackendService[] = [...desired.backendServices];
  for (const bs of actual.backendServices) {
    if (!ours(bs)) {
      remaining.push(bs);
      continue;
    }
    owned++;
    if (!wanted.has(bs.name)) deletes.push({ kind: 'backendServices', id: bs.name ?? '', body: bs });
  }
  const inUse = new Set(remaining.flatMap((bs) => (bs.healthChecks ?? []).map(relativeUrl)));
  for (const hc of actual.healthChecks) {
    if (!ours(hc)) continue;
    owned++;
    if (wanted.has(hc.name)) continue;
    const used = [...inUse].some((url) => url.endsWith(`/healthChecks/${hc.name}`));
    if (!used) deletes.push({ kind: 'healthChecks', id: hc.name ?? '', body: hc });
  }
  return { deletes, owned };
}

export function planCompute(
  desired: DesiredCompute,
  actual: ActualCompute,
  options: ComputePlanOptions,
): ComputePlan {
  if (!actual.complete)
    return emptyComputePlan(['the Compute state is incomplete (a read failed); nothing planned']);
  const plan = emptyComputePlan();
  planKind(plan, 'healthChecks', desired.healthChecks, actual.healthChecks, options.clusterId);
  planKind(plan, 'backendServices', desired.backendServices, actual.backendServices, options.clusterId);
  if (!options.deletes) return plan;
  const { deletes, owned } = plannedDeletes(desired, actual, options.clusterId);
  const fraction = options.maxDeleteFraction ?? DEFAULT_MAX_DELETE_FRACTION;
  const absolute = options.maxDeleteAbsolute ?? DEFAULT_MAX_DELETE_ABSOLUTE;
  if (!options.forceDelete && deletes.length > fraction * owned && deletes.length > absolute) {
    const reason =
      `REFUSED: would delete ${deletes.length} of ${owned} owned Compute resources, more than the ` +
      `allowed share and number; pass --force-delete (functions: GAMMA_FORCE_DELETE=true) if this is intended`;
    plan.refused.push(...deletes.map((d) => ({ kind: d.kind, id: d.id, reason })));
  } else plan.deletes.push(...deletes);
  return plan;
}

export type ComputeAction = 'create' | 'update' | 'delete';
export interface ComputeStep {
  action: ComputeAction;
  item: ComputePlanItem;
}

/**
 * Phases around the route writes: health checks, then backend services, before routes (a route
 * must never name a backend service that does not exist yet, nor a backend service a missing check);
 * after routes, backend services nothing routes to any more, then the health checks they used.
 */
export function computePhases(p: ComputePlan): {
  beforeRoutes: ComputeStep[][];
  afterRoutes: ComputeStep[][];
} {
  const steps = (kind: ComputeKind) => [
    ...p.creates.filter((i) => i.kind === kind).map((item) => ({ action: 'create' as const, item })),
    ...p.updates.filter((i) => i.kind === kind).map((item) => ({ action: 'update' as const, item })),
  ];
  const deletes = (kind: ComputeKind) =>
    p.deletes.filter((i) => i.kind === kind).map((item) => ({ action: 'delete' as const, item }));
  const nonEmpty = (phases: ComputeStep[][]) => phases.filter((ph) => ph.length > 0);
  return {
    beforeRoutes: nonEmpty([steps('healthChecks'), steps('backendServices')]),
    afterRoutes: nonEmpty([deletes('backendServices'), deletes('healthChecks')]),
  };
}
