// /healthz (liveness) and /readyz (readiness) for the kubelet probes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Timers } from './coalescer.ts';
import type { InformerHealth } from './informer-health.ts';
import type { RoutePublisher } from './publisher.ts';

export interface Probe {
  ok: boolean;
  detail: Record<string, unknown>;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(
  port: number,
  host: string,
  probes: { healthz(): Probe; readyz(): Probe },
): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const probe = path === '/healthz' ? probes.healthz : path === '/readyz' ? probes.readyz : undefined;
    if (!probe || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const { ok, detail } = probe();
    res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', ...detail }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ProbeContext {
  health: ReadonlyMap<string, InformerHealth>;
  /** Optional route kinds without a CRD in the cluster: not watched, said here and once in the log. */
  absentKinds(): readonly string[];
  publisher: Pick<RoutePublisher, 'stats'>;
  timers: Pick<Timers, 'now'>;
  unhealthyAfterMs: number;
  synced(): boolean;
  closing(): boolean;
}

/** Liveness: no informer failing for too long. Readiness: synced and every parent published. */
export function healthProbes(ctx: ProbeContext): { healthz(): Probe; readyz(): Probe } {
  return {
    healthz(): Probe {
      const now = ctx.timers.now();
      const failing = [...ctx.health]
        .filter(([, h]) => h.failingForMs(now) > ctx.unhealthyAfterMs)
        .map(([k]) => k);
      return {
        ok: failing.length === 0 && !ctx.closing(),
        detail: { failingInformers: failing, notWatched: [...ctx.absentKinds()] },
      };
    },
    readyz(): Probe {
      const s = ctx.publisher.stats();
      const synced = ctx.synced();
      return {
        ok: synced && s.failing === 0 && !ctx.closing(),
        detail: { synced, failingParents: s.failing, pending: s.pending },
      };
    },
  };
}
