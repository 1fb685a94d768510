// Fault injection for the emulator: what to do to one request, decided from a seeded random source.

// PUT is for the Compute emulator (infra/local/compute), which shares this module.
export type FaultMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface Faults {
  /** Added to every API request (not the admin surface). */
  latencyMs?: number;
  /** Extra uniform random latency in [0, jitterMs]. */
  jitterMs?: number;
  /** Probability per HTTP method (or '*' for all) of answering 429 / 500 / 503 instead. */
  errorRates?: Partial<Record<FaultMethod | '*', Partial<Record<'429' | '500' | '503', number>>>>;
  /** Probability of closing the socket without an answer; half before, half after doing the work. */
  dropRate?: number;
  /** Probability that a mutation's operation finishes with an error (and changes nothing). */
  failOperationRate?: number;
  /** Operations stay pending for this many polls and/or milliseconds. */
  operationDelay?: { polls?: number; ms?: number };
  /** Seed for the random source, for reproducible runs. */
  seed?: number;
  /** Scripted faults for the next API requests, one step each, before any random decision. */
  next?: FaultStep[];
}

export type FaultStep = { status: 429 | 500 | 503 } | { drop: 'before' | 'after' } | 'ok';

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'error'; httpStatus: 429 | 500 | 503 }
  | { kind: 'drop'; when: 'before' | 'after' };

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides the fault for one request. One draw per request keeps the rates exact in expectation. */
export function decideFault(faults: Faults, method: string, random: () => number): FaultDecision {
  const step = faults.next?.shift();
  if (step !== undefined) return fromStep(step);
  const rates = { ...faults.errorRates?.['*'], ...faults.errorRates?.[method as FaultMethod] };
  let r = random();
  for (const code of ['429', '500', '503'] as const) {
    const p = rates[code] ?? 0;
    if (r < p) return { kind: 'error', httpStatus: Number(code) as 429 | 500 | 503 };
    r -= p;
  }
  const drop = faults.dropRate ?? 0;
  if (r < drop) return { kind: 'drop', when: r < drop / 2 ? 'before' : 'after' };
  return { kind: 'none' };
}

function fromStep(step: FaultStep): FaultDecision {
  if (step === 'ok') return { kind: 'none' };
  return 'status' in step ? { kind: 'error', httpStatus: step.status } : { kind: 'drop', when: step.drop };
}

export function latencyFor(faults: Faults, random: () => number): number {
  return (faults.latencyMs ?? 0) + (faults.jitterMs ? random() * faults.jitterMs : 0);
}

/** Checks a faults document from the admin API; returns a message naming the bad field. */
export function validateFaults(f: unknown): string | undefined {
  if (!f || typeof f !== 'object' || Array.isArray(f)) return 'faults must be a JSON object';
  const o = f as Record<string, unknown>;
  const known = [
    'latencyMs',
    'jitterMs',
    'errorRates',
    'dropRate',
    'failOperationRate',
    'operationDelay',
    'seed',
    'next',
  ];
  const unknown = Object.keys(o).find((k) => !known.includes(k));
  if (unknown) return `unknown faults field "${unknown}"; known: ${known.join(', ')}`;
  for (const k of ['dropRate', 'failOperationRate']) {
    if (o[k] !== undefined && !(typeof o[k] === 'number' && o[k] >= 0 && o[k] <= 1))
      return `${k} must be a number from 0 to 1`;
  }
  for (const k of ['latencyMs', 'jitterMs']) {
    if (o[k] !== undefined && !(typeof o[k] === 'number' && o[k] >= 0))
      return `${k} must be a non-negative number`;
  }
  if (o.next !== undefined && !Array.isArray(o.next)) return 'next must be a list of fault steps';
  for (const [i, step] of ((o.next as unknown[]) ?? []).entries()) {
    const ok =
      step === 'ok' ||
      (step &&
        typeof step === 'object' &&
        ([429, 500, 503].includes((step as { status?: number }).status as number) ||
          ['before', 'after'].includes((step as { drop?: string }).drop as string)));
    if (!ok) return `next[${i}] must be "ok", {status: 429|500|503} or {drop: "before"|"after"}`;
  }
  if (o.errorRates !== undefined) {
    if (!o.errorRates || typeof o.errorRates !== 'object')
      return 'errorRates must be an object keyed by HTTP method';
    for (const [m, rates] of Object.entries(o.errorRates as Record<string, unknown>)) {
      if (!['GET', 'POST', 'PATCH', 'PUT', 'DELETE', '*'].includes(m))
        return `errorRates: unknown method "${m}"`;
      let sum = 0;
      for (const [code, p] of Object.entries((rates ?? {}) as Record<string, unknown>)) {
        if (!['429', '500', '503'].includes(code))
          return `errorRates.${m}: unknown status "${code}" (429, 500, 503)`;
        if (!(typeof p === 'number' && p >= 0 && p <= 1))
          return `errorRates.${m}.${code} must be a number from 0 to 1`;
        sum += p;
      }
      if (sum > 1) return `errorRates.${m}: rates add up to more than 1`;
    }
  }
  return undefined;
}
