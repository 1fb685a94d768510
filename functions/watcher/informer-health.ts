// Liveness of one informer: failing while errors keep coming with no sign of recovery. The shared
// ResilientInformer retries forever, so "permanently failed" means failing for longer than a bound.

export class InformerHealth {
  private firstErrorAt?: number;
  private lastErrorAt = 0;
  private lastConnectAt = 0;

  constructor(
    /** A reconnect followed by this long without an error counts as recovered. */
    private readonly settleMs = 2000,
  ) {}

  onError(now: number): void {
    this.firstErrorAt ??= now;
    this.lastErrorAt = now;
  }

  onConnect(now: number): void {
    this.lastConnectAt = now;
  }

  /** Any object event proves the list/watch works. */
  onObject(): void {
    this.firstErrorAt = undefined;
  }

  /** How long this informer has been failing without recovering (0 when healthy). */
  failingForMs(now: number): number {
    if (this.firstErrorAt === undefined) return 0;
    if (this.lastConnectAt > this.lastErrorAt && now - this.lastConnectAt >= this.settleMs) {
      this.firstErrorAt = undefined;
      return 0;
    }
    return now - this.firstErrorAt;
  }
}
