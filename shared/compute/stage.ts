// The Compute stage between translate and the route writes (docs/architecture.md, docs/backends.md):
// read what the translation's backend services need, plan, write health checks and backend services
// before any route names them, and report back which backend services cannot be used, so translate
// can be run once more with them unresolved (route status says why; their traffic share gets the
// error answer like any unresolved backend). Deletes run only after the routes (afterRoutes).
import type { Service } from '../gamma/types.ts';
import { hasBackendServiceOverride } from '../translate/names.ts';
import { idOf } from '../plan/index.ts';
import type { BackendMapping } from '../translate/types.ts';
import type { ComputeItemResult } from './apply.ts';
import { applyComputePhases } from './apply.ts';
import type { FindService } from './desired.ts';
import { desiredCompute, serviceFinder } from './desired.ts';
import type { ComputePlan, ComputeStep } from './plan.ts';
import { computePhases, planCompute, relativeUrl } from './plan.ts';
import type { ActualCompute, ComputeApi, ComputeBackendService, DesiredCompute } from './types.ts';
import { BACKEND_SERVICE_ANNOTATION_PREFIX } from '../translate/names.ts';

export interface ComputeStageOptions {
  project: string;
  clusterId: string;
  maxDeleteFraction?: number;
  maxDeleteAbsolute?: number;
  forceDelete?: boolean;
}

export interface ComputeStageResult {
  desired: DesiredCompute;
  plan: ComputePlan;
  /** Network Services backend service names (projects/P/locations/L/backendServices/ID) -> why unusable. */
  unavailable: Record<string, string>;
  /** The mappings the stage served. */
  mappings: BackendMapping[];
  results: ComputeItemResult[];
  /** Deletes to run once the routes no longer name them (reconcile only). */
  afterRoutes: ComputeStep[][];
}

/** Gamma-csm's own resources, for list filters. */
export const OWNED_NAME_FILTER = "name eq 'gamma-.*'";

/** Backend services named by override annotations in this project, by their NS name. */
function overrideTargets(find: FindService, mappings: BackendMapping[], project: string): BackendMapping[] {
  return mappings.filter((m) => {
    const service = find(m.namespace, m.service);
    return (
      service !== undefined &&
      hasBackendServiceOverride(service, m.port) &&
      m.serviceName.startsWith(`projects/${project}/`)
    );
  });
}

/** Why each mapping's backend service cannot be used, from the plan's refusals and what is missing. */
function unusable(
  mappings: BackendMapping[],
  overrides: BackendMapping[],
  present: Set<string>,
  plan: ComputePlan,
  desired: DesiredCompute,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of overrides)
    if (!present.has(idOf(m.serviceName)))
      out[m.serviceName] =
        `backend service ${idOf(m.serviceName)}, named by annotation ${BACKEND_SERVICE_ANNOTATION_PREFIX}${m.port} on Service ${m.namespace}/${m.service}, does not exist; create it or remove the annotation`;
  const refusedChecks = new Map(
    plan.refused.filter((r) => r.kind === 'healthChecks').map((r) => [r.id, r.reason] as const),
  );
  const byId = new Map(mappings.map((m) => [idOf(m.serviceName), m.serviceName] as const));
  for (const r of plan.refused)
    if (r.kind === 'backendServices' && byId.has(r.id)) out[byId.get(r.id) as string] = r.reason;
  for (const bs of desired.backendServices) {
    const check = (bs.healthChecks ?? []).map((u) => idOf(relativeUrl(u))).find((c) => refusedChecks.has(c));
    const name = byId.get(bs.name ?? '');
    if (check && name) out[name] = `its health check: ${refusedChecks.get(check)}`;
  }
  return out;
}

/** Failed writes: permanent ones make the backend service unusable; transient ones are returned. */
function failures(
  results: ComputeItemResult[],
  mappings: BackendMapping[],
  desired: DesiredCompute,
  unavailable: Record<string, string>,
): string[] {
  const transient: string[] = [];
  const byId = new Map(mappings.map((m) => [idOf(m.serviceName), m.serviceName] as const));
  const usesCheck = (bs: ComputeBackendService, check: string) =>
    (bs.healthChecks ?? []).some((u) => idOf(u) === check);
  for (const r of results) {
    if (r.status === 'done') continue;
    const text = `${r.action} ${r.kind}/${r.id}: ${r.error ?? 'failed'}`;
    if (r.failure !== 'permanent') {
      transient.push(text);
      continue;
    }
    const affected =
      r.kind === 'backendServices'
        ? [r.id]
        : desired.backendServices.filter((bs) => usesCheck(bs, r.id)).map((bs) => bs.name ?? '');
    for (const id of affected)
      if (byId.has(id)) unavailable[byId.get(id) as string] = `Compute refused ${text}`;
  }
  return transient;
}

/** Thrown when a write may succeed later: the caller fails the event so it is delivered again. */
export class ComputeTransientError extends Error {
  override readonly name = 'ComputeTransientError';
}

/** The plan and what it makes unusable; pure (the reads happened before). */
export function planBackends(
  find: FindService,
  mappings: BackendMapping[],
  actual: ActualCompute,
  options: ComputeStageOptions & { deletes: boolean },
  desired: DesiredCompute = desiredCompute(find, mappings, options),
): ComputeStageResult {
  const plan = planCompute(desired, actual, options);
  if (plan.errors.length) throw new ComputeTransientError(plan.errors.join('; '));
  const present = new Set(actual.backendServices.map((b) => b.name ?? ''));
  const overrides = overrideTargets(find, mappings, options.project);
  const unavailable = unusable(mappings, overrides, present, plan, desired);
  const { afterRoutes } = computePhases(plan);
  return { desired, plan, unavailable, mappings, results: [], afterRoutes };
}

/**
 * Writes the health checks and backend services (before any route names them). A permanent
 * failure makes the backend service unusable (added to `unavailable`); transient ones throw.
 */
export async function applyBackends(
  api: ComputeApi,
  planned: ComputeStageResult,
  clusterId: string,
): Promise<ComputeStageResult> {
  const results = await applyComputePhases(api, computePhases(planned.plan).beforeRoutes, { clusterId });
  const unavailable = { ...planned.unavailable };
  const transient = failures(results, planned.mappings, planned.desired, unavailable);
  if (transient.length) throw new ComputeTransientError(`writing Compute: ${transient.join('; ')}`);
  return { ...planned, unavailable, results };
}

/**
 * Sync (one parent): reads by name exactly what the mappings need (their backend services, health
 * checks and override targets), creates or patches what differs, deletes nothing: one parent cannot
 * know whether another parent still sends to a backend service.
 */
export async function ensureBackends(
  api: ComputeApi,
  services: Service[],
  mappings: BackendMapping[],
  options: ComputeStageOptions,
): Promise<ComputeStageResult> {
  const find = serviceFinder(services);
  const desired = desiredCompute(find, mappings, options);
  const overrides = overrideTargets(find, mappings, options.project);
  const bsNames = [
    ...desired.backendServices.map((b) => b.name ?? ''),
    ...overrides.map((m) => idOf(m.serviceName)),
  ];
  const hcNames = desired.healthChecks.map((h) => h.name ?? '');
  const [backendServices, healthChecks] = await Promise.all([
    Promise.all([...new Set(bsNames)].map((n) => api.get('backendServices', n))),
    Promise.all(hcNames.map((n) => api.get('healthChecks', n))),
  ]).catch((e: unknown) => {
    throw new ComputeTransientError(`reading Compute: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  });
  const actual: ActualCompute = {
    backendServices: backendServices.filter((b): b is ComputeBackendService => b !== null),
    healthChecks: healthChecks.filter((h) => h !== null),
    complete: true,
  };
  const planned = planBackends(find, mappings, actual, { ...options, deletes: false }, desired);
  return applyBackends(api, planned, options.clusterId);
}

/** Every backend service and gamma- health check of the project (reconcile's whole picture). */
export async function readComputeState(api: ComputeApi): Promise<{ state: ActualCompute; error?: string }> {
  try {
    const [backendServices, healthChecks] = await Promise.all([
      api.list('backendServices'),
      api.list('healthChecks', OWNED_NAME_FILTER),
    ]);
    return { state: { backendServices, healthChecks, complete: true } };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { state: { backendServices: [], healthChecks: [], complete: false }, error };
  }
}

export async function runAfterRoutes(
  api: ComputeApi,
  result: ComputeStageResult,
  clusterId: string,
): Promise<ComputeItemResult[]> {
  return applyComputePhases(api, result.afterRoutes, { clusterId });
}
