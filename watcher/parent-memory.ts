// What the watcher remembers per parent Service beyond one coalescing window: that it was a route
// parent (so deleting it later still sends its old ports) and, in the publisher, the last origin
// count. Both grew with every parent ever seen; this keeps them bounded by forgetting a parent once
// no route has named it for `forgetAfterMs` and nothing for it is in flight. Pure but for the clock.

export interface ParentMemoryOptions {
  now(): number;
  /** How long a parent stays remembered after the last route naming it went away. */
  forgetAfterMs: number;
}

export class ParentMemory {
  /** Parent key ("ns/name") -> when a route last named it (or it was last affected). */
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly opts: ParentMemoryOptions) {}

  /** Remembers `key` as a parent as of now. */
  see(key: string): void {
    this.lastSeen.set(key, this.opts.now());
  }

  has(key: string): boolean {
    return this.lastSeen.has(key);
  }

  get size(): number {
    return this.lastSeen.size;
  }

  /**
   * Refreshes the parents routes name now (`current`) and forgets the others once they have been
   * unnamed for `forgetAfterMs` and `busy(key)` is false (an open coalescing window or an unpublished
   * event still needs them). Returns the forgotten keys.
   */
  sweep(current: ReadonlySet<string>, busy: (key: string) => boolean): string[] {
    const now = this.opts.now();
    const forgotten: string[] = [];
    for (const [key, seenAt] of this.lastSeen) {
      if (current.has(key)) this.lastSeen.set(key, now);
      else if (now - seenAt >= this.opts.forgetAfterMs && !busy(key)) forgotten.push(key);
    }
    for (const key of forgotten) this.lastSeen.delete(key);
    return forgotten;
  }
}
