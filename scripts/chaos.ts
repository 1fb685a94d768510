// Runs chaos seeds outside ava and prints one report per seed (JSON lines), for replaying a failure
// (`CHAOS_SEED=N npx tsx scripts/chaos.ts`) or a long soak (`CHAOS_SEEDS=50 CHAOS_STEPS=80`).
// Exit code 1 when any seed breaks an invariant.
import { chaosSeeds, chaosSteps, violations } from '../test/chaos/config.ts';
import { runChaos } from '../test/chaos/scenario.ts';

process.env.METADATA_SERVER_DETECTION ??= 'none';
let failed = 0;
for (const seed of chaosSeeds()) {
  const report = await runChaos({ seed, steps: chaosSteps() });
  const broken = violations(report);
  if (broken.length) failed++;
  process.stdout.write(`${JSON.stringify({ ok: broken.length === 0, broken, ...report })}\n`);
  if (broken.length) process.stderr.write(`seed ${seed} FAILED; replay with CHAOS_SEED=${seed}\n`);
}
process.exit(failed ? 1 : 0);
