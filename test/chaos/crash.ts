// A sync instance that dies in the middle of an apply. Its Network Services client is the real
// client of the pipeline (same rate limit, same sockets); this wrapper only stops delegating once the
// "process" is dead: after `writesBeforeCrash` writes, the next write is cut either before it is sent
// or after the server did the work but before the answer is read, and every call after that fails.
import { NetsvcClient } from '../../shared/netsvc/client.ts';
import type { NetsvcBody, NetsvcKind } from '../../shared/netsvc/client.ts';

export class SimulatedCrash extends Error {
  constructor(what: string) {
    super(`simulated crash of the sync instance during ${what}`);
    this.name = 'SimulatedCrash';
  }
}

export class CrashingNetsvcClient extends NetsvcClient {
  private writes = 0;
  dead = false;

  constructor(
    private readonly inner: NetsvcClient,
    private readonly writesBeforeCrash: number,
    /** Crash after the server has done the cut write (true) or before sending it (false). */
    private readonly afterWork: boolean,
  ) {
    super(inner.options);
  }

  private alive(what: string): void {
    if (this.dead) throw new SimulatedCrash(what);
  }

  private async write<T>(what: string, send: () => Promise<T>): Promise<T> {
    this.alive(what);
    if (this.writes++ < this.writesBeforeCrash) return send();
    this.dead = true;
    if (this.afterWork) await send().catch(() => undefined);
    throw new SimulatedCrash(what);
  }

  override async list<K extends NetsvcKind>(kind: K): Promise<NetsvcBody<K>[]> {
    this.alive(`list ${kind}`);
    return this.inner.list(kind);
  }

  override async get<K extends NetsvcKind>(kind: K, id: string): Promise<NetsvcBody<K> | null> {
    this.alive(`get ${kind}/${id}`);
    return this.inner.get(kind, id);
  }

  override create<K extends NetsvcKind>(kind: K, id: string, body: NetsvcBody<K>): Promise<NetsvcBody<K>> {
    return this.write(`create ${kind}/${id}`, () => this.inner.create(kind, id, body));
  }

  override patch<K extends NetsvcKind>(
    kind: K,
    id: string,
    body: NetsvcBody<K>,
    mask: string[],
  ): Promise<NetsvcBody<K>> {
    return this.write(`patch ${kind}/${id}`, () => this.inner.patch(kind, id, body, mask));
  }

  override delete(kind: NetsvcKind, id: string): Promise<void> {
    return this.write(`delete ${kind}/${id}`, () => this.inner.delete(kind, id));
  }
}
