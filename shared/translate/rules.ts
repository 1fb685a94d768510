// The steps every Service port's compiled rules go through, whatever the route kind: entries sorted
// by precedence then route order, and emitted in the form (HttpRoute or GrpcRoute) the port is
// written as, adjacent arms with equal actions merged into one Network Services rule.
import type { RouteKind } from '../gamma/types.ts';
import type { NsGrpcRule, NsHttpRule } from './model.ts';
import { sameAction } from './model.ts';
import type { Arm, Entry, RouteForm, RouteIdentity, RuleRef } from './state.ts';
import { compareEntryOrder } from './precedence.ts';
import type { Scratch } from './util.ts';
import { sortList } from './util.ts';

/** The reference every entry of one rule shares. */
export function ruleRef(kind: RouteKind, route: RouteIdentity, index: number): RuleRef {
  return { kind, route: route.ref, index, createdMs: route.createdMs };
}

/** Sorts in place by match precedence, then by route order (precedence.ts). */
export function sortEntries<N>(entries: Entry<N>[], compare: (a: N, b: N) => number): Entry<N>[] {
  return sortList(entries, (a, b) => compare(a.normal, b.normal) || compareEntryOrder(a, b));
}

type Rule = NsHttpRule | NsGrpcRule;

/**
 * The Network Services rules of sorted entries, in the given form. Each arm's match joins the rule
 * before it when their actions are equal; an arm that matches everything (a GRPCRoute match with no
 * method and no header) is a rule without matches of its own, merged with nothing.
 */
export function emitRules(sorted: Entry[], form: 'HttpRoute', run: Scratch<unknown>): NsHttpRule[];
export function emitRules(sorted: Entry[], form: 'GrpcRoute', run: Scratch<unknown>): NsGrpcRule[];
export function emitRules(sorted: Entry[], form: RouteForm, run: Scratch<unknown>): Rule[] {
  const rules: Rule[] = [];
  // The matches of the current run are copied out at its end, at their final size.
  let runAction: object | undefined;
  run.clear();
  const endRun = () => {
    if (runAction !== undefined) rules.push({ matches: run.take(), action: runAction } as Rule);
    run.clear();
    runAction = undefined;
  };
  const add = (arm: Arm<object, object>) => {
    if (matchesEverything(arm.match)) {
      endRun();
      rules.push({ action: arm.action });
      return;
    }
    if (runAction !== undefined && !sameAction(arm.action, runAction)) endRun();
    run.add(arm.match);
    runAction ??= arm.action;
  };
  for (let e = 0; e < sorted.length; e++) {
    const entry = sorted[e];
    if (form === 'GrpcRoute') add(entry.grpc as Arm<object, object>);
    else for (let a = 0; a < entry.http.length; a++) add(entry.http[a]);
  }
  endRun();
  return rules;
}

function matchesEverything(match: object): boolean {
  for (const key in match) if (Object.hasOwn(match, key)) return false;
  return true;
}
