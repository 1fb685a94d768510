// Route status per parentRef (docs/architecture.md §4.6): Accepted, ResolvedRefs and, when some
// but not all rules were dropped, PartiallyInvalid ("Dropped Rule N: ..."). observedGeneration is the
// route's metadata.generation. Timestamps are left to the status writer (translate has no clock).
import type { Condition, ParentReference } from '../gamma/types.ts';
import type { ParentStatus } from './types.ts';
import type { Problem } from './model.ts';
import type { ParentOutcome, RouteOutcome } from './state.ts';
import { NONE, ruleLabel } from './util.ts';

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
  const text = message.length > MAX_CONDITION_MESSAGE ? message.slice(0, MAX_CONDITION_MESSAGE) : message;
  // One literal each way: a field added afterwards costs V8 another allocation.
  return generation === undefined
    ? { type, status, reason, message: text }
    : { type, status, reason, message: text, observedGeneration: generation };
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

/**
 * The status of parents that were simply translated into one NS route (no problem, conflict, note,
 * warning, dropped rule or unresolved reference), by NS route id: every such route on a Service port
 * has the same conditions, so they share one frozen list per translate call (the first generation
 * seen; others build their own). A route whose only parentRef is written exactly as the first one's
 * (same keys in the same order, same values) shares its whole frozen parents list too.
 */
export type PlainConditions = Map<string, PlainParent>;

interface PlainParent {
  generation?: number;
  conditions: Condition[];
  ref: ParentReference;
  parents: ParentStatus[];
}

/** The route's status entries, one per parent outcome (see PlainConditions for what is shared). */
export function parentStatuses(
  route: RouteOutcome & { parents: ParentOutcome[] },
  controllerName: string,
  generation: number | undefined,
  plain: PlainConditions,
): ParentStatus[] {
  const outcomes = route.parents;
  if (outcomes.length === 1) {
    const known = plainParent(outcomes[0], route, controllerName, generation, plain);
    if (known && sameWriting(known.ref, outcomes[0].ref)) return known.parents;
  }
  const list = new Array<ParentStatus>(outcomes.length);
  for (let i = 0; i < outcomes.length; i++)
    list[i] = parentStatus(outcomes[i], route, controllerName, generation, plain);
  return list;
}

function plainParent(
  parent: ParentOutcome,
  route: RouteOutcome,
  controllerName: string,
  generation: number | undefined,
  plain: PlainConditions,
): PlainParent | undefined {
  if (!isPlainOutcome(parent, route)) return undefined;
  const id = parent.routeIds[0];
  let known = plain.get(id);
  if (!known) {
    const conditions = Object.freeze(statusConditions(parent, route, generation)) as Condition[];
    Object.freeze(conditions[0]);
    const shared = Object.freeze({ parentRef: parent.ref, controllerName, conditions });
    known = { generation, conditions, ref: parent.ref, parents: Object.freeze([shared]) as ParentStatus[] };
    plain.set(id, known);
  }
  return known.generation === generation ? known : undefined;
}

/** Same own keys in the same order with the same scalar values: both serialize to the same JSON. */
function sameWriting(a: object, b: object): boolean {
  if (a === b) return true;
  // a's keys in order, in a reused list (this runs once per route); then b's are walked against it.
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key)) return false;
    const value: unknown = (a as Record<string, unknown>)[key];
    if (typeof value === 'object' || value !== (b as Record<string, unknown>)[key]) return false;
    writingKeys[count++] = key;
  }
  let i = 0;
  for (const key in b) if (i >= count || !Object.hasOwn(b, key) || key !== writingKeys[i++]) return false;
  return i === count;
}

const writingKeys: string[] = [];

function isPlainOutcome(parent: ParentOutcome, route: RouteOutcome): boolean {
  return (
    parent.problem === undefined &&
    parent.routeIds.length === 1 &&
    parent.conflicted.length === 0 &&
    parent.notes.length === 0 &&
    route.warnings.length === 0 &&
    route.refProblems.length === 0 &&
    (route.dropped === undefined || route.dropped.size === 0)
  );
}

function parentStatus(
  parent: ParentOutcome,
  route: RouteOutcome,
  controllerName: string,
  generation: number | undefined,
  plain: PlainConditions,
): ParentStatus {
  const known = plainParent(parent, route, controllerName, generation, plain);
  if (known) return { parentRef: parent.ref, controllerName, conditions: known.conditions };
  return { parentRef: parent.ref, controllerName, conditions: statusConditions(parent, route, generation) };
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

/**
 * The ResolvedRefs condition of a route whose references all resolve, by generation: the same for
 * most routes, so one (frozen) object each. Output objects are never mutated (the status writer copies).
 */
const allResolved = new Map<number | undefined, Condition>();

function resolvedRefsCondition(route: RouteOutcome, generation?: number): Condition {
  if (route.refProblems.length === 0) {
    let shared = allResolved.get(generation);
    if (!shared) {
      shared = Object.freeze(
        condition('ResolvedRefs', 'True', 'ResolvedRefs', 'All references resolved', generation),
      );
      if (allResolved.size >= 1000) allResolved.clear();
      allResolved.set(generation, shared);
    }
    return shared;
  }
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
  const conflictText = parent.conflicted.length ? parent.conflicted.map(conflictMessage) : NONE;
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
