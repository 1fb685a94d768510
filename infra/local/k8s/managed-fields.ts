// Who owns which status.parents entries (managedFields), as the API server records it for server-side
// apply: read from an object, and recomputed after a write (infra/local/k8s/store.ts).
import type { KubeObj, ManagedField } from './resources.ts';
import type { ParentOwners } from './patch.ts';
import { deepEqual, updateOwnersAfterWrite } from './patch.ts';

/** Each manager's status.parents keys, from the object's managedFields. */
export function parentOwners(obj: KubeObj): ParentOwners {
  const owners: ParentOwners = new Map();
  for (const mf of obj.metadata.managedFields ?? []) {
    const parents = ((mf.fieldsV1?.['f:status'] as Record<string, unknown> | undefined)?.['f:parents'] ??
      {}) as Record<string, unknown>;
    const keys = Object.keys(parents).filter((k) => k.startsWith('k:'));
    if (keys.length) owners.set(mf.manager, new Set([...(owners.get(mf.manager) ?? []), ...keys]));
  }
  return owners;
}

/**
 * The managedFields after a write by `manager`: its status entries follow what it wrote (or, for an
 * apply, `owners` as computed there), other managers keep theirs, and a spec writer is listed.
 */
export function managedFieldsAfterWrite(
  current: KubeObj,
  next: KubeObj,
  subresource: string | undefined,
  manager: string,
  owners?: ParentOwners,
): ManagedField[] {
  const parentsOf = (o: KubeObj) => ((o.status?.parents as unknown[]) ?? []).slice();
  const resolved =
    owners ?? updateOwnersAfterWrite(parentsOf(current), parentsOf(next), parentOwners(current), manager);
  const operation = owners ? 'Apply' : 'Update';
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const kept = (current.metadata.managedFields ?? []).filter((mf) => mf.subresource !== 'status');
  const statusEntries: ManagedField[] = [...resolved].map(([m, keys]) => {
    const old = (current.metadata.managedFields ?? []).find(
      (mf) => mf.manager === m && mf.subresource === 'status',
    );
    const fieldsV1 = {
      'f:status': { 'f:parents': Object.fromEntries([...keys].sort().map((k) => [k, {}])) },
    };
    const same = old && deepEqual(old.fieldsV1, fieldsV1);
    return {
      manager: m,
      operation: m === manager ? operation : (old?.operation ?? 'Update'),
      apiVersion: current.apiVersion,
      time: same && m !== manager ? old.time : same ? old.time : now,
      subresource: 'status',
      fieldsType: 'FieldsV1',
      fieldsV1,
    };
  });
  if (!kept.some((mf) => mf.manager === manager) && subresource !== 'status') {
    kept.push({
      manager,
      operation: 'Update',
      apiVersion: current.apiVersion,
      time: now,
      fieldsType: 'FieldsV1',
      fieldsV1: {},
    });
  }
  return [...kept, ...statusEntries];
}
