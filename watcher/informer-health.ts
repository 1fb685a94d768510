// Liveness of one informer: failing while errors keep coming with no sign of recovery. The shared
// ResilientInformer retries forever, so "permanently failed" means failing for longer than a bound.
// Recovery goes by the order of events, not by comparing their times: an error and the reconnect
// after it may carry the same clock reading.

export class InformerHealth {
  private firstErrorAt?: number;
  /** When the informer reconnected after its last error (undefined: not since that error). */
  private reconnectedAt?: number;

  constructor(
    /** A reconnect followed by this long without an error counts as recovered. */
    private readonly settleMs = 2000,
  ) {}

  onError(now: number): void {
    this.firstErrorAt ??= now;
    this.reconnectedAt = undefined;
  }

  onConnect(now: number): void {
    if (this.firstErrorAt !== undefined) this.reconnectedAt = now;
  }

  /** Any object event proves the list/watch works. */
  onObject(): void {
    this.firstErrorAt = undefined;
    this.reconnectedAt = undefined;
  }

  /** How long this informer has been failing without recovering (0 when healthy). */
  failingForMs(now: number): number {
    if (this.firstErrorAt === undefined) return 0;
    if (this.reconnectedAt !== undefined && now - this.reconnectedAt >= this.settleMs) {
      this.firstErrorAt = undefined;
      this.reconnectedAt = undefined;
      return 0;
    }
    return now - this.firstErrorAt;
  }
}
