// RequestMirror -> requestMirrorPolicy {destination, mirrorPercent}. Network Services mirrors to one
// destination per rule, so a rule with several RequestMirror filters is rejected. percent -> mirrorPercent;
// fraction numerator/denominator (default 100) -> the same percentage; neither -> 100.
// mirrorPercent is a proto `float`: the value is emitted as the API will store and print it, so what
// is written is what is read back (1/3 -> 33.3333321).
import type { RequestMirrorFilter } from '../../gamma/types.ts';
import { float32Json } from '../../netsvc/float32.ts';
import { asNumber, isObj } from '../util.ts';

export function mirrorPercent(filter: RequestMirrorFilter | undefined): number {
  return float32Json(exactMirrorPercent(filter));
}

function exactMirrorPercent(filter: RequestMirrorFilter | undefined): number {
  if (!isObj(filter)) return 100;
  const percent = asNumber(filter.percent);
  if (percent !== undefined) return Math.min(100, Math.max(0, percent));
  if (isObj(filter.fraction)) {
    const numerator = asNumber(filter.fraction.numerator) ?? 0;
    const denominator = asNumber(filter.fraction.denominator) ?? 100;
    if (denominator <= 0) return 0;
    return Math.min(100, Math.max(0, (100 * numerator) / denominator));
  }
  return 100;
}
