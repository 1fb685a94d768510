// The local stack's live log: one event per step a person cares about, rendered as one readable
// line (text) or one JSON object (--json). Pure: events in, strings out.
import type { ReconcileSummary } from '../../shared/pipeline/index.ts';
import type { Write } from './observed-netsvc.ts';

export type Severity = 'INFO' | 'WARNING' | 'ERROR';

export interface RouteCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** A route, named in the log as `kind ns/name`. */
export interface RouteRef {
  kind: string;
  namespace: string;
  name: string;
}

/** gamma-csm's status entry on one route after a sync, reduced to what the log shows. */
export interface RouteStatusView extends RouteRef {
  /** Undefined when gamma-csm has written no entry (yet). */
  conditions?: RouteCondition[];
}

export type StackEvent =
  | { type: 'listening'; component: string; address: string }
  | { type: 'seeded'; objects: number; sources: string[]; skipped: number }
  | { type: 'ready'; ms: number }
  | {
      type: 'synced';
      parent: string;
      reasons: string[];
      ms: number;
      writes: Write[];
      unchanged: number;
      routes: RouteStatusView[];
      problems: string[];
    }
  | { type: 'skipped'; parent: string; why: string; routes?: RouteRef[] }
  | { type: 'sync-failed'; parent: string; error: string; routes?: RouteRef[] }
  | { type: 'reconciled'; summary: ReconcileSummary; writes?: Write[] }
  | { type: 'reconcile-failed'; error: string; transient?: boolean }
  | { type: 'log'; component: string; severity: Severity; message: string; fields?: Record<string, unknown> }
  | { type: 'stopping'; signal: string }
  | { type: 'stopped'; ms: number };

export function severityOf(e: StackEvent): Severity {
  switch (e.type) {
    case 'sync-failed':
      return 'ERROR';
    case 'reconcile-failed':
      return e.transient ? 'WARNING' : 'ERROR';
    case 'synced':
      return e.problems.length > 0 || e.routes.some((r) => rejected(r) || acceptedWarnings(r).length > 0)
        ? 'WARNING'
        : 'INFO';
    case 'reconciled':
      return e.summary.failed + e.summary.refused + e.summary.statusFailures > 0 ? 'WARNING' : 'INFO';
    case 'log':
      return e.severity;
    default:
      return 'INFO';
  }
}

function condition(r: RouteStatusView, type: string): RouteCondition | undefined {
  return r.conditions?.find((c) => c.type === type);
}

function rejected(r: RouteStatusView): boolean {
  return (
    condition(r, 'Accepted')?.status === 'False' ||
    condition(r, 'ResolvedRefs')?.status === 'False' ||
    condition(r, 'PartiallyInvalid')?.status === 'True'
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function writeText(w: Write): string {
  const rules = w.rules !== undefined ? ` (${plural(w.rules, 'rule')})` : '';
  return `${w.kind}/${w.id} ${w.action}${rules}`;
}

/**
 * The warnings gamma-csm puts in an Accepted=True message ("...; warning: W"), e.g. a rule that answers
 * every request with an error: accepted per the spec, but not something to report as plain "Accepted".
 */
export function acceptedWarnings(r: RouteStatusView): string[] {
  const accepted = condition(r, 'Accepted');
  if (accepted?.status !== 'True' || !accepted.message) return [];
  return accepted.message.split('; warning: ').slice(1);
}

/** "status Accepted" / "status rejected: Accepted=False UnsupportedValue: ..." for one route. */
export function statusText(r: RouteStatusView): string {
  if (!r.conditions) return 'no status yet';
  const bad = r.conditions.find(
    (c) =>
      (c.type === 'PartiallyInvalid' && c.status === 'True') ||
      (c.type !== 'PartiallyInvalid' && c.status === 'False'),
  );
  const warnings = acceptedWarnings(r);
  if (!bad && warnings.length) return `Accepted with warnings: ${warnings.join('; ')}`;
  if (!bad) return condition(r, 'Accepted')?.status === 'True' ? 'Accepted' : 'pending';
  const label = bad.type === 'PartiallyInvalid' ? 'partially rejected' : 'rejected';
  return `${label}: ${bad.type}=${bad.status} ${bad.reason ?? ''}${bad.message ? `: ${bad.message}` : ''}`;
}

function routeText(r: RouteRef): string {
  return `${r.kind} ${r.namespace}/${r.name}`;
}

/** "Service ns/name" for a parent key cluster/ns/name (other texts, e.g. "message 7", as they are). */
export function parentText(parent: string): string {
  const parts = parent.split('/');
  return parts.length === 3 ? `Service ${parts[1]}/${parts[2]}` : parent;
}

/** " (HTTPRoute a/b, GRPCRoute c/d)", or nothing when no route is known. */
function routesText(routes: RouteRef[] | undefined): string {
  return routes?.length ? ` (${routes.map(routeText).join(', ')})` : '';
}

function syncedLine(e: Extract<StackEvent, { type: 'synced' }>): string {
  const changed = e.reasons.length > 0 ? e.reasons.join(', ') : 'no change named';
  const writes = e.writes.length > 0 ? e.writes.map(writeText).join(', ') : 'no Network Services change';
  const routes = e.routes.map((r) => `${routeText(r)} ${statusText(r)}`);
  const tail = routes.length > 0 ? `, ${routes.join('; ')}` : ', no route left';
  const problems = e.problems.length > 0 ? `; problems: ${e.problems.join('; ')}` : '';
  return `${parentText(e.parent)}: ${changed} -> snapshot published -> ${writes} in ${e.ms} ms${tail}${problems}`;
}

function reconciledLine(s: ReconcileSummary, writes: Write[] = []): string {
  const changes = s.created + s.updated + s.deleted;
  const named = writes.length > 0 ? ` (${writes.map(writeText).join(', ')})` : '';
  const what = s.drift
    ? `drift repaired: ${s.created} created, ${s.updated} updated, ${s.deleted} deleted${named}`
    : 'no drift';
  const trouble =
    s.failed + s.refused + s.statusFailures > 0
      ? `; ${s.failed} failed, ${s.refused} refused, ${s.statusFailures} status writes failed: ${s.errors.slice(0, 3).join('; ')}`
      : '';
  return `reconcile tick: ${what} (${plural(s.routes, 'route')} checked, ${changes ? '' : 'zero writes, '}${s.durationMs} ms)${trouble}`;
}

function fieldsText(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  const parts = Object.entries(fields).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  return parts.length ? ` (${parts.join(' ')})` : '';
}

/** The readable line for an event (no timestamp, no colour). */
export function eventText(e: StackEvent): string {
  switch (e.type) {
    case 'listening':
      return `${e.component} listening on ${e.address}`;
    case 'seeded':
      return `seeded ${plural(e.objects, 'object')} from ${e.sources.join(', ') || '(nothing)'}${e.skipped ? ` (${e.skipped} already present, kept)` : ''}`;
    case 'ready':
      return `gamma-csm local stack ready (${e.ms} ms)`;
    case 'synced':
      return syncedLine(e);
    case 'skipped':
      return `${parentText(e.parent)}${routesText(e.routes)}: delivery skipped, ${e.why}`;
    case 'sync-failed':
      return `${parentText(e.parent)}${routesText(e.routes)}: sync failed, Pub/Sub will redeliver: ${e.error}`;
    case 'reconciled':
      return reconciledLine(e.summary, e.writes);
    case 'reconcile-failed':
      return e.transient
        ? `reconcile tick incomplete, Pub/Sub will redeliver it: ${e.error}`
        : `reconcile tick failed, nothing applied: ${e.error}`;
    case 'log':
      return `${e.component}: ${e.message}${fieldsText(e.fields)}`;
    case 'stopping':
      return `${e.signal} received, shutting down`;
    case 'stopped':
      return `stopped cleanly in ${e.ms} ms`;
  }
}

export interface Palette {
  warn(s: string): string;
  error(s: string): string;
  ok(s: string): string;
  dim(s: string): string;
}

const ESC = '\u001b[';
export const COLOURS: Palette = {
  warn: (s) => `${ESC}33m${s}${ESC}0m`,
  error: (s) => `${ESC}31m${s}${ESC}0m`,
  ok: (s) => `${ESC}32m${s}${ESC}0m`,
  dim: (s) => `${ESC}2m${s}${ESC}0m`,
};
export const NO_COLOURS: Palette = { warn: (s) => s, error: (s) => s, ok: (s) => s, dim: (s) => s };

/** One text line: time, a warning/error word when it is one, the message. */
export function textLine(e: StackEvent, time: Date, palette: Palette = NO_COLOURS): string {
  const severity = severityOf(e);
  const clock = palette.dim(time.toISOString().slice(11, 23));
  const body = eventText(e);
  if (severity === 'ERROR') return `${clock} ${palette.error(`error: ${body}`)}`;
  if (severity === 'WARNING') return `${clock} ${palette.warn(`warning: ${body}`)}`;
  if (e.type === 'ready') return `${clock} ${palette.ok(body)}`;
  return `${clock} ${body}`;
}

/** One JSON line: severity, message (the text line's words), time, and the event's fields. */
export function jsonLine(e: StackEvent, time: Date): string {
  return JSON.stringify({
    severity: severityOf(e),
    message: eventText(e),
    time: time.toISOString(),
    event: e,
  });
}
