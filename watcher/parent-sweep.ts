// The periodic sweep that keeps the watcher's per-parent memory bounded (parent-memory.ts).
import { parentKey } from '../shared/events/index.ts';
import { parentRefsOf, refKey } from '../shared/gamma/refs.ts';
import type { Route, UDPRoute } from '../shared/gamma/types.ts';
import type { Coalescer, Timers } from './coalescer.ts';
import type { Logger } from './log.ts';
import type { ParentMemory } from './parent-memory.ts';
import type { Pending } from './pending.ts';
import type { RoutePublisher } from './publisher.ts';

export interface ParentSweepDeps {
  memory: ParentMemory;
  /** Every cached route naming a parent, UDPRoutes too. */
  routes: () => (Route | UDPRoute)[];
  coalescer: Coalescer<Pending>;
  publisher: RoutePublisher;
  clusterId: string;
  intervalMs: number;
  timers: Timers;
  log: Logger;
}

/**
 * Every `intervalMs`, forgets parents no route names any more (ParentMemory) and their origin
 * counts in the publisher, except while a window or an event for them is still open.
 */
export function startParentSweep(deps: ParentSweepDeps): { stop(): void } {
  const { memory, coalescer, publisher, timers } = deps;
  const publisherKey = (key: string) => {
    const [namespace, name] = key.split('/');
    return parentKey(deps.clusterId, namespace, name);
  };
  const sweep = () => {
    const current = new Set<string>();
    for (const r of deps.routes()) for (const p of parentRefsOf(r)) current.add(refKey(p));
    const pending = new Set(coalescer.pendingKeys());
    const forgotten = memory.sweep(current, (key) => pending.has(key) || publisher.busy(publisherKey(key)));
    for (const key of forgotten) publisher.forget(publisherKey(key));
    if (forgotten.length > 0)
      deps.log.debug('forgot parents no route names any more', { parents: forgotten.length });
  };
  let stopped = false;
  let handle: unknown;
  const schedule = () => {
    handle = timers.setTimeout(() => {
      if (stopped) return;
      sweep();
      schedule();
    }, deps.intervalMs);
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      timers.clearTimeout(handle);
    },
  };
}
