// What a coalescing window collects for one parent, and the cluster-wide sequence its event carries.
import { isDecimalSequence } from '../shared/events/index.ts';
import { mergePorts } from './affected.ts';

/** The reasons (bounded) and previous ports of the changes in one parent's window. */
export interface Pending {
  reasons: string[];
  previousPorts?: number[];
}

const MAX_REASONS = 20;

export function mergePending(a: Pending, b: Pending): Pending {
  const reasons = [...new Set([...a.reasons, ...b.reasons])].slice(0, MAX_REASONS);
  const previousPorts = mergePorts(a.previousPorts, b.previousPorts);
  return previousPorts ? { reasons, previousPorts } : { reasons };
}

/** Keeps the highest resourceVersion seen, so sequences never go back (e.g. while a relist resets the informer's). */
export class ClusterVersion {
  private max = 0n;
  see(rv: string | undefined): void {
    if (isDecimalSequence(rv) && BigInt(rv) > this.max) this.max = BigInt(rv);
  }
  current(): string {
    return this.max.toString();
  }
}
