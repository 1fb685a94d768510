// Scenario 4: event latency through the local stack. Route changes at a fixed rate, spread over
// many Services so successive changes do not coalesce; each change's latency is the time from the
// cluster write to the moment the Network Services emulator holds the changed route.
import { figureOf, percentile, type Figure } from '../figures.ts';
import { scenario, waitFor, type Log } from '../scenario.ts';
import {
  benchService,
  markedRoute,
  marker,
  markersIn,
  nowMs,
  sleep,
  startPipelineStack,
} from './pipeline-support.ts';

export interface EventLatencyParams {
  changesPerSecond: number;
  durationS: number;
  services: number;
  /**
   * Pub/Sub delivery lag added by the emulator (default none). Above the per-Service gap between
   * changes (services / changesPerSecond s) every delivery is stale on arrival: the overload shape
   * in which refusing stale events applied nothing until the changes stopped.
   */
  deliveryDelayMs?: number;
}

interface Change {
  svc: string;
  version: number;
  at: number;
  seenAt?: number;
}

/** The sync function's log, summarized: how many events ended how (synced, skipped why, failed). */
export function syncOutcomes(lines: string[]): string {
  const counts = new Map<string, number>();
  for (const line of lines) {
    let entry: { message?: unknown; severity?: unknown; snapshot?: unknown; [k: string]: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const labels = entry['logging.googleapis.com/labels'] as { function?: string } | undefined;
    if (labels?.function !== 'sync' || typeof entry.message !== 'string') continue;
    const kind = entry.message.startsWith('synced')
      ? entry.snapshot === 'stale'
        ? 'synced from a stale snapshot'
        : 'synced'
      : `${String(entry.severity)} ${entry.message.replace(/[0-9]+/g, 'N').slice(0, 60)}`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, n]) => `${n} ${k}`)
    .join('; ');
}

/** The sync function's own time per delivery (the `ms` its log line reports), in ms. */
export function syncDurations(lines: string[]): number[] {
  const out: number[] = [];
  for (const line of lines) {
    if (!line.includes('"ms"')) continue;
    let entry: { ms?: unknown; [k: string]: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const labels = entry['logging.googleapis.com/labels'] as { function?: string } | undefined;
    if (labels?.function === 'sync' && typeof entry.ms === 'number') out.push(entry.ms);
  }
  return out;
}

/** When the changes slower than 1 s were made (whole seconds into the run): `slow (>1 s) at s 12 (x5), 40 (x2)`. */
export function slowSeconds(changes: Change[], start: number, observedUntil: number): string {
  const bySecond = new Map<number, number>();
  for (const c of changes)
    if ((c.seenAt ?? observedUntil) - c.at > 1000) {
      const s = Math.floor((c.at - start) / 1000);
      bySecond.set(s, (bySecond.get(s) ?? 0) + 1);
    }
  if (bySecond.size === 0) return 'no change slower than 1 s';
  const list = [...bySecond].map(([s, n]) => `${s} (x${n})`).join(', ');
  return `changes slower than 1 s were made at second ${list}`;
}

type ByCollection = Record<string, Record<string, number>>;

/** `GET httpRoutes 400, PATCH httpRoutes 150, ...`: the requests made between two stats readings. */
function requestsByCollection(before: ByCollection, after: ByCollection): string {
  const parts: [string, number][] = [];
  for (const [collection, methods] of Object.entries(after))
    for (const [method, n] of Object.entries(methods)) {
      const delta = n - (before[collection]?.[method] ?? 0);
      if (delta > 0) parts.push([`${method} ${collection}`, delta]);
    }
  return parts
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

export async function measureEventLatency(p: EventLatencyParams, log: Log): Promise<Figure[]> {
  const stack = await startPipelineStack();
  const { pipeline } = stack;
  try {
    const services = Array.from({ length: p.services }, (_, i) => `lat-${i}`);
    for (const svc of services) pipeline.k8s.apply(benchService(svc));
    for (const svc of services) pipeline.k8s.apply(markedRoute(svc, 0));
    const allPlaced = () => {
      const routes = stack.routesByName(); // one store copy per poll, not one per Service
      return services.every((s) => markersIn(routes.get(stack.nsRouteName(s))).has(marker(0)));
    };
    const ready = await waitFor(allPlaced, 60_000, 20);
    if (!ready) throw new Error('the initial routes never reached Network Services');
    log(`event-latency: ${p.services} routes in place, sending ${p.changesPerSecond}/s for ${p.durationS} s`);
    if (p.deliveryDelayMs) pipeline.pubsub.setFaults({ delayMs: p.deliveryDelayMs });

    const changes: Change[] = [];
    const latest = new Map<string, Change>();
    let watching = true;
    // Observer: the emulator's store is read (a deep copy, so not on every tick) when its write
    // counter moved, and every 100 ms while changes are outstanding. A change counts as seen once
    // its marker, or a later one for the same Service (which supersedes it), is in the store. The
    // observer shares the process (and its CPU) with the stack it measures, so it stays light: route
    // names are computed once, and each Service's markers are read once per store read.
    const routeNameOf = new Map(services.map((s) => [s, stack.nsRouteName(s)] as const));
    const pending = new Map<string, Change[]>();
    const observer = (async () => {
      let writesSeen = -1;
      let lastRead = 0;
      while (watching || pending.size > 0) {
        const writes = pipeline.netsvc.stats().writes;
        if (writes !== writesSeen || (pending.size > 0 && nowMs() - lastRead > 100)) {
          writesSeen = writes;
          lastRead = nowMs();
          const routes = stack.routesByName();
          for (const [svc, waiting] of pending) {
            const have = markersIn(routes.get(routeNameOf.get(svc) as string));
            const newest = latest.get(svc) as Change;
            const supersededSeen = have.has(marker(newest.version));
            const still = waiting.filter((c) => {
              if (have.has(marker(c.version)) || (newest.version > c.version && supersededSeen)) {
                c.seenAt = lastRead;
                return false;
              }
              return true;
            });
            if (still.length) pending.set(svc, still);
            else pending.delete(svc);
          }
        }
        if (!watching && nowMs() - changes[changes.length - 1].at > 30_000) break;
        await sleep(5);
      }
    })();

    const interval = 1000 / p.changesPerSecond;
    const deliveries0 = pipeline.sync.deliveries;
    const logs0 = pipeline.logs.length;
    const stats0 = pipeline.netsvc.stats();
    const cpu0 = process.cpuUsage();
    const start = nowMs();
    for (let k = 1; k <= p.changesPerSecond * p.durationS; k++) {
      const due = start + (k - 1) * interval;
      if (due > nowMs()) await sleep(due - nowMs());
      const svc = services[k % services.length];
      const change: Change = { svc, version: k, at: nowMs() };
      pipeline.k8s.apply(markedRoute(svc, k));
      changes.push(change);
      latest.set(svc, change);
      pending.set(svc, [...(pending.get(svc) ?? []), change]);
    }
    const sendSeconds = (nowMs() - start) / 1000;
    watching = false;
    await observer;
    const cpu = process.cpuUsage(cpu0);
    const deliveries = pipeline.sync.deliveries - deliveries0;
    const stats1 = pipeline.netsvc.stats();
    const requests = stats1.requests - stats0.requests;
    const requestMix = requestsByCollection(stats0.byCollection, stats1.byCollection);
    // A change never seen counts with the time it was watched for: its latency is at least that.
    const observedUntil = nowMs();
    const latencies = changes.map((c) => (c.seenAt ?? observedUntil) - c.at);
    const lost = changes.filter((c) => c.seenAt === undefined).length;
    const outcomes = syncOutcomes(pipeline.logs);
    const syncMs = syncDurations(pipeline.logs.slice(logs0));
    const note =
      `${slowSeconds(changes, start, observedUntil)}; ` +
      `${changes.length} changes in ${sendSeconds.toFixed(1)} s over ${p.services} Services; ` +
      `${p.deliveryDelayMs ? `delivery delayed ${p.deliveryDelayMs} ms; ` : ''}${lost} not seen within 30 s ` +
      `after the last change (counted as lower bounds); ` +
      `sync log: ${outcomes}`;
    return [
      figureOf('event_latency_p50_ms', [percentile(latencies, 50)], 'info', 'ms', note),
      figureOf('event_latency_p99_ms', [percentile(latencies, 99)], { op: '<', target: 1000 }, 'ms'),
      figureOf('event_latency_max_ms', [Math.max(...latencies)], 'info', 'ms'),
      figureOf('event_changes_lost', [lost], { op: '==', target: 0 }, 'changes'),
      figureOf(
        'event_sync_deliveries',
        [deliveries],
        'info',
        'events',
        'pushes that reached the sync function',
      ),
      figureOf(
        'event_cpu_ms_per_delivery',
        [(cpu.user + cpu.system) / 1000 / Math.max(1, deliveries)],
        'info',
        'ms',
        'CPU of the whole one-process stack (watcher, emulators, sync) per delivery',
      ),
      figureOf(
        'event_sync_ms_p50',
        [syncMs.length ? percentile(syncMs, 50) : 0],
        'info',
        'ms',
        'time the sync function spends on one delivery, as its log reports it',
      ),
      figureOf('event_sync_ms_p99', [syncMs.length ? percentile(syncMs, 99) : 0], 'info', 'ms'),
      figureOf(
        'event_netsvc_requests_per_delivery',
        [requests / Math.max(1, deliveries)],
        'info',
        'requests',
        `Network Services requests per delivery (${requests} in all: ${requestMix}; sync paces them at its rate limit)`,
      ),
    ];
  } finally {
    await pipeline.close();
  }
}

export const eventLatencyScenario = scenario<EventLatencyParams>({
  name: 'event-latency',
  title: 'Event latency through the local stack',
  params: (quick) => ({ changesPerSecond: 20, durationS: quick ? 10 : 60, services: 50 }),
  run: measureEventLatency,
});
