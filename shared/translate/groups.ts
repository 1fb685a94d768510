// Routes grouped by the Service port they attach to: each group becomes one Network Services route.
import type { Service, ServicePort } from '../gamma/types.ts';
import type { ServiceIndex } from './backends.ts';
import { isServiceParentRef } from '../gamma/refs.ts';
import { selectParent, serviceParentGroupWarning } from './parents.ts';
import type { Group, Groups, Member, ParentOutcome, RouteState } from './state.ts';
import { addWarning } from './routes.ts';
import { routeFamily } from './kinds.ts';

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
    if (!isServiceParentRef(ref)) {
      const skipped = serviceParentGroupWarning(ref, r, state.namespace);
      if (skipped) addWarning(state, skipped);
      continue;
    }
    // Every field in the literal, set later or not: V8 sizes the object for its literal.
    const parent: Member = {
      ref,
      problem: undefined,
      portCount: 0,
      conflicted: [],
      routeIds: [],
      notes: [],
      state,
    };
    state.parents.push(parent);
    if (state.invalid) {
      parent.problem = { reason: 'UnsupportedValue', message: state.invalid };
      continue;
    }
    const family = routeFamily(state.kind);
    const selection = selectParent(ref, state.namespace, index.find, index, family);
    if (!selection.ok) {
      parent.problem = selection.problem;
      continue;
    }
    if (selection.skipped.length) {
      addNote(
        parent,
        `ports ${selection.skipped.map((p) => `${p.port} (${p.name ?? p.appProtocol})`).join(', ')} skipped: ${family === 'http' ? 'not HTTP or gRPC' : 'HTTP or gRPC, which a ' + state.kind + ' cannot carry'} (name or appProtocol); select them explicitly with port or sectionName`,
      );
    }
    const { ports } = selection;
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i];
      if (listedBefore(ports, i)) continue; // a Service listing one port number twice
      parent.portCount++;
      groupFor(groups, selection.service, port).members.push(parent);
    }
  }
}

function listedBefore(ports: ServicePort[], i: number): boolean {
  for (let j = 0; j < i; j++) if (ports[j].port === ports[i].port) return true;
  return false;
}

/** Adds a note to the parent's status message once. */
export function addNote(parent: ParentOutcome, note: string): void {
  if (!parent.notes.includes(note)) parent.notes.push(note);
}
