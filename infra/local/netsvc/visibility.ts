// What readers see while operations are pending. The API does not promise that a created, patched or
// deleted resource reads back changed before its operation is done (docs/api-fidelity.md), so the
// emulator can keep showing the state from before the change until then. The stored state holds the
// change at once (names stay taken, hostnames claimed); only GET and list look through this overlay.
import type { Obj } from './store.ts';

interface Hidden {
  /** The body readers see (undefined: not found), the one before the first pending change. */
  before: Obj | undefined;
  /** Operations still pending on this name. */
  pending: number;
}

export class PendingVisibility {
  private readonly hidden = new Map<string, Hidden>();

  /** A change to `name` whose operation is pending: readers keep seeing `before` until it is done. */
  hide(name: string, before: Obj | undefined): void {
    const entry = this.hidden.get(name);
    if (entry) entry.pending++;
    else this.hidden.set(name, { before: before && structuredClone(before), pending: 1 });
  }

  /** One operation on `name` is done; once none is pending the stored state shows. */
  reveal(name: string): void {
    const entry = this.hidden.get(name);
    if (!entry) return;
    if (--entry.pending <= 0) this.hidden.delete(name);
  }

  /** What a GET of `name` sees, given the stored body. */
  view(name: string, stored: Obj | undefined): Obj | undefined {
    const entry = this.hidden.get(name);
    return entry ? entry.before : stored;
  }

  /** Names hidden under `prefix` that a list must still show (pending deletes) or leave out (pending creates). */
  namesUnder(prefix: string): string[] {
    return [...this.hidden.keys()].filter((n) => n.startsWith(prefix));
  }

  clear(): void {
    this.hidden.clear();
  }
}
