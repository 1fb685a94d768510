/** Stops what was started, newest first; a failure is reported, never thrown, so everything gets its turn. */
export class Closers {
  private readonly list: { name: string; close: () => Promise<unknown> }[] = [];
  constructor(private readonly onError: (name: string, e: unknown) => void) {}
  add(name: string, close: () => Promise<unknown>): void {
    this.list.push({ name, close });
  }
  async closeAll(): Promise<void> {
    for (const { name, close } of this.list.splice(0).reverse()) {
      try {
        await close();
      } catch (e) {
        this.onError(name, e);
      }
    }
  }
}
