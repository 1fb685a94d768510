// Route status per parentRef (docs/architecture.md §4.6): Accepted, ResolvedRefs and, when some
// but not all rules were dropped, PartiallyInvalid ("Dropped Rule N: ..."). observedGeneration is the
// route's metadata.generation. Timestamps are left to the status writer (translate has no clock).
import type { Condition } from '../gamma/types.ts';
import type { ParentStatus } from './types.ts';
import type { Problem } from './model.ts';
import type { ParentOutcome, RouteOutcome } from './state.ts';
import { ruleLabel } from './util.ts';

/** The API's limit on a condition message (metav1.Condition: maxLength 32768). */
export const MAX_CONDITION_MESSAGE = 32768;

/** A status condition; the message is cut to the API's limit. */
function condition(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  generation?: number,
): Condition {
  return {
    type,
    status,
    reason,
    message: message.length > MAX_CONDITION_MESSAGE ? message.slice(0, MAX_CONDITION_MESSAGE) : message,
    ...(generation !== undefined && { observedGeneration: generation }),
  };
}

/** Accepted=False for `reason`: the parent does not take the route. */
export function rejectedCondition(reason: string, message: string, generation?: number): Condition {
  return condition('Accepted', 'False', reason, message, generation);
}

/** Starts with "Dropped Rule", as the Gateway API asks of a PartiallyInvalid message. */
export function droppedMessage(dropped: Map<number, Problem>, rules?: readonly unknown[]): string {
  return [...dropped.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([index, p]) => `Dropped Rule ${ruleLabel(rules, index)}: ${p.message}`)
    .join('; ');
}

/** The route's status entries, one per parentRef (ParentOutcome). */
export function parentStatuses(
  route: RouteOutcome & { parents: ParentOutcome[] },
  controllerName: string,
  generation: number | undefined,
): ParentStatus[] {
  return route.parents.map((parent) => ({
    parentRef: parent.ref,
    controllerName,
    conditions: statusConditions(parent, route, generation),
  }));
}

function statusConditions(parent: ParentOutcome, route: RouteOutcome, generation?: number): Condition[] {
  const accepted = acceptedCondition(parent, route, generation);
  const conditions: Condition[] = [accepted, resolvedRefsCondition(route, generation)];
  if (accepted.status === 'True' && route.dropped !== undefined && route.dropped.size > 0) {
    conditions.push(
      condition(
        'PartiallyInvalid',
        'True',
        'UnsupportedValue',
        droppedMessage(route.dropped, route.rules),
        generation,
      ),
    );
  }
  return conditions;
}

function resolvedRefsCondition(route: RouteOutcome, generation?: number): Condition {
  if (route.refProblems.length === 0)
    return condition('ResolvedRefs', 'True', 'ResolvedRefs', 'All references resolved', generation);
  const messages = [...new Set(route.refProblems.map((p) => p.message))];
  const effect = route.unresolvedEffect ?? 'requests routed to them are answered with an error';
  return condition(
    'ResolvedRefs',
    'False',
    route.refProblems[0].reason,
    `${messages.join('; ')}; ${effect}`,
    generation,
  );
}

function conflictMessage(c: ParentOutcome['conflicted'][number]): string {
  return `port ${c.port} is served by ${c.by.join(', ')} (${c.why ?? 'GRPCRoute takes precedence over HTTPRoute'})`;
}

function acceptedCondition(parent: ParentOutcome, route: RouteOutcome, generation?: number): Condition {
  if (parent.problem) return rejectedCondition(parent.problem.reason, parent.problem.message, generation);
  const conflictText = parent.conflicted.map(conflictMessage);
  if (parent.conflicted.length > 0 && parent.conflicted.length === parent.portCount) {
    return rejectedCondition('Conflicted', conflictText.join('; '), generation);
  }
  if (route.ruleCount > 0 && route.dropped !== undefined && route.dropped.size === route.ruleCount) {
    return rejectedCondition(
      'UnsupportedValue',
      `no rule can be translated: ${droppedMessage(route.dropped, route.rules)}`,
      generation,
    );
  }
  // Every selected port either lost to another route or could not be written (notes say why).
  if (parent.routeIds.length === 0 && parent.portCount > 0 && parent.notes.length > 0) {
    return rejectedCondition(
      'UnsupportedValue',
      `no Network Services route is written for it: ${[...conflictText, ...parent.notes].join('; ')}`,
      generation,
    );
  }
  // The parts joined with '; ': what was built, conflicts, notes, then each distinct warning.
  let message = `Translated into ${parent.routeIds.join(', ')}`;
  for (let i = 0; i < conflictText.length; i++) message += `; ${conflictText[i]}`;
  for (let i = 0; i < parent.notes.length; i++) message += `; ${parent.notes[i]}`;
  if (route.warnings.length) for (const w of new Set(route.warnings)) message += `; warning: ${w}`;
  return condition('Accepted', 'True', 'Accepted', message, generation);
}
