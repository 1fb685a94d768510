// Routes grouped by the Service port they attach to: each group becomes one Network Services route.
import type { Service, ServicePort } from '../gamma/types.ts';
import type { ServiceIndex } from './backends.ts';
import { isServiceParent, selectParent } from './parents.ts';
import type { ParentOutcome } from './status.ts';
import type { RouteState } from './routes.ts';
import { NONE, append } from './util.ts';

export interface Group {
  namespace: string;
  service: Service;
  port: ServicePort;
  members: { state: RouteState; parent: ParentOutcome }[];
}

/**
 * The groups by "namespace/service/port", and the same groups by Service port object: the routes of
 * one Service find their group by identity, without building and hashing the key string each time.
 */
export interface Groups {
  byKey: Map<string, Group>;
  byPort: Map<ServicePort, Group>;
}

function groupFor(groups: Groups, service: Service, port: ServicePort): Group {
  const known = groups.byPort.get(port);
  if (known) return known;
  const namespace = service.metadata.namespace ?? 'default';
  const key = `${namespace}/${service.metadata.name}/${port.port}`;
  let group = groups.byKey.get(key);
  if (!group) groups.byKey.set(key, (group = { namespace, service, port, members: [] }));
  groups.byPort.set(port, group);
  return group;
}

export function attachParents(state: RouteState, index: ServiceIndex, groups: Groups): void {
  const refs = state.parentRefs;
  for (let r = 0; r < refs.length; r++) {
    const ref = refs[r];
    if (!isServiceParent(ref)) continue;
    const parent: ParentOutcome = { ref, ports: NONE, conflicted: NONE, routeIds: NONE, notes: NONE };
    state.parents = append(state.parents, parent);
    if (state.invalid) {
      parent.problem = { reason: 'UnsupportedValue', message: state.invalid };
      continue;
    }
    const selection = selectParent(ref, state.namespace, index.find);
    if (!selection.ok) {
      parent.problem = selection.problem;
      continue;
    }
    if (selection.skipped.length) {
      addNote(
        parent,
        `ports ${selection.skipped.map((p) => `${p.port} (${p.name ?? p.appProtocol})`).join(', ')} skipped: not HTTP or gRPC (name or appProtocol); select them explicitly with port or sectionName`,
      );
    }
    const { ports } = selection;
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i];
      if (parent.ports.includes(port.port)) continue;
      parent.ports = append(parent.ports, port.port);
      groupFor(groups, selection.service, port).members.push({ state, parent });
    }
  }
}

/** Adds a note to the parent's status message once. */
export function addNote(parent: ParentOutcome, note: string): void {
  if (!parent.notes.includes(note)) parent.notes = append(parent.notes, note);
}
