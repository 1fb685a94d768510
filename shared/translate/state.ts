// The intermediate state of one translate call, shared by its steps (docs/architecture.md §4.2):
// routes as translate sees them, the groups of routes attached to one Service port, and the entries
// their rules compile into. Types only; the steps that fill them live in routes.ts, groups.ts,
// http.ts, grpc.ts, shadow.ts and status.ts, which all import from here (and never from each other
// for a type), so the modules form no import cycle.
import type { ParentReference, Route, RouteKind, Service, ServicePort } from '../gamma/types.ts';
import type { BackendMapping, TranslateOptions } from './types.ts';
import type { NsGrpcAction, NsGrpcMatch, NsHttpAction, NsHttpMatch, Problem } from './model.ts';
import type { MatchArm, NormalMatch } from './match.ts';
import type { NormalGrpcMatch } from './grpc-match.ts';
import type { GrpcPrecedence, RouteOrderKey } from './precedence.ts';
import type { BackendResolver } from './backends.ts';

/** A route as the compilers see it: its name and the precomputed tie-breaking part of its order key. */
export interface RouteIdentity {
  namespace: string;
  name: string;
  createdMs: number;
  ref: string; // "namespace/name"
}

/** A route's outcome for one parentRef: what its status entry is built from. */
export interface ParentOutcome {
  ref: ParentReference;
  /** Parent-level rejection (consumer route, missing Service, no such port, invalid route). */
  problem?: Problem;
  /** How many Service ports the parentRef selected (a conflict on every one rejects the parent). */
  portCount: number;
  /** Ports lost to other routes; `why` names the precedence rule (absent: GRPCRoute over HTTPRoute). */
  conflicted: { port: number; by: string[]; why?: string }[];
  routeIds: string[];
  notes: string[];
}

/** What a route's status says about all of its parents: rules, dropped rules, references, warnings. */
export interface RouteOutcome {
  ruleCount: number;
  /** The route's spec.rules, to name dropped rules (optional for callers that have none). */
  rules?: readonly unknown[];
  /** Dropped rules by index (absent until the first drop). */
  dropped: Map<number, Problem> | undefined;
  refProblems: Problem[];
  warnings: string[];
  /** What happens to traffic for unresolved references (absent: answered with an error). */
  unresolvedEffect?: string;
}

/**
 * Everything translate learns about one route. It is its own RouteIdentity (what the compilers read)
 * and RouteOutcome (what the status is built from): one object per route instead of three.
 */
export interface RouteState extends RouteIdentity, RouteOutcome {
  kind: RouteKind;
  route: Route;
  /** Read once: every later step walks these. */
  rules: unknown[];
  parentRefs: unknown[];
  generation?: number;
  invalid?: string;
  /** Validation errors by rule index (absent for most routes: created on the first error). */
  ruleErrors?: Map<number, string>;
  parents: ParentOutcome[];
  /** The group whose rules last included this route (a route listed twice compiles once). */
  compiledFor?: Group;
}

/** A route's outcome for one parentRef, knowing its route: what a group lists. */
export interface Member extends ParentOutcome {
  state: RouteState;
}

/** The routes attached to one Service port: they become one Network Services route. */
export interface Group {
  namespace: string;
  service: Service;
  port: ServicePort;
  members: Member[];
}

/**
 * The groups by "namespace/service/port", and the same groups by Service port object: the routes of
 * one Service find their group by identity, without building and hashing the key string each time.
 */
export interface Groups {
  byKey: Map<string, Group>;
  byPort: Map<ServicePort, Group>;
}

/**
 * One rule of one route. Every entry compiled from the rule holds the same object, so "same rule" is
 * an identity check; the text that names it is built only for a message.
 */
export interface RuleRef {
  kind: RouteKind;
  route: string; // "namespace/name"
  index: number;
  /** The route's creationTimestamp in ms (the first precedence tie-breaker). */
  createdMs: number;
}

/** A rule that can never match, the rule whose entry covers it, and the backends it would send to. */
export interface Shadowed {
  rule: RuleRef;
  by: RuleRef;
  backends: string[];
}

/** One Network Services match of an entry with the action it leads to. */
export type HttpArm = MatchArm & { action: NsHttpAction };

/** One Gateway API match of an HTTPRoute rule, compiled. */
export interface HttpEntry {
  normal: NormalMatch;
  arms: HttpArm[];
  /** The route order key is the rule's (creation time, route, rule index) and this. */
  matchIndex: number;
  rule: RuleRef;
  backends: string[];
}

/** One Gateway API match of a GRPCRoute rule, compiled. */
export interface GrpcEntry {
  normal: NormalGrpcMatch;
  match: NsGrpcMatch;
  action: NsGrpcAction;
  precedence: GrpcPrecedence;
  order: RouteOrderKey;
  rule: RuleRef;
  backends: string[];
  /** The HttpRoute form of this entry, when the port is served as an HttpRoute. */
  http?: { match: NsHttpMatch; action: NsHttpAction };
}

/** What compiling one rule yields: its entries (HttpEntry or GrpcEntry), or why it was dropped. */
export interface CompiledRule<E> {
  entries: E[];
  /** Set when the rule is dropped; failClosed rules still answer their matches with an error. */
  dropped?: Problem & { failClosed?: boolean };
  warnings: string[];
  mappings: BackendMapping[];
}

export interface CompileContext {
  options: TranslateOptions;
  /** Resolves backendRefs (memoized for the translate call). */
  resolve: BackendResolver;
  servicePort: number;
}
