// A Network Services quota outage under load, through the whole local stack: every request is
// refused with Google's quota 429 for `outageS` while routes change at `changesPerSecond`; then the
// changes stop and we measure how long after the outage's end Network Services matches the cluster
// again, and whether any Service's last change never arrived (lost).
//
// Time: the emulator's quota clock and the sync function's Network Services client (its 429 retry
// budget of about 90 s, backoff up to 15 s, invocation deadline) share one injected clock, which
// runs `speed` times faster than real time during the outage only, and whose sleeps end exactly when
// it reaches their end (warpClock); so a 90-s outage takes 90/speed real seconds with the product's
// real retry policy, and from the outage's end on the clock is real time again. The rest of the stack
// (watcher, Pub/Sub, the functions' own work) runs in real time throughout: during the outage it is
// `speed` times slower than the clock (the backlog it builds is about what real time would build:
// the watcher coalesces each Service's changes per window either way), after it, exact.
import { figureOf, type Figure } from '../figures.ts';
import { scenario, type Log } from '../scenario.ts';
import { realSleep } from '../../shared/netsvc/ratelimit.ts';
import {
  benchService,
  markedRoute,
  marker,
  markersIn,
  sleep,
  startPipelineStack,
} from './pipeline-support.ts';

export interface QuotaOutageParams {
  services: number;
  /** Route changes per second of the emulator's clock, for the whole outage. */
  changesPerSecond: number;
  outageS: number;
  /** How many times faster than real time the emulator's and the client's clock run. */
  speed: number;
  /** Give up waiting for convergence after this long (emulator seconds) past the outage. */
  settleTimeoutS: number;
  /**
   * The clock stays fast this long after the outage (default 0: real time from its end, as the
   * figure is meant). Only for smoke tests that check nothing is lost and need no exact timing.
   */
  warpAfterS?: number;
}

export interface WarpClock {
  /** Epoch ms by this clock. */
  now(): number;
  /** Resolves when this clock has moved on by `ms`. */
  sleep(ms: number): Promise<void>;
  /** From now, the next `ms` of this clock pass `speed` times faster than real time. */
  warp(ms: number, speed: number): void;
}

/**
 * Real time, apart from one window that passes `speed` times faster. Clock time v maps to real time
 * r piecewise: v = r before the window, v = rs + (r - rs) * speed inside, v = r + (ve - re) after.
 */
export function warpClock(): WarpClock {
  let rs = Infinity; // window start (real = clock time there)
  let re = Infinity; // window end, real time
  let ve = Infinity; // window end, clock time
  let speed = 1;
  const now = () => {
    const r = Date.now();
    if (r < rs) return r;
    return r < re ? rs + (r - rs) * speed : r + (ve - re);
  };
  const realAt = (v: number) => (v < rs ? v : v < ve ? rs + (v - rs) / speed : v - (ve - re));
  return {
    now,
    sleep: (ms) => realSleep(realAt(now() + ms) - Date.now()),
    warp: (ms, k) => {
      rs = Date.now();
      speed = k;
      re = rs + ms / k;
      ve = rs + ms;
    },
  };
}

export async function measureQuotaOutage(p: QuotaOutageParams, log: Log): Promise<Figure[]> {
  const clock = warpClock();
  const stack = await startPipelineStack({
    logs: 'memory',
    env: { GAMMA_BACKEND_SERVICES: 'off' },
    netsvcClock: clock.now,
    netsvcClient: { now: clock.now, sleep: clock.sleep },
  });
  const { pipeline } = stack;
  try {
    const names = Array.from({ length: p.services }, (_, i) => `q-${i}`);
    const latest = new Map(names.map((n) => [n, 0]));
    for (const n of names) pipeline.k8s.apply(benchService(n));
    for (const n of names) pipeline.k8s.apply(markedRoute(n, 0));
    const behind = () => {
      const routes = stack.routesByName();
      return names.filter((n) => {
        const markers = markersIn(routes.get(stack.nsRouteName(n)));
        return !(markers.size === 1 && markers.has(marker(latest.get(n) ?? 0)));
      });
    };
    for (let t = 0; behind().length > 0; t++) {
      if (t > 3000) throw new Error(`setting up: ${behind().length} routes not applied within 60 s`);
      await sleep(20);
    }
    await pipeline.idle(30_000);

    clock.warp((p.outageS + (p.warpAfterS ?? 0)) * 1000, p.speed);
    const start = clock.now();
    const end = start + p.outageS * 1000;
    pipeline.netsvc.quotaOutage(p.outageS * 1000);
    let changes = 0;
    while (clock.now() < end) {
      const due = Math.floor(((clock.now() - start) / 1000) * p.changesPerSecond);
      for (; changes < due; changes++) {
        const n = names[changes % names.length];
        const version = (latest.get(n) ?? 0) + 1;
        latest.set(n, version);
        pipeline.k8s.apply(markedRoute(n, version));
      }
      await sleep(2);
    }
    const refused = pipeline.netsvc.stats().quotaRejected;
    let convergedAt: number | undefined;
    let lost = behind();
    while (clock.now() < end + p.settleTimeoutS * 1000) {
      lost = behind();
      if (lost.length === 0) {
        convergedAt = clock.now();
        break;
      }
      await sleep(10);
    }
    const convergeS = ((convergedAt ?? clock.now()) - end) / 1000;
    log(
      `quota outage: ${changes} changes over ${p.outageS} s (x${p.speed}), ${refused} quota 429s; ` +
        `converged ${convergedAt ? `${convergeS.toFixed(1)} s after the outage` : `not within ${p.settleTimeoutS} s`}`,
    );
    const how = `${p.outageS}-s outage, ${changes} changes at ${p.changesPerSecond}/s over ${p.services} Services; the outage passed at ${p.speed}x real time on the emulator's and client's clock, real time after it`;
    return [
      figureOf(
        'quota_outage_changes_lost',
        [lost.length],
        { op: '==', target: 0 },
        'changes',
        `Services whose last change was not in Network Services ${p.settleTimeoutS} s after the outage`,
      ),
      figureOf(
        'quota_outage_converge_s',
        [convergeS],
        { op: '<', target: 60 },
        's',
        convergedAt === undefined ? `not converged (value: when we stopped waiting); ${how}` : how,
      ),
      figureOf('quota_outage_429s', [refused], 'info', 'requests', 'quota refusals during the outage'),
    ];
  } finally {
    await pipeline.close();
  }
}

export const quotaOutageScenario = scenario<QuotaOutageParams>({
  name: 'quota-outage',
  title: 'Network Services quota outage under 20 changes/s',
  params: (quick) =>
    quick
      ? { services: 20, changesPerSecond: 20, outageS: 90, speed: 30, settleTimeoutS: 120 }
      : { services: 50, changesPerSecond: 20, outageS: 90, speed: 10, settleTimeoutS: 120 },
  run: measureQuotaOutage,
});
