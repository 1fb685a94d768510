// A NetsvcClient that remembers the writes made on behalf of the current delivery, so the live log
// can name them ("httpRoutes/gamma-... created (2 rules)") without hooks in shared/pipeline.
// Deliveries run concurrently, so writes are attributed through AsyncLocalStorage.
import { AsyncLocalStorage } from 'node:async_hooks';
import { NetsvcClient } from '../../shared/netsvc/client.ts';
import type { NetsvcBody, NetsvcClientOptions, NetsvcKind } from '../../shared/netsvc/client.ts';
import type { ComputeApi, ComputeKind } from '../../shared/compute/types.ts';

export interface Write {
  action: 'created' | 'updated' | 'deleted';
  kind: NetsvcKind | ComputeKind;
  id: string;
  /** Rules in the body sent (creates and updates that carry rules). */
  rules?: number;
}

function rulesOf(body: unknown): number | undefined {
  const rules = (body as { rules?: unknown } | undefined)?.rules;
  return Array.isArray(rules) ? rules.length : undefined;
}

export class ObservedNetsvcClient extends NetsvcClient {
  private readonly context = new AsyncLocalStorage<Write[]>();

  constructor(options: NetsvcClientOptions) {
    super(options);
  }

  /**
   * Runs `fn`; the writes it makes are returned beside its result, and collected into `writes`
   * as they happen (so a caller still sees them when `fn` throws).
   */
  async observe<T>(fn: () => Promise<T>, writes: Write[] = []): Promise<{ result: T; writes: Write[] }> {
    const result = await this.context.run(writes, fn);
    return { result, writes };
  }

  private record(write: Write): void {
    this.context.getStore()?.push(write);
  }

  /** `api` with its writes (backend services, health checks) recorded beside this client's. */
  observing(api: ComputeApi): ComputeApi {
    const record = (w: Write) => this.record(w);
    return {
      get: (kind, name) => api.get(kind, name),
      list: (kind, filter) => api.list(kind, filter),
      insert: async (kind, body) => {
        await api.insert(kind, body);
        record({ action: 'created', kind, id: body.name ?? '' });
      },
      patch: async (kind, name, body) => {
        await api.patch(kind, name, body);
        record({ action: 'updated', kind, id: name });
      },
      delete: async (kind, name) => {
        await api.delete(kind, name);
        record({ action: 'deleted', kind, id: name });
      },
    };
  }

  override async create<K extends NetsvcKind>(
    kind: K,
    id: string,
    body: NetsvcBody<K>,
  ): Promise<NetsvcBody<K>> {
    const out = await super.create(kind, id, body);
    this.record({ action: 'created', kind, id, rules: rulesOf(body) });
    return out;
  }

  override async patch<K extends NetsvcKind>(
    kind: K,
    id: string,
    body: NetsvcBody<K>,
    updateMask: string[],
  ): Promise<NetsvcBody<K>> {
    const out = await super.patch(kind, id, body, updateMask);
    this.record({ action: 'updated', kind, id, rules: rulesOf(body) });
    return out;
  }

  override async delete(kind: NetsvcKind, id: string): Promise<void> {
    await super.delete(kind, id);
    this.record({ action: 'deleted', kind, id });
  }
}
