// Human and machine renderings of a plan (terraform-plan-like text; stable JSON).
import { isEmptyPlan } from './index.ts';
import type { Plan } from './types.ts';
import type { ComputePlan } from '../compute/plan.ts';
import { isEmptyComputePlan } from '../compute/plan.ts';

const NO_COMPUTE: ComputePlan = {
  creates: [],
  updates: [],
  deletes: [],
  refused: [],
  unchanged: 0,
  errors: [],
};

function compact(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

export function summaryLine(p: Plan, c: ComputePlan = NO_COMPUTE): string {
  const changes = p.creates.length + p.updates.length + p.deletes.length;
  const computeChanges = c.creates.length + c.updates.length + c.deletes.length;
  if (changes + computeChanges === 0 && p.refused.length + c.refused.length === 0) return 'No changes.';
  return (
    `Plan: ${p.creates.length + c.creates.length} to create, ${p.updates.length + c.updates.length} to update, ` +
    `${p.deletes.length + c.deletes.length} to delete, ${p.refused.length + c.refused.length} refused.`
  );
}

type Item = { kind: string; id: string };
type Update = Item & { diff: { field: string; before: unknown; after: unknown }[] };

function writeLines(lines: string[], creates: Item[], updates: Update[]): void {
  for (const c of creates) lines.push(`+ create ${c.kind}/${c.id}`);
  for (const u of updates) {
    lines.push(`~ update ${u.kind}/${u.id}`);
    for (const d of u.diff) lines.push(`    ${d.field}: ${compact(d.before)} -> ${compact(d.after)}`);
  }
}

/**
 * In the order apply runs them: Compute writes (health checks, then backend services), route
 * changes, then Compute deletes (nothing deleted while a route still names it).
 */
export function formatPlanText(p: Plan, c: ComputePlan = NO_COMPUTE): string {
  const lines: string[] = [];
  for (const e of [...c.errors, ...p.errors]) lines.push(`Error: ${e}`);
  writeLines(lines, c.creates, c.updates);
  writeLines(lines, p.creates, p.updates);
  for (const d of [...p.deletes, ...c.deletes]) lines.push(`- delete ${d.kind}/${d.id}`);
  for (const r of [...c.refused, ...p.refused]) lines.push(`! refused ${r.kind}/${r.id} (${r.reason})`);
  if (p.errors.length + c.errors.length === 0) {
    if (lines.length) lines.push('');
    lines.push(summaryLine(p, c));
  }
  return lines.join('\n') + '\n';
}

/** The JSON form of `plan -o json`: the plan plus a summary block. */
export function planJson(p: Plan, compute?: ComputePlan): object {
  return {
    ...p,
    ...(compute ? { compute } : {}),
    summary: {
      create: p.creates.length,
      update: p.updates.length,
      delete: p.deletes.length,
      refused: p.refused.length,
      unchanged: p.unchanged,
      changes: !isEmptyPlan(p) || (compute !== undefined && !isEmptyComputePlan(compute)),
    },
  };
}
