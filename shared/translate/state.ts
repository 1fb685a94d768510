// The intermediate state of one translate call, shared by its steps (docs/architecture.md §4.2):
// routes as translate sees them, the groups of routes attached to one Service port, and the entries
// their rules compile into (one Entry type for HTTPRoute and GRPCRoute). Types only; the steps that
// fill them live in routes.ts, groups.ts, http.ts, grpc.ts, rules.ts, shadow.ts and status.ts, which
// all import from here (and never from each other for a type), so the modules form no import cycle.
import type { ParentReference, Route, RouteKind, Service, ServicePort } from '../gamma/types.ts';
import type { BackendMapping, TranslateOptions } from './types.ts';
import type {
  NsGrpcAction,
  NsGrpcMatch,
  NsHttpAction,
  NsHttpDestination,
  NsHttpMatch,
  NsHttpRule,
  Problem,
} from './model.ts';
import type { MatchArm } from './match.ts';
import type { Scratch } from './util.ts';
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

/** One Network Services match with the action it leads to. */
export interface Arm<M, A> {
  match: M;
  action: A;
}

/** An HttpRoute arm; `kind` tells the HTTPRoute compiler which action an arm of a PathPrefix gets. */
export type HttpArm = MatchArm & Arm<NsHttpMatch, NsHttpAction>;

export type GrpcArm = Arm<NsGrpcMatch, NsGrpcAction>;

/** The kind of Network Services route a Service port is written as (chosen when emitting). */
export type RouteForm = 'HttpRoute' | 'GrpcRoute';

/**
 * One Gateway API match of a rule, compiled: N is the normalized match (NormalMatch for HTTPRoute,
 * NormalGrpcMatch for GRPCRoute), which precedence and the shadow search read; the emitter reads the
 * arms of the form the port is written as.
 */
export interface Entry<N = unknown> {
  normal: N;
  /** The route order key is the rule's (creation time, route, rule index) and this. */
  matchIndex: number;
  rule: RuleRef;
  backends: string[];
  /** The HttpRoute form: its matches (ORed), each with its action. */
  http: HttpArm[];
  /** The GrpcRoute form (GRPCRoute entries only). */
  grpc: GrpcArm | undefined;
}

/** What compiling one rule yields: its entries, or why it was dropped. */
export interface CompiledRule<N = unknown> {
  entries: Entry<N>[];
  /** Set when the rule is dropped; failClosed rules still answer their matches with an error. */
  dropped?: Problem & { failClosed?: boolean };
  warnings: string[];
  mappings: BackendMapping[];
}

/**
 * Lists the compilers refill for every rule and copy out at their final size, one set per translate
 * call (the steps that use them do not recurse).
 */
export interface Scratches {
  destinations: Scratch<NsHttpDestination>;
  labels: Scratch<string>;
  mappings: Scratch<BackendMapping>;
  /** The matches of the run of equal actions being merged into one rule. */
  run: Scratch<unknown>;
}

export interface CompileContext {
  options: TranslateOptions;
  /** Resolves backendRefs (memoized for the translate call). */
  resolve: BackendResolver;
  servicePort: number;
  scratch: Scratches;
}

/**
 * Answers, for i = 0, 1, 2, ... in turn, the index of the first entry before i of another rule that
 * covers entry i (shadow.ts), or -1.
 */
export type FirstCovering = (i: number) => number;

/**
 * What the protocol-neutral steps need to know of one route kind's rules: how a rule compiles, which
 * match takes precedence, which earlier entry covers another, and the rule (if any) that answers
 * requests no rule matches.
 */
export interface RuleSemantics<N> {
  compile(
    route: RouteIdentity,
    ruleIndex: number,
    rule: Record<string, unknown>,
    ctx: CompileContext,
  ): CompiledRule<N>;
  /** Negative when `a` takes precedence over `b`. */
  compare(a: N, b: N): number;
  firstCovering(sorted: Entry<N>[]): FirstCovering;
  /** The form the port is written as, chosen once its members' rules are compiled. */
  form(members: Member[]): RouteForm;
  /** The last rule of the port's route, for requests matching no entry (HTTPRoute: 404). */
  fallback?(sorted: Entry<N>[]): NsHttpRule | undefined;
}
