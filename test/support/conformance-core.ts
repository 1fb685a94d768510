// The conformance runner's core: every case of a mesh-cases.yaml corpus goes through
// parse -> buildSnapshot -> translate -> evaluateNs, and (as a check on the spec model itself)
// through evaluateGamma; each outcome is checked against the case's `expect`. Pure apart from
// reading the corpus file.
import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify } from 'yaml';
import { buildSnapshot, parseManifestText } from '../../shared/gamma/index.ts';
import type { KubeObject, Service } from '../../shared/gamma/types.ts';
import { translate } from '../../shared/translate/index.ts';
import {
  DEFAULT_CONTROLLER_NAME,
  type Desired,
  type TranslateOptions,
} from '../../shared/translate/types.ts';
import { evaluateGamma, resolveFrontend } from './evaluate-gamma.ts';
import { evaluateNs } from './evaluate-ns.ts';
import {
  checkCase,
  type CaseFinding,
  type Corpus,
  type CorpusCase,
  type CorpusTest,
  type PodIndex,
} from './conformance-checks.ts';
import { normalizeOutcome, type MeshRequest, type Outcome } from './request.ts';
import { MESH_CASES_FILE } from './paths.ts';

export const DEFAULT_CASES_FILE = MESH_CASES_FILE;

export const CONFORMANCE_OPTIONS: TranslateOptions = {
  project: 'conformance',
  location: 'global',
  mesh: 'mesh',
  clusterId: 'conformance',
  controllerName: DEFAULT_CONTROLLER_NAME,
  clusterDomain: 'cluster.local',
};

/**
 * Limits Network Services imposes (not translator choices). A case listed here that fails on the
 * NS side is reported UNSUPPORTED with the reason; if it passes it is reported PASS.
 */
export const NS_LIMITS: Array<{ test: string; caseId?: string; reason: string }> = [
  {
    test: 'MeshFrontendHostname',
    reason:
      'MeshClusterIPMatching: Cloud Service Mesh picks a route by the Host/authority the client sends (HttpRoute.hostnames); it cannot choose a route by the destination cluster IP.',
  },
  {
    test: 'MeshConsumerRoute',
    caseId: 'MeshConsumerRoute/consumer/0',
    reason:
      'MeshConsumerRoute: one Mesh has one route per hostname for every client; Network Services has no way to scope a route to clients of one namespace, so consumer routes are rejected.',
  },
];

/**
 * Failures that are translator gaps (expressible in Network Services, not yet translated). They stay
 * FAIL in the report; the ava test pins this list so a fix (or a new failure) is noticed.
 */
export const KNOWN_TRANSLATOR_GAPS: Array<{ caseId: string; note: string }> = [];

/** Declared-but-unverified values that are known errors in the upstream test source. */
export const CORPUS_QUIRKS: Array<{ caseId: string; field: string; reason: string }> = [
  {
    caseId: 'MeshHTTPRouteNamedRule/1',
    field: 'backend_received_path',
    reason: 'copy-paste error upstream: /unnamed declares ExpectedRequest.Path /named',
  },
];

export type Verdict = 'PASS' | 'FAIL' | 'UNSUPPORTED' | 'ERROR';

export interface CaseResult {
  id: string;
  verdict: Verdict;
  reason?: string;
  ns: CaseFinding[];
  gamma: CaseFinding[];
  nsOutcome?: Outcome;
}

export interface TestResult {
  name: string;
  features: string[];
  verdict: Verdict;
  cases: CaseResult[];
  rejections: string[]; // route statuses with Accepted=False or PartiallyInvalid
  error?: string;
}

export interface ConformanceReport {
  file: string;
  strict: boolean;
  tests: TestResult[];
  totals: Record<Verdict, number>;
  gammaFailures: number;
}

export function loadCorpus(file: string): Corpus {
  const corpus = parseYaml(readFileSync(file, 'utf8')) as Corpus;
  if (!corpus || !Array.isArray(corpus.tests))
    throw new Error(`${file}: not a mesh-cases corpus (no 'tests' list)`);
  return corpus;
}

function podIndex(corpus: Corpus): PodIndex {
  const deployments = (corpus.base?.deployments ?? []) as Array<{
    metadata: { name: string; namespace: string };
    spec: { template: { metadata: { labels: Record<string, string> } } };
  }>;
  return (namespace, selector) =>
    deployments
      .filter((d) => d.metadata.namespace === namespace)
      .filter((d) => Object.entries(selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v))
      .map((d) => d.metadata.name);
}

function snapshotFor(corpus: Corpus, test: CorpusTest) {
  const objects = [
    ...(corpus.base?.namespaces ?? []),
    ...(corpus.base?.services ?? []),
    ...(test.manifests ?? []),
  ];
  const text = objects.map((o) => stringify(o)).join('---\n');
  const parsed = parseManifestText(text, `${test.name}.yaml`);
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  const built = buildSnapshot(parsed.objects as KubeObject[]);
  if (built.errors.length > 0) throw new Error(built.errors.map((e) => e.message).join('; '));
  return built.snapshot;
}

const POD_IP = '10.244.7.7';
const GRPC_ECHO = { service: 'proto.EchoTestService', method: 'Echo' };

/** The corpus request as a MeshRequest; `${POD_IP of ...}` hosts become a fixed non-Service IP. */
export function toMeshRequest(corpus: Corpus, c: CorpusCase): MeshRequest {
  const r = c.request;
  const clientNs = corpus.clients?.[c.client]?.namespace ?? 'default';
  const host = r.authority_host.startsWith('${POD_IP') ? POD_IP : r.authority_host;
  const headers: Record<string, string> = {};
  let hostHeader: string | undefined;
  for (const [k, v] of Object.entries(r.headers ?? {})) {
    if (k.toLowerCase() === 'host') hostHeader = String(v);
    else headers[k] = String(v);
  }
  return {
    protocol: r.protocol === 'grpc' ? 'grpc' : 'http',
    clientNamespace: clientNs,
    host,
    port: r.port,
    path: r.protocol === 'grpc' ? undefined : (r.path ?? ''),
    query: Object.entries(r.query ?? {}).map(([k, v]) => [k, String(v)] as [string, string]),
    method: r.method,
    headers,
    hostHeader,
    grpc: r.protocol === 'grpc' ? GRPC_ECHO : undefined,
  };
}

/** Where a passthrough request lands: the addressed Service's Pods, or the Pod whose IP was dialled. */
function passthroughPods(
  corpus: Corpus,
  c: CorpusCase,
  req: MeshRequest,
  pods: PodIndex,
  services: Service[],
) {
  const podIp = /^\$\{POD_IP of (\S+) (\S+)\}/.exec(c.request.authority_host);
  if (podIp) {
    const selector = Object.fromEntries(podIp[2].split(',').map((kv) => kv.split('=') as [string, string]));
    return { namespace: podIp[1], pods: pods(podIp[1], selector) };
  }
  const svc = resolveFrontend(services, req, CONFORMANCE_OPTIONS.clusterDomain);
  if (!svc) return { namespace: '', pods: [] };
  const ns = svc.metadata.namespace ?? 'default';
  return { namespace: ns, pods: pods(ns, svc.spec.selector ?? {}) };
}

function rejectionsOf(desired: Desired): string[] {
  const out: string[] = [];
  for (const s of desired.statuses) {
    for (const p of s.parents) {
      for (const cond of p.conditions) {
        const bad =
          (cond.type === 'Accepted' && cond.status !== 'True') ||
          (cond.type === 'PartiallyInvalid' && cond.status === 'True');
        if (bad)
          out.push(
            `${s.kind} ${s.namespace}/${s.name} -> ${p.parentRef.name}: ${cond.type}=${cond.status} ${cond.reason}: ${cond.message}`,
          );
      }
    }
  }
  return out;
}

function limitFor(test: string, caseId: string) {
  return NS_LIMITS.find((l) => l.test === test && (l.caseId === undefined || l.caseId === caseId));
}

export function runConformance(
  corpus: Corpus,
  options: { strict?: boolean; file?: string } = {},
): ConformanceReport {
  const strict = options.strict ?? false;
  const pods = podIndex(corpus);
  const tests: TestResult[] = [];
  for (const test of corpus.tests) {
    const result: TestResult = {
      name: test.name,
      features: test.features ?? [],
      verdict: 'PASS',
      cases: [],
      rejections: [],
    };
    tests.push(result);
    let desired: Desired;
    let snapshot;
    try {
      snapshot = snapshotFor(corpus, test);
      desired = translate(snapshot, CONFORMANCE_OPTIONS);
      result.rejections = rejectionsOf(desired);
    } catch (err) {
      result.verdict = 'ERROR';
      result.error = (err as Error).message;
      continue;
    }
    for (const c of test.cases ?? []) {
      const req = toMeshRequest(corpus, c);
      const land = passthroughPods(corpus, c, req, pods, snapshot.services);
      const quirks = CORPUS_QUIRKS.filter((q) => q.caseId === c.id).map((q) => q.field);
      const podsOf = (ns: string, name: string) => {
        const svc = snapshot.services.find((s) => s.metadata.name === name && s.metadata.namespace === ns);
        return svc ? pods(ns, svc.spec.selector ?? {}) : [];
      };
      const check = (o: Outcome) =>
        checkCase(c, normalizeOutcome(o), { podsOf, passthrough: land, strict, skip: quirks });
      const cr: CaseResult = { id: c.id, verdict: 'PASS', ns: [], gamma: [] };
      try {
        cr.gamma = check(evaluateGamma(snapshot, req, { clusterDomain: CONFORMANCE_OPTIONS.clusterDomain }));
      } catch (err) {
        cr.gamma = [{ field: 'evaluateGamma', message: (err as Error).message }];
      }
      try {
        cr.nsOutcome = evaluateNs(desired, req);
        cr.ns = check(cr.nsOutcome);
      } catch (err) {
        cr.verdict = 'ERROR';
        cr.ns = [{ field: 'evaluateNs', message: (err as Error).message }];
      }
      if (cr.verdict !== 'ERROR' && cr.ns.length > 0) {
        const limit = limitFor(test.name, c.id);
        cr.verdict = limit ? 'UNSUPPORTED' : 'FAIL';
        cr.reason = limit?.reason ?? KNOWN_TRANSLATOR_GAPS.find((g) => g.caseId === c.id)?.note;
      }
      result.cases.push(cr);
    }
    result.verdict = worst(result.cases.map((c) => c.verdict));
  }
  const totals: Record<Verdict, number> = { PASS: 0, FAIL: 0, UNSUPPORTED: 0, ERROR: 0 };
  for (const t of tests) totals[t.verdict]++;
  const gammaFailures = tests.flatMap((t) => t.cases).filter((c) => c.gamma.length > 0).length;
  return { file: options.file ?? DEFAULT_CASES_FILE, strict, tests, totals, gammaFailures };
}

const SEVERITY: Verdict[] = ['PASS', 'UNSUPPORTED', 'FAIL', 'ERROR'];
function worst(verdicts: Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((w, v) => (SEVERITY.indexOf(v) > SEVERITY.indexOf(w) ? v : w), 'PASS');
}

/** Cases that failed for a reason other than a documented Network Services limit. */
export function unexpectedFailures(report: ConformanceReport): string[] {
  const out: string[] = [];
  for (const t of report.tests) {
    if (t.error) out.push(`${t.name}: ERROR ${t.error}`);
    for (const c of t.cases) {
      if (c.verdict === 'FAIL' || c.verdict === 'ERROR')
        out.push(`${c.id}: ${c.ns.map((f) => `${f.field}: ${f.message}`).join('; ')}`);
    }
  }
  return out;
}
