// One chaos run: the whole pipeline on loopback (k8s stand-in -> watcher -> Pub/Sub -> sync ->
// Network Services emulator, and the Compute emulator whose backend services sync and reconcile
// provision for NEG-annotated Services), random route and Service changes from a seeded PRNG while
// faults are injected everywhere (NEG zone changes, Network Services quota outages and route status
// writes refused for good among them),
// then faults off, drain, one reconcile, and the invariants checked.
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline, PushBody } from '../../infra/local/pipeline.ts';
import type { Faults } from '../../infra/local/netsvc/faults.ts';
import { seededRandom } from '../../infra/local/netsvc/faults.ts';
import { readClusterSnapshot } from '../../shared/cluster/index.ts';
import { handleSyncEvent } from '../../shared/pipeline/index.ts';
import { translate } from '../../shared/translate/index.ts';
import { labelValue } from '../../shared/translate/names.ts';
import { foreignFingerprint, stateDiff, statusDiff } from './check.ts';
import { computeDiff, computeFingerprint } from './compute-check.ts';
import { computeFaults, raceBackendServicePatches, seedForeignCompute } from './compute-faults.ts';
import { CrashingNetsvcClient } from './crash.ts';
import { permanentStatusFaults } from './status-faults.ts';
import type { StatusFaults } from './status-faults.ts';
import { World } from './world.ts';
import type { Random } from './world.ts';

export interface ChaosOptions {
  seed: number;
  steps: number;
  /** Upper bound of the random pause between two changes. */
  maxPauseMs?: number;
}

export interface ChaosReport {
  seed: number;
  ordering: boolean;
  changes: Record<string, number>;
  faults: Record<string, number>;
  retries: Record<string, number>;
  /** What the event path alone left different (the final reconcile repairs it); informational. */
  driftBeforeReconcile: string[];
  /** The changes made, in order. */
  trace: string[];
  /** Messages redelivered although their only failure was a permanent status refusal; must be empty. */
  statusRedelivered: string[];
  /** Differences after the final reconcile; every list must be empty. */
  stateDiff: string[];
  statusDiff: string[];
  foreignChanged: string[];
  /** Compute vs the cluster (backend services, health checks, zones), after the final reconcile. */
  computeDiff: string[];
  maxRequestsPerSecond: number;
  rateLimit: number;
  maxComputeRequestsPerSecond: number;
  computeRateLimit: number;
  reconcile:
    | {
        created: number;
        updated: number;
        deleted: number;
        failed: number;
        backends?: Record<string, number>;
        errors: string[];
      }
    | undefined;
  ms: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const CLUSTER = 'chaos';
/**
 * The Compute client's rate limit here: its default (20, shared/compute/client.ts) would make every
 * zone change (a patch of every backend service) the slowest part of a run; the limit is checked
 * against what is configured either way.
 */
const COMPUTE_RPS = 50;
const ZONES = ['us-central1-a', 'us-central1-b', 'us-central1-c', 'us-central1-f'];

/** A non-empty random subset of ZONES: node pools come and go during the run. */
function someZones(rng: Random): string[] {
  const zones = ZONES.filter(() => rng() < 0.5);
  return zones.length ? zones : [ZONES[Math.floor(rng() * ZONES.length)]];
}

/** Faults while changes are made: NS 503 20%, 429 5%, failing and slow operations, latency jitter. */
function netsvcFaults(seed: number): Faults {
  return {
    errorRates: { '*': { '503': 0.2, '429': 0.05 } },
    failOperationRate: 0.05,
    operationDelay: { polls: 1 },
    jitterMs: 15,
    seed,
  };
}

/** Resources gamma-csm does not own: unlabelled, another cluster's, and another Mesh. */
function seedForeign(p: Pipeline): string[] {
  const loc = `projects/${p.project}/locations/global`;
  const mesh = `${loc}/meshes/${p.mesh}`;
  const foreign = [
    {
      kind: 'meshes' as const,
      name: `${loc}/meshes/someone-elses-mesh`,
      body: { description: 'hand-made', labels: { team: 'x' } },
    },
    {
      kind: 'httpRoutes' as const,
      name: `${loc}/httpRoutes/hand-made-route`,
      body: {
        hostnames: ['legacy.example.com'],
        meshes: [mesh],
        rules: [{ action: { destinations: [{ serviceName: `${loc}/backendServices/legacy` }] } }],
      },
    },
    {
      kind: 'httpRoutes' as const,
      name: `${loc}/httpRoutes/gamma-other-ns-a-api-80-00000000`,
      body: {
        hostnames: ['api.ns-a.svc.other.local'],
        meshes: [mesh],
        labels: { 'managed-by': 'gamma-csm', 'gamma-csm-cluster': 'other', 'gamma-csm-parent': 'ns-a_api' },
        rules: [{ action: { destinations: [{ serviceName: `${loc}/backendServices/other` }] } }],
      },
    },
    {
      kind: 'grpcRoutes' as const,
      name: `${loc}/grpcRoutes/hand-made-grpc`,
      body: {
        hostnames: ['grpc.legacy.example.com'],
        meshes: [mesh],
        rules: [{ action: { destinations: [{ serviceName: `${loc}/backendServices/legacy` }] } }],
      },
    },
  ];
  for (const f of foreign)
    p.netsvc.putRaw(f.kind, f.name, {
      name: f.name,
      createTime: '2026-01-01T00:00:00.000000000Z',
      ...f.body,
    });
  return foreign.map((f) => f.name);
}

/**
 * Crash injection at the push gate: the delivery is taken out of Pub/Sub's hands (acknowledged), run
 * by a sync instance that dies mid-apply, then by a restarted instance until it succeeds, as a
 * redelivery would.
 */
function crashInjector(
  p: Pipeline,
  rng: Random,
  rate: number,
  stats: Record<string, number>,
  pending: Promise<void>[],
) {
  let n = 0;
  const run = async (body: PushBody) => {
    const event = { id: body.message?.messageId ?? `crash-${++n}`, data: body };
    const crashing = new CrashingNetsvcClient(p.deps.netsvc, Math.floor(rng() * 3), rng() < 0.5);
    try {
      await handleSyncEvent(event, { ...p.deps, netsvc: crashing });
    } catch {
      // the instance died (or failed on an injected fault first): its delivery was not acknowledged
    }
    if (crashing.dead) stats['sync crashed mid-apply'] = (stats['sync crashed mid-apply'] ?? 0) + 1;
    for (let attempt = 0; attempt < 30; attempt++) {
      await sleep(20 + attempt * 20);
      try {
        await handleSyncEvent(event, p.deps);
        return;
      } catch {
        stats['restart redeliveries'] = (stats['restart redeliveries'] ?? 0) + 1;
      }
    }
  };
  return (body: PushBody): boolean => {
    if (rng() >= rate) return false;
    pending.push(run(body));
    return true;
  };
}

/** The fault injected after one change (forced, or drawn from `rng`), named for the report. */
function stepFault(p: Pipeline, force: string | undefined, rng: Random, seed: number): string | undefined {
  const r = rng();
  if (force === 'zones' || (!force && r >= 0.18 && r < 0.26)) {
    p.k8s.setNegZones(someZones(rng));
    return 'NEG zones changed';
  }
  if (force === 'outage' || (r >= 0.26 && r < 0.3)) {
    // Real time here (the whole pipeline runs on Date.now), so the outage is short: long enough for
    // sync's 429 retries to back off several times, well short of their 90-s throttle budget.
    // The forced one lasts longer, so even a slow (loaded) run has requests inside it to refuse.
    p.netsvc.quotaOutage(force === 'outage' ? 1500 : 200 + Math.floor(rng() * 600));
    return 'NS quota outage';
  }
  if (r < 0.06) {
    p.k8s.dropWatches('destroy');
    return 'watch connections dropped';
  }
  if (r < 0.1) {
    p.k8s.compact(); // history gone: the watcher's next watch from its old resourceVersion gets 410
    p.k8s.dropWatches('end');
    return 'watch history compacted (410 on resume)';
  }
  if (r < 0.14) {
    p.netsvc.setFaults({ ...netsvcFaults(seed), latencyMs: 250 });
    return 'NS latency spike 250 ms';
  }
  if (r < 0.18) {
    p.netsvc.setFaults(netsvcFaults(seed));
    p.pubsub.setFaults({ duplicateRate: 0.1, reorder: true, delayMs: Math.floor(rng() * 100) });
    return 'Pub/Sub delivery delay';
  }
  return undefined;
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  // Separate streams: the changes replay exactly from the seed, whatever the timing of the faults.
  const rng = seededRandom(opts.seed);
  const faultRng = seededRandom(opts.seed ^ 0x5bd1e995);
  const crashRng = seededRandom(opts.seed ^ 0x27d4eb2f);
  const ordering = opts.seed % 2 === 0;
  let statusFaults: StatusFaults | undefined;
  const p = await startPipeline({
    clusterId: CLUSTER,
    ordering,
    onDelivery: (d) => statusFaults?.listen(d),
    netsvcClient: { retry: { baseDelayMs: 10, maxDelayMs: 200 } },
    computeClient: { retry: { baseDelayMs: 10, maxDelayMs: 200 }, requestsPerSecond: COMPUTE_RPS },
  });
  try {
    const foreignNames = seedForeign(p);
    const foreignBefore = foreignFingerprint(p.netsvc, foreignNames);
    const computeForeign = await seedForeignCompute(p);
    const computeBefore = computeFingerprint(p.compute, computeForeign);
    const world = new World(p.k8s, rng);
    world.seed(6);
    await p.idle(30_000);

    const faults: Record<string, number> = {};
    const crashes: Promise<void>[] = [];
    const bump = (k: string) => (faults[k] = (faults[k] ?? 0) + 1);
    p.k8s.expireAs = faultRng() < 0.5 ? 'event' : 'status';
    p.netsvc.setFaults(netsvcFaults(opts.seed));
    p.compute.setFaults(computeFaults(opts.seed));
    const racer = raceBackendServicePatches(p, seededRandom(opts.seed ^ 0x1b873593), 0.5, bump);
    p.pubsub.setFaults({ duplicateRate: 0.1, reorder: true, delayMs: 0 });
    p.dropDeliveries(crashInjector(p, crashRng, 0.15, faults, crashes));
    statusFaults = permanentStatusFaults(p.k8s, seededRandom(opts.seed ^ 0x85ebca6b));
    // From a fifth into the changes until the faults stop, some routes' status writes are
    // refused for good (403/422).
    const statusFrom = Math.floor(opts.steps / 5);

    // Every seed moves the zones and has a quota outage at least once; more come at random.
    const forced = new Map([
      [1, 'zones'],
      [Math.floor(opts.steps / 2), 'outage'],
    ]);
    for (let i = 0; i < opts.steps; i++) {
      if (i === statusFrom) statusFaults.on(true);
      world.step();
      const fault = stepFault(p, forced.get(i), faultRng, opts.seed + i);
      if (fault) bump(fault);
      await sleep(Math.floor(faultRng() * (opts.maxPauseMs ?? 40)));
    }

    // Let the pipeline catch up while the faults are still on, then turn them off and drain
    // (including crashed deliveries being restarted).
    await p.idle(60_000).catch(() => bump('not idle under faults within 60 s'));
    statusFaults.on(false);
    p.netsvc.clearFaults();
    p.netsvc.quotaOutage(0);
    p.compute.clearFaults();
    racer.stop();
    p.pubsub.setFaults({ duplicateRate: 0, reorder: false, delayMs: 0 });
    await p.idle(60_000);
    await Promise.all(crashes);
    p.dropDeliveries(undefined);
    await p.idle(60_000);
    const before = translate(await readClusterSnapshot(p.kube), p.deps.settings.translate);
    const driftBeforeReconcile = stateDiff(before, p.netsvc, labelValue(CLUSTER));
    const summary = await p.runReconcile();
    await p.idle(30_000);

    const cluster = await readClusterSnapshot(p.kube);
    const desired = translate(cluster, p.deps.settings.translate);
    const injected = p.netsvc.stats().injected;
    const sub = p.pubsub.subscriptionStats(p.subscriptions.sync);
    const clientStats = p.deps.netsvc.stats;
    const foreignAfter = foreignFingerprint(p.netsvc, foreignNames);
    const computeAfter = computeFingerprint(p.compute, computeForeign);
    const computeInjected = p.compute.stats().injected;
    return {
      seed: opts.seed,
      ordering,
      changes: world.counts,
      faults: {
        'NS 503': injected['503'],
        'NS 429': injected['429'],
        'NS 500': injected['500'],
        'NS failed operations': injected.failedOperations,
        'NS quota 429': p.netsvc.stats().quotaRejected,
        'Compute 503': computeInjected['503'],
        'Compute 429': computeInjected['429'],
        'Compute failed operations': computeInjected.failedOperations,
        'Compute 412 answers': p.compute.requestLog().filter((e) => e.status === 412).length,
        'Pub/Sub duplicates': sub.duplicated,
        'status 403/422 (permanent)': statusFaults.injected(),
        ...faults,
      },
      retries: {
        'NS client retries': clientStats.retries,
        'NS creates settled by read': clientStats.createsResolvedByRead,
        'Pub/Sub redeliveries': sub.redelivered,
        'Pub/Sub nacks': sub.nacked,
        'permanent status failures acknowledged': statusFaults.acknowledged(),
      },
      driftBeforeReconcile,
      statusRedelivered: statusFaults.redelivered(),
      trace: world.trace,
      stateDiff: stateDiff(desired, p.netsvc, labelValue(CLUSTER)),
      statusDiff: statusDiff(desired, p.k8s, p.deps.settings.controllerName),
      foreignChanged: [
        ...foreignNames.filter((n) => foreignAfter[n] !== foreignBefore[n]),
        ...computeForeign.filter((n) => computeAfter[n] !== computeBefore[n]),
      ],
      computeDiff: computeDiff(desired, cluster.services, p.compute, {
        project: p.project,
        clusterId: CLUSTER,
      }),
      maxRequestsPerSecond: p.netsvc.maxRequestsInWindow(1000),
      rateLimit: p.config.rateLimitRps,
      maxComputeRequestsPerSecond: racer.clientMaxPerSecond(),
      computeRateLimit: COMPUTE_RPS,
      reconcile: summary && {
        created: summary.created,
        updated: summary.updated,
        deleted: summary.deleted,
        failed: summary.failed,
        ...(summary.backends ? { backends: summary.backends } : {}),
        errors: summary.errors,
      },
      ms: Date.now() - started,
    };
  } finally {
    await p.close();
  }
}
