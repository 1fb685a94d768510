// Watch streams of the Kubernetes API server stand-in: one chunked JSON line per event, bookmarks,
// timeouts, and the open-watch set the fault hooks drop.
import type http from 'node:http';
import { ApiError, expired } from './errors.ts';
import { apiVersionOf, type ResourceDef } from './resources.ts';
import { type ResourceRef, withVersion } from './routes.ts';
import type { Filter, Store } from './store.ts';

export interface OpenWatch {
  res: http.ServerResponse;
  bookmarks: boolean;
  def: ResourceDef;
  version: string;
  close(): void;
}

export interface WatchContext {
  store: Store;
  watches: Set<OpenWatch>;
  bookmarkIntervalMs: number;
  /** How an expired watch is answered: an ERROR event in a 200 stream or an HTTP 410. */
  expireAs(): 'event' | 'status';
}

/** Streams the events matching `filter` (and `ref.name`) from `resourceVersion` on. */
export function startWatch(
  ctx: WatchContext,
  ref: ResourceRef,
  filter: Filter,
  q: URLSearchParams,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  const { store, watches } = ctx;
  if (ref.name) filter.fields.push({ key: 'metadata.name', op: 'eq', value: ref.name });
  const fromRv = q.get('resourceVersion') ? Number(q.get('resourceVersion')) : undefined;
  if (fromRv !== undefined && fromRv > 0 && fromRv < store.compactedRv && ctx.expireAs() === 'status') {
    throw expired(`too old resource version: ${fromRv} (${store.compactedRv})`);
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const write = (type: string, object: unknown) => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  let unsubscribe: () => void = () => {};
  let timers: NodeJS.Timeout[] = [];
  const w: OpenWatch = {
    res,
    bookmarks: q.get('allowWatchBookmarks') === 'true',
    def: ref.def,
    version: ref.version,
    close() {
      unsubscribe();
      timers.forEach(clearTimeout);
      timers = [];
      watches.delete(w);
      if (!res.writableEnded) res.end();
    },
  };
  try {
    unsubscribe = store.watch(filter, fromRv, (type, obj) =>
      write(type, withVersion(ref.def, ref.version, obj)),
    );
  } catch (e) {
    if (e instanceof ApiError && e.code === 410) {
      write('ERROR', e.toStatus());
      res.end();
      return;
    }
    throw e;
  }
  watches.add(w);
  if (w.bookmarks) timers.push(setInterval(() => bookmark(store, w), ctx.bookmarkIntervalMs));
  const timeout = Number(q.get('timeoutSeconds') ?? 0);
  if (timeout > 0) timers.push(setTimeout(() => w.close(), timeout * 1000));
  req.on('close', () => w.close());
  res.on('close', () => w.close());
}

export function bookmark(store: Store, w: OpenWatch): void {
  const object = {
    kind: w.def.kind,
    apiVersion: apiVersionOf(w.def, w.version),
    metadata: { resourceVersion: String(store.resourceVersion) },
  };
  if (!w.res.writableEnded) w.res.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
}
