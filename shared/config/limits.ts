// The caps a configuration sets: what one function event or run may cost and delete, and the size
// caps on each emitted route set.
import { DEFAULT_ROUTE_LIMITS, ROUTE_LIMIT_INFO, type RouteLimits } from '../translate/limits.ts';
import type { EnvReader } from './read.ts';
import { DEFAULTS, type FunctionGuards } from './types.ts';

export function readFunctionGuards(r: EnvReader): FunctionGuards {
  const int = (name: string, fallback: number, min: number, max: number) =>
    r.number(name, fallback, { min, max, integer: true });
  return {
    maxPortsPerParent: int('GAMMA_MAX_PORTS_PER_PARENT', DEFAULTS.maxPortsPerParent, 1, 1000),
    maxRoutesPerSnapshot: int('GAMMA_MAX_ROUTES_PER_SNAPSHOT', DEFAULTS.maxRoutesPerSnapshot, 1, 10000),
    maxServicesPerSnapshot: int('GAMMA_MAX_SERVICES_PER_SNAPSHOT', DEFAULTS.maxServicesPerSnapshot, 1, 10000),
    deleteBudget: int('GAMMA_DELETE_BUDGET', DEFAULTS.deleteBudget, 0, 100000),
    deleteWindowSeconds: int('GAMMA_DELETE_WINDOW_SECONDS', DEFAULTS.deleteWindowSeconds, 1, 86400),
    reconcileIntervalSeconds: int(
      'GAMMA_RECONCILE_INTERVAL_SECONDS',
      DEFAULTS.reconcileIntervalSeconds,
      10,
      86400,
    ),
  };
}

/** GAMMA_MAX_RULES_PER_ROUTE and the other route size caps that are set (docs/support-matrix.md). */
export function readRouteLimits(r: EnvReader): Partial<RouteLimits> | undefined {
  const out: Partial<RouteLimits> = {};
  for (const key of Object.keys(ROUTE_LIMIT_INFO) as (keyof RouteLimits)[]) {
    const env = ROUTE_LIMIT_INFO[key].env;
    if (r.raw(env) === undefined) continue;
    out[key] = r.number(env, DEFAULT_ROUTE_LIMITS[key], { min: 1, max: 100 * 1024 * 1024, integer: true });
  }
  return Object.keys(out).length ? out : undefined;
}
