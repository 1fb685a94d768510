// Chaos: random route and Service changes through the whole pipeline while Network Services,
// Compute, Pub/Sub, the Kubernetes watch and route status writes (403/422 for good, status-faults.ts),
// the NEG zones and the sync function fail or move in every way we can inject; then faults off,
// drain, one reconcile, and the invariants (see config.ts `violations`: Network Services, route
// status and Compute match the cluster, foreign resources in both emulators byte-identical, rate
// limits kept, no message redelivered over a permanent status refusal) must hold for every seed.
// The CRD deletion under a small delete budget is its own scenario: crd-deletion.test.ts.
// Short form (2 seeds) runs in `npm test`; `npm run test:chaos` runs CHAOS_SEEDS=20.
// Replay one seed: CHAOS_SEED=N npx ava test/chaos/chaos.test.ts (or npx tsx scripts/chaos.ts).
import test from 'ava';
import { chaosSeeds, chaosSteps, violations } from './config.ts';
import { runChaos } from './scenario.ts';

const totals = { changes: 0, faults: 0, retries: 0, seeds: 0 };
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

for (const seed of chaosSeeds()) {
  test.serial(
    `chaos seed ${seed}: NS state, route status and foreign resources hold after faults`,
    async (t) => {
      const report = await runChaos({ seed, steps: chaosSteps() });
      t.log(`seed ${seed} (ordering ${report.ordering ? 'on' : 'off'}, ${report.ms} ms)`);
      t.log(`changes ${JSON.stringify(report.changes)}`);
      t.log(`faults ${JSON.stringify(report.faults)}`);
      t.log(`retries ${JSON.stringify(report.retries)}`);
      t.log(
        `final reconcile ${JSON.stringify(report.reconcile)}; max ${report.maxRequestsPerSecond} req/s (limit ${report.rateLimit}), Compute ${report.maxComputeRequestsPerSecond} req/s (limit ${report.computeRateLimit}); final diff ${report.stateDiff.length + report.statusDiff.length + report.computeDiff.length}`,
      );
      totals.seeds++;
      totals.changes += sum(report.changes);
      totals.faults += sum(report.faults);
      totals.retries += sum(report.retries);
      const broken = violations(report);
      if (broken.length) t.log(`FAILED: replay with CHAOS_SEED=${seed}`);
      t.deepEqual(broken, [], `seed ${seed}`);
      // The run must actually have been hostile, or it proves nothing.
      t.true(report.faults['NS 503'] + report.faults['NS 429'] > 0, 'NS faults were injected');
      t.true(report.faults['Compute 503'] + report.faults['Compute 429'] > 0, 'Compute faults were injected');
      t.true(report.faults['NEG zones changed'] > 0, 'NEG zones moved');
      t.true(report.faults['NS quota 429'] > 0, 'a quota outage refused requests');
      t.true(report.faults['status 403/422 (permanent)'] > 0, 'status writes were refused for good');
      t.true(
        report.retries['permanent status failures acknowledged'] > 0,
        'deliveries that met a permanent status refusal were acknowledged',
      );
      t.true(sum(report.changes) >= chaosSteps(), 'changes were made');
    },
  );
}

test.after(() => {
  if (totals.seeds > 1)
    console.log(
      `chaos: ${totals.seeds} seeds, ${totals.changes} changes, ${totals.faults} faults, ${totals.retries} retries`,
    );
});
