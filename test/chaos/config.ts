// Which seeds a chaos run covers, and what counts as a broken invariant (shared by the ava test and
// scripts/chaos.ts). CHAOS_SEED=N replays one seed; CHAOS_SEEDS=N runs seeds 1..N (default 2, the
// short form inside `npm test`); CHAOS_STEPS sets the changes per seed (default 15, 40 when
// CHAOS_SEEDS >= 20).
import type { ChaosReport } from './scenario.ts';

export function chaosSeeds(env = process.env): number[] {
  if (env.CHAOS_SEED) return [Number(env.CHAOS_SEED)];
  const n = Number(env.CHAOS_SEEDS ?? 2);
  return Array.from({ length: n }, (_, i) => i + 1);
}

export function chaosSteps(env = process.env): number {
  if (env.CHAOS_STEPS) return Number(env.CHAOS_STEPS);
  return Number(env.CHAOS_SEEDS ?? 2) >= 20 ? 40 : 15;
}

/** Every invariant a report breaks, in words; empty when the run held. */
export function violations(r: ChaosReport): string[] {
  const out: string[] = [];
  if (r.stateDiff.length) out.push(`NS state != translate(cluster): ${r.stateDiff.join('; ')}`);
  if (r.statusDiff.length) out.push(`route status != translate statuses: ${r.statusDiff.join('; ')}`);
  if (r.computeDiff.length) out.push(`Compute != cluster: ${r.computeDiff.join('; ')}`);
  if (r.statusRedelivered.length)
    out.push(`permanent status failures were redelivered: ${r.statusRedelivered.join('; ')}`);
  if (r.foreignChanged.length)
    out.push(`resources gamma-csm does not own changed: ${r.foreignChanged.join(', ')}`);
  if (r.maxRequestsPerSecond > r.rateLimit)
    out.push(`request rate ${r.maxRequestsPerSecond}/s exceeded the configured ${r.rateLimit}/s`);
  if (r.maxComputeRequestsPerSecond > r.computeRateLimit)
    out.push(
      `Compute request rate ${r.maxComputeRequestsPerSecond}/s exceeded the client's ${r.computeRateLimit}/s`,
    );
  if (!r.reconcile) out.push('the final reconcile did not report');
  else if (r.reconcile.failed > 0) out.push(`the final reconcile had ${r.reconcile.failed} failures`);
  return out;
}
