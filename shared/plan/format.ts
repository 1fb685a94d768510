// Human and machine renderings of a plan (terraform-plan-like text; stable JSON).
import { isEmptyPlan } from './index.ts';
import type { Plan } from './types.ts';

function compact(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

export function summaryLine(p: Plan): string {
  if (isEmptyPlan(p) && p.refused.length === 0) return 'No changes.';
  return (
    `Plan: ${p.creates.length} to create, ${p.updates.length} to update, ` +
    `${p.deletes.length} to delete, ${p.refused.length} refused.`
  );
}

export function formatPlanText(p: Plan): string {
  const lines: string[] = [];
  for (const e of p.errors) lines.push(`Error: ${e}`);
  for (const c of p.creates) lines.push(`+ create ${c.kind}/${c.id}`);
  for (const u of p.updates) {
    lines.push(`~ update ${u.kind}/${u.id}`);
    for (const d of u.diff) lines.push(`    ${d.field}: ${compact(d.before)} -> ${compact(d.after)}`);
  }
  for (const d of p.deletes) lines.push(`- delete ${d.kind}/${d.id}`);
  for (const r of p.refused) lines.push(`! refused ${r.kind}/${r.id} (${r.reason})`);
  if (p.errors.length === 0) {
    if (lines.length) lines.push('');
    lines.push(summaryLine(p));
  }
  return lines.join('\n') + '\n';
}

/** The JSON form of `plan -o json`: the plan plus a summary block. */
export function planJson(p: Plan): object {
  return {
    ...p,
    summary: {
      create: p.creates.length,
      update: p.updates.length,
      delete: p.deletes.length,
      refused: p.refused.length,
      unchanged: p.unchanged,
      changes: !isEmptyPlan(p),
    },
  };
}
