// What every benchmark scenario provides: default and quick parameters, and a run that measures the
// product's real code paths and returns figures.
import type { Figure } from './figures.ts';

export type Log = (line: string) => void;

export interface Scenario<P> {
  name: string;
  title: string;
  params(quick: boolean): P;
  run(params: P, log: Log): Promise<Figure[]>;
}

/** Widens a typed scenario for the runner's list. */
export function scenario<P>(s: Scenario<P>): Scenario<unknown> {
  return s as Scenario<unknown>;
}

/** Waits until `check` answers true, polling every `everyMs`; false when `timeoutMs` passes first. */
export async function waitFor(check: () => boolean, timeoutMs: number, everyMs = 5): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return true;
}

export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
