// Executes Compute plan phases (plan.ts computePhases) through the client: items of one phase run
// together, one failure never stops the others, and the races a live project has are settled here:
// a create that meets 409 (another instance, or a retried request, created it) and an update that meets
// 412 (someone wrote in between; the fingerprint moved) re-read the resource, check it is still ours,
// and write again from the fresh copy.
import { pool } from '../netsvc/apply.ts';
import { ApiError, failureOf } from '../netsvc/errors.ts';
import type { ComputeAction, ComputeStep } from './plan.ts';
import { diffCompute } from './plan.ts';
import { computeOwnership, computeRefusal } from './ownership.ts';
import type { ComputeApi, ComputeBackendService, ComputeBody, ComputeKind } from './types.ts';

export interface ComputeItemResult {
  kind: ComputeKind;
  id: string;
  action: ComputeAction;
  status: 'done' | 'failed';
  error?: string;
  failure?: 'permanent' | 'transient';
}

export interface ComputeApplyOptions {
  clusterId: string;
  /** Items in flight at once. Default 16. */
  concurrency?: number;
  /** Re-reads after 409/412 before giving up on an item. Default 3. */
  maxRaces?: number;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isStatus(e: unknown, status: number): boolean {
  return e instanceof ApiError && e.httpStatus === status;
}

class NotOurs extends Error {}

/** Writes `desired` over whatever exists now: create, patch with the live fingerprint, or nothing. */
async function settle(api: ComputeApi, kind: ComputeKind, desired: ComputeBody, clusterId: string) {
  const live = await api.get(kind, desired.name ?? '');
  if (!live) return api.insert(kind, desired);
  const owner = computeOwnership(live, clusterId);
  if (owner !== 'ours') throw new NotOurs(computeRefusal(owner, kind, live));
  if (diffCompute(kind, desired, live).length === 0) return;
  const fingerprint = (live as ComputeBackendService).fingerprint;
  return api.patch(kind, desired.name ?? '', fingerprint ? { ...desired, fingerprint } : desired);
}

async function execute(api: ComputeApi, step: ComputeStep, options: ComputeApplyOptions): Promise<void> {
  const { kind, id, body } = step.item;
  if (step.action === 'delete') return api.delete(kind, id);
  const races = options.maxRaces ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      if (attempt === 0 && step.action === 'create') return await api.insert(kind, body);
      if (attempt === 0) return await api.patch(kind, id, body);
      return await settle(api, kind, body, options.clusterId);
    } catch (e) {
      const race = isStatus(e, 409) || isStatus(e, 412);
      if (!race || attempt >= races) throw e;
    }
  }
}

/**
 * Runs the phases in order. A phase after a failed one still runs (its items do not depend on the
 * failed item unless they name it; a backend service whose health check failed fails on its own).
 */
export async function applyComputePhases(
  api: ComputeApi,
  phases: ComputeStep[][],
  options: ComputeApplyOptions,
): Promise<ComputeItemResult[]> {
  const results: ComputeItemResult[] = [];
  for (const phase of phases)
    await pool(phase, options.concurrency ?? 16, async (step) => {
      const base = { kind: step.item.kind, id: step.item.id, action: step.action };
      try {
        await execute(api, step, options);
        results.push({ ...base, status: 'done' });
      } catch (e) {
        const failure = e instanceof NotOurs ? 'permanent' : failureOf(e);
        results.push({ ...base, status: 'failed', error: errorText(e), failure });
      }
    });
  return results;
}
