// 32-bit float fields of Network Services v1 (discovery `"format": "float"`; docs/api-fidelity.md).
// The API stores them as proto `float`, so what comes back is the float32 nearest to what was sent,
// printed the way protobuf's JSON writer prints a float. Pure: shared by the translator (emit values
// that survive the round trip), the planner (compare at float32 precision) and the emulator (store
// and answer like the API).

/**
 * Every `format: float` field in the v1 schema, by JSON name (the names are unique to those
 * messages): HttpRouteRequestMirrorPolicy.mirrorPercent and WasmPluginLogConfig.sampleRate.
 * test/netsvc/float32.test.ts checks this list against the vendored discovery document.
 */
export const FLOAT32_FIELDS: ReadonlySet<string> = new Set(['mirrorPercent', 'sampleRate']);

/**
 * The float32 value of `x` as protobuf's JSON writer prints it (io::SimpleFtoa): 6 significant
 * digits when those read back as the same float32, else 9, which always do. Returned as the JS number
 * that prints as that decimal, e.g. 33.333333333333336 -> 33.3333321 (not the shortest, 33.333332).
 */
export function float32Json(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.fround(x);
  const short = Number(f.toPrecision(6));
  return Math.fround(short) === f ? short : Number(f.toPrecision(9));
}

/** Whether two numbers are the same float32 (what the API would store for either). */
export function sameFloat32(a: number, b: number): boolean {
  return Math.fround(a) === Math.fround(b);
}

/** A copy of `value` with every FLOAT32_FIELDS number replaced by float32Json of it, at any depth. */
export function roundFloat32Fields<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      out[k] = FLOAT32_FIELDS.has(k) && typeof child === 'number' ? float32Json(child) : walk(child);
    }
    return out;
  };
  return walk(value) as T;
}
