// RequestMirror -> requestMirrorPolicy {destination, mirrorPercent}. Network Services mirrors to one
// destination per rule, so only a rule's first RequestMirror is applied. percent -> mirrorPercent;
// fraction numerator/denominator (default 100) -> the same percentage; neither -> 100.
// mirrorPercent is a proto `float`: the value is emitted as the API will store and print it, so what
// is written is what is read back (1/3 -> 33.3333321).
import type { HTTPRouteFilter, RequestMirrorFilter, RouteKind } from '../../gamma/types.ts';
import type { BackendMapping } from '../types.ts';
import type { NsHttpAction } from '../model.ts';
import type { CompileContext } from '../state.ts';
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

/**
 * A rule's first RequestMirror as a mirror policy with the backend it needs (Network Services
 * mirrors to one destination: extra mirrors are warned about by the caller). A target that does not
 * resolve is left out with a warning: mirrors never change where requests go.
 */
export function firstMirror(
  mirrors: HTTPRouteFilter[],
  namespace: string,
  kind: RouteKind,
  ctx: CompileContext,
  warnings: string[],
): { policy: NsHttpAction['requestMirrorPolicy']; mapping: BackendMapping } | undefined {
  const mirror = mirrors[0]?.requestMirror;
  if (!isObj(mirror)) return undefined;
  const target = ctx.resolve(mirror.backendRef, namespace, kind);
  if (!target.ok) {
    warnings.push(`its RequestMirror is not applied: ${target.problem.message}`);
    return undefined;
  }
  const policy = { destination: { serviceName: target.serviceName }, mirrorPercent: mirrorPercent(mirror) };
  return { policy, mapping: target.mapping };
}
