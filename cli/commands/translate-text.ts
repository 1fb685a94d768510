// `gamma-csm translate -o text`: what a person scans. Every value that changes behaviour is spelled
// out (timeouts, retries, mirrors, faults, header changes, redirects, rewrites), status messages are
// shown (notes such as omitted short hostnames), and every ignored object says why. Rules are
// numbered as in the YAML: `rules[N]` of the printed Network Services route, `spec.rules[N]` of the
// input route (docs/cli.md, "Reading the messages").
import type { DesiredCompute } from '../../shared/compute/types.ts';
import { backendServiceLines } from './backends-text.ts';
import type { IgnoredObject } from '../../shared/gamma/index.ts';
import type { Desired, RouteStatusEntry } from '../../shared/translate/types.ts';

type Json = Record<string, unknown>;

export function renderText(
  desired: Desired & Partial<DesiredCompute>,
  ignored: IgnoredObject[],
  warnings: string[] = [],
): string {
  const backendNames = new Map(
    desired.backends.map((b) => [b.serviceName, `${b.namespace}/${b.service}:${b.port}`]),
  );
  const label = (serviceName: unknown) => {
    const name = String(serviceName ?? '');
    return backendNames.get(name) ?? lastSegment(name);
  };
  const lines: string[] = [`Mesh ${desired.mesh.name ?? '(unnamed)'}`];
  for (const route of desired.httpRoutes)
    lines.push('', ...routeLines('HttpRoute', route as Json, (a) => httpAction(a, label), httpMatch));
  for (const route of desired.grpcRoutes)
    lines.push('', ...routeLines('GrpcRoute', route as Json, (a) => grpcAction(a, label), grpcMatch));
  for (const route of desired.tcpRoutes ?? [])
    lines.push('', ...routeLines('TcpRoute', route as Json, (a) => streamAction(a, label), tcpMatch));
  for (const route of desired.tlsRoutes ?? [])
    lines.push('', ...routeLines('TlsRoute', route as Json, (a) => streamAction(a, label), tlsMatch));
  const routeCount =
    desired.httpRoutes.length +
    desired.grpcRoutes.length +
    (desired.tcpRoutes?.length ?? 0) +
    (desired.tlsRoutes?.length ?? 0);
  if (routeCount === 0) lines.push('', 'no Network Services routes');
  if (desired.backendServices) lines.push('', ...backendServiceLines(desired));
  lines.push('', ...statusLines(desired));
  if (warnings.length) lines.push('', 'Input warnings:', ...warnings.map((w) => `  warning: ${w}`));
  lines.push('', ...ignoredLines(ignored));
  return `${lines.join('\n')}\n`;
}

function routeLines(
  kind: string,
  route: Json,
  action: (a: Json) => string,
  match: (m: Json) => string,
): string[] {
  const lines = [`${kind} ${lastSegment(String(route.name ?? ''))}`];
  if (route.description) lines.push(`  source: ${route.description}`);
  // TcpRoute and TlsRoute have no hostnames: they match connections (address and port, or SNI).
  const stream = kind === 'TcpRoute' || kind === 'TlsRoute';
  if (!stream) lines.push(`  hostnames: ${asList(route.hostnames).join(', ') || '(none)'}`);
  asList(route.rules).forEach((rule, i) => {
    const r = rule as Json;
    const matches = asList(r.matches).map((m) => match(m as Json));
    const when = matches.length === 0 ? (stream ? 'any connection' : 'any request') : matches.join(' OR ');
    const a = r.action as Json | undefined;
    lines.push(`  rules[${i}]: ${when} -> ${a ? action(a) || '(empty action)' : '(no action)'}`);
  });
  return lines;
}

function httpMatch(m: Json): string {
  const parts: string[] = [];
  if (m.fullPathMatch !== undefined) parts.push(`path = ${m.fullPathMatch}`);
  if (m.prefixMatch !== undefined) parts.push(`path prefix ${m.prefixMatch}`);
  if (m.regexMatch !== undefined) parts.push(`path ~ ${m.regexMatch}`);
  if (m.ignoreCase) parts.push('(ignore case)');
  for (const h of asList(m.headers)) parts.push(`header ${valueMatch((h as Json).header, h as Json)}`);
  for (const q of asList(m.queryParameters))
    parts.push(`query ${valueMatch((q as Json).queryParameter, q as Json)}`);
  return parts.length > 0 ? parts.join(' AND ') : 'any request';
}

function valueMatch(name: unknown, m: Json): string {
  const not = m.invertMatch ? 'NOT ' : '';
  if (m.exactMatch !== undefined) return `${not}${name} = ${m.exactMatch}`;
  if (m.regexMatch !== undefined) return `${not}${name} ~ ${m.regexMatch}`;
  if (m.prefixMatch !== undefined) return `${not}${name} prefix ${m.prefixMatch}`;
  if (m.suffixMatch !== undefined) return `${not}${name} suffix ${m.suffixMatch}`;
  if (m.presentMatch !== undefined) return `${not}${name} present`;
  return `${name} ${JSON.stringify(m)}`;
}

function grpcMatch(m: Json): string {
  const parts: string[] = [];
  const method = m.method as Json | undefined;
  if (method) {
    const op = method.type === 'REGULAR_EXPRESSION' ? '~' : '=';
    parts.push(`method ${op} ${method.grpcService ?? '*'}/${method.grpcMethod ?? '*'}`);
  }
  for (const h of asList(m.headers)) {
    const header = h as Json;
    parts.push(`header ${header.key} ${header.type === 'REGULAR_EXPRESSION' ? '~' : '='} ${header.value}`);
  }
  return parts.length > 0 ? parts.join(' AND ') : 'any request';
}

type Label = (serviceName: unknown) => string;

/** Destinations first, then every other field of the action in words, '; '-separated. */
function httpAction(a: Json, label: Label): string {
  const parts: string[] = [];
  if (asList(a.destinations).length) parts.push(destinationsText(a.destinations, label));
  const direct = a.directResponse as Json | undefined;
  if (direct)
    parts.push(
      `answer HTTP ${direct.status}${direct.status === 404 ? ' (no rule matched)' : direct.status === 500 ? ' (error)' : ''}`,
    );
  if (a.redirect) parts.push(redirectText(a.redirect as Json));
  const rewrite = a.urlRewrite as Json | undefined;
  if (rewrite) {
    if (rewrite.pathPrefixRewrite !== undefined)
      parts.push(`rewrite path prefix to ${rewrite.pathPrefixRewrite}`);
    if (rewrite.hostRewrite !== undefined) parts.push(`rewrite host to ${rewrite.hostRewrite}`);
  }
  parts.push(
    ...headerText('request', a.requestHeaderModifier),
    ...headerText('response', a.responseHeaderModifier),
  );
  parts.push(...commonText(a, label));
  if (a.corsPolicy) parts.push(`CORS ${JSON.stringify(a.corsPolicy)}`);
  return parts.join('; ');
}

function grpcAction(a: Json, label: Label): string {
  const parts: string[] = [];
  if (asList(a.destinations).length) parts.push(destinationsText(a.destinations, label));
  parts.push(...commonText(a, label));
  return parts.join('; ');
}

function tcpMatch(m: Json): string {
  return `connection to ${m.address ?? '(any address)'} port ${m.port ?? '(any)'}`;
}

function tlsMatch(m: Json): string {
  const parts: string[] = [];
  if (asList(m.sniHost).length) parts.push(`SNI ${asList(m.sniHost).join(' | ')}`);
  if (asList(m.alpn).length) parts.push(`ALPN ${asList(m.alpn).join(' | ')}`);
  return parts.length > 0 ? parts.join(' AND ') : 'any connection';
}

/** TcpRoute and TlsRoute actions: destinations (or the original destination) and the idle timeout. */
function streamAction(a: Json, label: Label): string {
  const parts: string[] = [];
  if (asList(a.destinations).length) parts.push(destinationsText(a.destinations, label));
  if (a.originalDestination) parts.push('original destination');
  if (a.idleTimeout !== undefined) parts.push(`idle timeout ${a.idleTimeout}`);
  return parts.join('; ');
}

/** What HTTP and gRPC actions share: timeout, retries, faults, mirror, affinity. */
function commonText(a: Json, label: Label): string[] {
  const parts: string[] = [];
  if (a.timeout !== undefined) parts.push(a.timeout === '0s' ? 'no timeout' : `timeout ${a.timeout}`);
  const retry = a.retryPolicy as Json | undefined;
  if (retry) {
    const perTry = retry.perTryTimeout !== undefined ? `, ${retry.perTryTimeout} per try` : '';
    parts.push(
      `retry up to ${retry.numRetries ?? 1}x on ${asList(retry.retryConditions).join(', ')}${perTry}`,
    );
  }
  const fault = a.faultInjectionPolicy as Json | undefined;
  const abort = fault?.abort as Json | undefined;
  if (abort) parts.push(`answer HTTP ${abort.httpStatus} to ${abort.percentage ?? 100}% (fault)`);
  const delay = fault?.delay as Json | undefined;
  if (delay) parts.push(`delay ${delay.fixedDelay} for ${delay.percentage ?? 100}% (fault)`);
  const mirror = a.requestMirrorPolicy as Json | undefined;
  if (mirror) {
    const target = label((mirror.destination as Json | undefined)?.serviceName);
    parts.push(`mirror ${mirror.mirrorPercent ?? 100}% to ${target}`);
  }
  const session = a.statefulSessionAffinity as Json | undefined;
  if (session) parts.push(`cookie affinity (ttl ${session.cookieTtl})`);
  return parts;
}

function destinationsText(destinations: unknown, label: Label): string {
  return asList(destinations)
    .map((d) => {
      const dest = d as Json;
      const weight = dest.weight !== undefined ? ` (weight ${dest.weight})` : '';
      const headers = [
        ...headerText('request', dest.requestHeaderModifier),
        ...headerText('response', dest.responseHeaderModifier),
      ];
      return `${label(dest.serviceName)}${weight}${headers.length ? ` [${headers.join('; ')}]` : ''}`;
    })
    .join(', ');
}

const REDIRECT_CODES: Record<string, number> = {
  MOVED_PERMANENTLY_DEFAULT: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

function redirectText(r: Json): string {
  const parts: string[] = [];
  if (r.httpsRedirect) parts.push('scheme https');
  if (r.hostRedirect !== undefined) parts.push(`host ${r.hostRedirect}`);
  if (r.portRedirect !== undefined) parts.push(`port ${r.portRedirect}`);
  if (r.pathRedirect !== undefined) parts.push(`path ${r.pathRedirect}`);
  if (r.prefixRewrite !== undefined) parts.push(`path prefix ${r.prefixRewrite}`);
  if (r.stripQuery) parts.push('query stripped');
  const code = REDIRECT_CODES[String(r.responseCode ?? 'MOVED_PERMANENTLY_DEFAULT')] ?? r.responseCode;
  return `redirect ${code}${parts.length ? ` to ${parts.join(', ')}` : ''}`;
}

function headerText(which: string, modifier: unknown): string[] {
  if (!modifier || typeof modifier !== 'object') return [];
  const m = modifier as Json;
  const pairs = (o: unknown) =>
    Object.entries((o ?? {}) as Json)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  const parts: string[] = [];
  if (m.set && Object.keys(m.set).length) parts.push(`set ${pairs(m.set)}`);
  if (m.add && Object.keys(m.add).length) parts.push(`add ${pairs(m.add)}`);
  if (asList(m.remove).length) parts.push(`remove ${asList(m.remove).join(', ')}`);
  return parts.length ? [`${which} headers: ${parts.join('; ')}`] : [];
}

function statusLines(desired: Desired): string[] {
  const lines = ['Route status:'];
  if (desired.statuses.length === 0) lines.push('  (no routes)');
  for (const s of desired.statuses) {
    for (const p of s.parents) {
      const ref = p.parentRef;
      const parent = `${ref.kind ?? 'Gateway'} ${ref.namespace ?? s.namespace}/${ref.name}${ref.port ? `:${ref.port}` : ''}`;
      const conditions = p.conditions.map((c) => `${c.type}=${c.status}`).join(' ');
      lines.push(`  ${s.kind} ${s.namespace}/${s.name} -> ${parent}: ${conditions}`);
      for (const c of p.conditions) {
        if (c.status === 'True' && c.type !== 'PartiallyInvalid') {
          const notes = c.type === 'Accepted' ? acceptedNotes(c.message, s) : '';
          if (notes) lines.push(`    note: ${notes}`);
          continue;
        }
        const label = c.status === 'False' ? 'rejected' : 'partially rejected';
        lines.push(`    ${label}: ${c.type}=${c.status} ${c.reason}: ${c.message}`);
      }
    }
    for (const w of s.warnings ?? []) lines.push(`    warning: ${w}`);
  }
  return lines;
}

/**
 * What an Accepted=True message says beyond "Translated into IDS" and the warnings (listed on their
 * own lines): conflicts and notes such as omitted short hostnames, skipped ports, or a GRPCRoute
 * served by an HttpRoute.
 */
function acceptedNotes(message: string, s: RouteStatusEntry): string {
  let rest = message;
  for (const w of s.warnings ?? []) rest = rest.replace(`; warning: ${w}`, '');
  const first = rest.indexOf('; ');
  return rest.startsWith('Translated into ') ? (first < 0 ? '' : rest.slice(first + 2)) : rest;
}

function ignoredLines(ignored: IgnoredObject[]): string[] {
  if (ignored.length === 0) return ['ignored 0 objects'];
  const lines = [`ignored ${ignored.length} object${ignored.length === 1 ? '' : 's'}:`];
  for (const o of ignored) {
    const id = o.namespace ? `${o.namespace}/${o.name}` : o.name;
    const from = o.file ? ` [${o.file}]` : '';
    lines.push(`  ${o.kind} ${id}: ${o.reason}${from}`);
  }
  return lines;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
