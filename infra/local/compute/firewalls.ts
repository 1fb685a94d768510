// Global firewall rules, just enough for `gamma-csm doctor` (docs/cli.md): list (empty by default)
// and insert, whose operation is DONE at once. Rules are not persisted with --state and are never
// enforced: the emulator runs no health-check probes for a rule to admit.
import { type ApiResult, alreadyExists, invalid } from './errors.ts';
import { type ComputeState, newId, type Obj, selfLinkOf, timestamp } from './store.ts';

const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function firewallsApi(
  state: ComputeState,
  method: string,
  project: string,
  body: Obj,
): ApiResult | undefined {
  const prefix = `projects/${project}/global/firewalls/`;
  if (method === 'GET') {
    const items = [...state.firewalls.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, b]) => structuredClone(b))
      .sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));
    return {
      status: 200,
      body: { kind: 'compute#firewallList', id: `projects/${project}/global/firewalls`, items },
    };
  }
  if (method !== 'POST') return undefined;
  const name = String(body.name ?? '');
  if (!NAME.test(name)) return invalid([`Invalid value for field 'resource.name': '${name}'.`]);
  const key = `${prefix}${name}`;
  if (state.firewalls.has(key)) return alreadyExists(key);
  const stored = {
    kind: 'compute#firewall',
    id: newId(),
    creationTimestamp: timestamp(),
    ...body,
    selfLink: selfLinkOf(key),
  };
  state.firewalls.set(key, stored);
  const opName = `operation-${newId()}`;
  const now = timestamp();
  const op: Obj = {
    kind: 'compute#operation',
    id: newId(),
    name: opName,
    operationType: 'insert',
    targetLink: selfLinkOf(key),
    targetId: stored.id,
    status: 'DONE',
    progress: 100,
    insertTime: now,
    startTime: now,
    endTime: now,
    selfLink: selfLinkOf(`projects/${project}/global/operations/${opName}`),
  };
  state.operations.set(`projects/${project}/global/operations/${opName}`, {
    op,
    pendingPolls: 0,
    readyAt: 0,
  });
  return { status: 200, body: structuredClone(op) };
}
