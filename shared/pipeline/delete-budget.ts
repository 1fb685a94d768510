// The delete budget every write path shares (docs/security.md §5, §6): at most `limit` route deletes
// per sliding `windowMs` per function instance, whether they come from sync events or from the
// reconcile. The reconcile's fraction guard (shared/plan) catches one run that would delete most of
// what we own; this catches the slow version, one parent at a time: the Gateway API CRDs removed,
// or a flood of events each deleting one Service's routes. Deletes over the budget are refused
// (moved to the plan's `refused`, so route status and the summary say why), with the same override
// as the guard, GAMMA_FORCE_DELETE. The clock is injected.

/** A route plan (shared/plan) or a Compute plan (shared/compute/plan.ts): deletes and refusals by kind and id. */
export interface BudgetedPlan {
  deletes: { kind: string; id: string }[];
  refused: { kind: string; id: string; reason: string }[];
}

export interface DeleteBudget {
  /** The plan with the deletes the budget allows; the rest refused with the reason and the override. */
  limit<P extends BudgetedPlan>(p: P): P;
  /** Deletes left in the current window. */
  remaining(): number;
}

export interface DeleteBudgetOptions {
  limit: number;
  windowMs: number;
  /** GAMMA_FORCE_DELETE: the budget is bypassed (and says so nowhere else). */
  force?: boolean;
  now?: () => number;
}

export const DEFAULT_DELETE_BUDGET = { limit: 50, windowMs: 10 * 60_000 } as const;

export function deleteBudget(opts: DeleteBudgetOptions): DeleteBudget {
  const now = opts.now ?? Date.now;
  const spent: number[] = [];
  const prune = () => {
    const since = now() - opts.windowMs;
    while (spent.length && spent[0] <= since) spent.shift();
  };
  const remaining = () => {
    prune();
    return Math.max(0, opts.limit - spent.length);
  };
  return {
    remaining,
    limit<P extends BudgetedPlan>(p: P): P {
      const deletes = p.deletes.filter((d) => d.kind !== 'meshes');
      if (opts.force || deletes.length === 0) return p;
      const allowed = remaining();
      const kept = new Set(deletes.slice(0, allowed));
      const over = deletes.filter((d) => !kept.has(d));
      for (let i = 0; i < kept.size; i++) spent.push(now());
      if (over.length === 0) return p;
      const reason =
        `delete budget spent: at most ${opts.limit} deletes per ${Math.round(opts.windowMs / 1000)} s ` +
        `(GAMMA_DELETE_BUDGET, GAMMA_DELETE_WINDOW_SECONDS); set GAMMA_FORCE_DELETE=true (or --force-delete) ` +
        `if this mass delete is intended`;
      return {
        ...p,
        deletes: p.deletes.filter((d) => d.kind === 'meshes' || kept.has(d)),
        refused: [...p.refused, ...over.map((d) => ({ kind: d.kind, id: d.id, reason }))],
      };
    },
  };
}
