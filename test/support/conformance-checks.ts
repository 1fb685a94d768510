// Checking one outcome distribution against a corpus case's `expect` block, as the upstream mesh
// harness does (verified fields), plus the declared-but-unverified fields in strict mode.
import type { Outcome, OutcomeBranch } from './request.ts';

export interface CorpusCase {
  id: string;
  client: string;
  request: {
    protocol: string;
    url: string;
    method?: string;
    authority_host: string;
    port: number;
    path?: string;
    headers?: Record<string, string>;
    query?: Record<string, string>;
  };
  expect: {
    verified?: Record<string, unknown>;
    declared_not_verified?: Record<string, unknown>;
  };
  derived?: Record<string, unknown>;
}

export interface CorpusTest {
  name: string;
  features?: string[];
  manifests?: object[];
  cases?: CorpusCase[];
}

export interface Corpus {
  clients?: Record<string, { namespace: string }>;
  base?: { namespaces?: object[]; services?: object[]; deployments?: object[] };
  tests: CorpusTest[];
}

/** Deployment names (the Pod name prefixes) a selector picks in a namespace. */
export type PodIndex = (namespace: string, selector: Record<string, string>) => string[];

export interface CaseFinding {
  field: string;
  message: string;
}

export interface CheckContext {
  /** Pod name prefixes behind a Service (by its selector). */
  podsOf: (namespace: string, service: string) => string[];
  passthrough: { namespace: string; pods: string[] };
  strict: boolean;
  skip: string[]; // declared fields known to be wrong upstream
}

/** What the client and backend observe for one branch of the outcome. */
interface Observed {
  weight: number;
  status: number;
  pods: string[];
  namespace?: string;
  requestHeaders?: Record<string, string>;
  responseHeaders: Record<string, string>;
  path?: string;
  location?: string;
}

function observe(
  outcome: Outcome,
  ctx: CheckContext,
  sentHeaders: Record<string, string>,
  path: string,
): Observed[] {
  if (outcome.kind === 'passthrough') {
    return [
      {
        weight: 1,
        status: 200,
        pods: ctx.passthrough.pods,
        namespace: ctx.passthrough.namespace,
        requestHeaders: sentHeaders,
        responseHeaders: {},
        path,
      },
    ];
  }
  return outcome.outcomes.map((b: OutcomeBranch) => ({
    weight: b.weight,
    status: b.status,
    pods: b.backend ? ctx.podsOf(b.backend.namespace, b.backend.service) : [],
    namespace: b.backend?.namespace,
    requestHeaders: b.requestHeaders,
    responseHeaders: b.responseHeaders ?? {},
    path: b.path,
    location: b.location,
  }));
}

const lower = (o: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

export function checkCase(c: CorpusCase, outcome: Outcome, ctx: CheckContext): CaseFinding[] {
  const sent = lower(
    Object.fromEntries(Object.entries(c.request.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'host')),
  );
  const branches = observe(outcome, ctx, sent, c.request.path || '/').filter((b) => b.weight > 0);
  const v = c.expect.verified ?? {};
  const findings: CaseFinding[] = [];
  const fail = (field: string, message: string) => findings.push({ field, message });
  const describe = (b: Observed) =>
    `${(b.weight * 100).toFixed(1)}% status ${b.status}${b.pods.length ? ` pods ${b.pods.join('|')}` : ''}`;

  const fraction = v.backend_fraction as Record<string, number> | undefined;
  if (fraction)
    checkFraction(
      branches,
      fraction,
      Number(v.absolute_tolerance ?? 0.05),
      v.only_these_backends === true,
      fail,
    );
  else {
    const statusIn = (v.status_in as number[] | undefined) ?? [200];
    for (const b of branches)
      if (!statusIn.includes(b.status)) fail('status_in', `${describe(b)} not in ${statusIn.join(',')}`);
    const prefix = v.backend_pod_name_prefix as string | null | undefined;
    if (prefix) {
      for (const b of branches) {
        if (b.pods.length === 0 || !b.pods.every((p) => p.startsWith(prefix)))
          fail('backend_pod_name_prefix', `${describe(b)}, want ${prefix}`);
      }
    }
  }
  for (const b of branches.filter((x) => x.pods.length > 0)) {
    const got = b.requestHeaders ?? {};
    for (const [name, want] of Object.entries(lower(v.backend_received_headers as Record<string, string>))) {
      if (got[name] !== want)
        fail(
          'backend_received_headers',
          `${name}: got ${JSON.stringify(got[name])}, want ${JSON.stringify(want)}`,
        );
    }
    for (const name of (v.backend_received_headers_absent as string[] | undefined) ?? []) {
      if (name.toLowerCase() in got) fail('backend_received_headers_absent', `${name} reached the backend`);
    }
  }
  for (const b of branches) {
    for (const [name, want] of Object.entries(lower(v.response_headers as Record<string, string>))) {
      if (b.responseHeaders[name] !== want)
        fail(
          'response_headers',
          `${name}: got ${JSON.stringify(b.responseHeaders[name])}, want ${JSON.stringify(want)}`,
        );
    }
    for (const name of (v.response_headers_absent as string[] | undefined) ?? []) {
      if (name.toLowerCase() in b.responseHeaders)
        fail('response_headers_absent', `${name} present in the response`);
    }
  }
  if (ctx.strict) checkDeclared(c, branches, ctx, fail);
  return findings;
}

function checkFraction(
  branches: Observed[],
  want: Record<string, number>,
  tolerance: number,
  onlyThese: boolean,
  fail: (field: string, message: string) => void,
) {
  const got = new Map<string, number>();
  for (const b of branches) {
    const names = b.status === 200 && b.pods.length > 0 ? b.pods : [`status ${b.status}`];
    for (const n of names) got.set(n, (got.get(n) ?? 0) + b.weight / names.length);
  }
  for (const [name, share] of Object.entries(want)) {
    const actual = got.get(name) ?? 0;
    if (Math.abs(actual - share) > tolerance)
      fail('backend_fraction', `${name}: ${actual.toFixed(3)}, want ${share} ±${tolerance}`);
  }
  if (onlyThese)
    for (const [name, share] of got)
      if (!(name in want) && share > 0) fail('only_these_backends', `${name} got ${share.toFixed(3)}`);
}

function checkDeclared(
  c: CorpusCase,
  branches: Observed[],
  ctx: CheckContext,
  fail: (field: string, message: string) => void,
) {
  const d = c.expect.declared_not_verified ?? {};
  const skip = new Set(ctx.skip);
  for (const b of branches) {
    if (
      d.backend_namespace &&
      !skip.has('backend_namespace') &&
      b.pods.length > 0 &&
      b.namespace !== d.backend_namespace
    ) {
      fail('backend_namespace', `got ${b.namespace}, want ${String(d.backend_namespace)}`);
    }
    if (d.backend_received_path && !skip.has('backend_received_path') && b.path !== d.backend_received_path) {
      fail('backend_received_path', `got ${b.path}, want ${String(d.backend_received_path)}`);
    }
    const redirect = d.redirect_request as Record<string, string> | undefined;
    if (redirect && !skip.has('redirect_request')) checkRedirect(b.location, redirect, fail);
    const location = c.derived?.expected_location_derived as string | undefined;
    if (location && b.location !== location)
      fail('expected_location_derived', `got ${b.location}, want ${location}`);
  }
}

function checkRedirect(
  location: string | undefined,
  want: Record<string, string>,
  fail: (field: string, message: string) => void,
) {
  if (!location) return fail('redirect_request', 'no Location');
  const url = new URL(location);
  const got: Record<string, string> = {
    scheme: url.protocol.replace(/:$/, ''),
    host: url.hostname,
    port: url.port,
    path: url.pathname,
  };
  for (const [k, w] of Object.entries(want))
    if (got[k] !== String(w)) fail('redirect_request', `${k}: got ${got[k]}, want ${w}`);
}
