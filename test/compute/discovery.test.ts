// The Compute emulator checks requests against the vendored subset of Google's Compute v1 discovery
// document: every body the desired stage emits passes it, and what Google's front end refuses
// (unknown fields at any depth, bad enums, integers out of range) is refused in Compute's error shape.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkBody, COMPUTE_V1, loadDiscovery } from '../../infra/local/discovery/validate.ts';
import { startComputeEmulator } from '../../infra/local/compute/server.ts';
import { desiredCompute } from '../../shared/compute/desired.ts';
import type { BackendMapping } from '../../shared/translate/types.ts';
import type { Service } from '../../shared/gamma/types.ts';
import { subsetOf } from '../../scripts/refresh-compute-discovery.ts';
import { goMethods, goSchemas } from '../../scripts/compute-discovery-from-go.ts';
import { REPO_ROOT } from '../support/cli.ts';

const OPTS = { project: 'p1', clusterId: 'c1' } as Parameters<typeof desiredCompute>[2];
const doc = loadDiscovery(COMPUTE_V1);

function negService(
  ns: string,
  name: string,
  ports: number[],
  annotations: Record<string, string> = {},
): Service {
  const negs = Object.fromEntries(ports.map((p) => [p, `k8s1-abc-${ns}-${name}-${p}-1234abcd`]));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: ns,
      annotations: {
        'cloud.google.com/neg': JSON.stringify({
          exposed_ports: Object.fromEntries(ports.map((p) => [p, {}])),
        }),
        'cloud.google.com/neg-status': JSON.stringify({
          network_endpoint_groups: negs,
          zones: ['us-central1-a', 'us-central1-b'],
        }),
        ...annotations,
      },
    },
    spec: { ports: ports.map((port) => ({ port })) },
  } as Service;
}

const SHAPES: [string, Record<string, string>][] = [
  ['default (HTTP, TCP check)', {}],
  [
    'gRPC with a gRPC check',
    { 'gamma-csm.dev/backend-protocol.8080': 'GRPC', 'gamma-csm.dev/health-check.8080': 'grpc:svc' },
  ],
  [
    'HTTP/2 with an http2 check',
    { 'gamma-csm.dev/backend-protocol.8080': 'HTTP2', 'gamma-csm.dev/health-check.8080': 'http2:/ready' },
  ],
  [
    'HTTP check and a max rate',
    { 'gamma-csm.dev/health-check.8080': 'http:/healthz', 'gamma-csm.dev/max-rate-per-endpoint.8080': '250' },
  ],
];

for (const [what, annotations] of SHAPES) {
  test(`desired Compute bodies validate against the discovery subset: ${what}`, (t) => {
    const svc = negService('ns', 'api', [8080], annotations);
    const mapping: BackendMapping = { serviceName: 'x', namespace: 'ns', service: 'api', port: 8080 };
    const { healthChecks, backendServices } = desiredCompute([svc], [mapping], OPTS);
    t.is(backendServices.length, 1);
    for (const hc of healthChecks) t.deepEqual(checkBody(doc, 'HealthCheck', hc, 'resource'), []);
    for (const bs of backendServices) t.deepEqual(checkBody(doc, 'BackendService', bs, 'resource'), []);
  });
}

test("desired Compute bodies for every golden translation's backends validate", (t) => {
  const dir = path.join(REPO_ROOT, 'test/fixtures');
  let checked = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.golden.json'))) {
    const golden = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { backends?: BackendMapping[] };
    const mappings = golden.backends ?? [];
    const services = mappings.map((m) => negService(m.namespace, m.service, [m.port]));
    const { healthChecks, backendServices } = desiredCompute(services, mappings, OPTS);
    for (const hc of healthChecks) t.deepEqual(checkBody(doc, 'HealthCheck', hc, 'resource'), [], f);
    for (const bs of backendServices) t.deepEqual(checkBody(doc, 'BackendService', bs, 'resource'), [], f);
    checked += backendServices.length;
  }
  t.true(checked > 10, `checked ${checked}`);
});

test('the vendored subset is what the refresh script extracts from it (closed under references)', (t) => {
  const again = subsetOf(doc);
  t.deepEqual(Object.keys(again.schemas).sort(), Object.keys(doc.schemas).sort());
  t.deepEqual(again.resources, doc.resources);
  for (const root of ['BackendService', 'HealthCheck', 'NetworkEndpointGroup', 'Operation', 'Firewall'])
    t.truthy(doc.schemas[root], root);
});

const BACKEND = (group: string) => ({ group, balancingMode: 'RATE', maxRatePerEndpoint: 10 });
const NEG =
  'https://www.googleapis.com/compute/v1/projects/p1/zones/us-central1-a/networkEndpointGroups/neg-a';

const REFUSED: [string, Record<string, unknown>, string, RegExp][] = [
  [
    'unknown nested field',
    { backends: [{ ...BACKEND(NEG), groupz: 'x' }] },
    '',
    /Unknown name "groupz" at 'resource\.backends\[0\]'/,
  ],
  ['unknown top-level field', { backendz: [] }, '', /Unknown name "backendz" at 'resource'/],
  ['enum value', { protocol: 'SPDY' }, '', /Invalid value at 'resource\.protocol' \(TYPE_ENUM\), "SPDY"/],
  [
    'integer range',
    { timeoutSec: 2 ** 31 },
    '',
    /Invalid value at 'resource\.timeoutSec' \(TYPE_INT32\), 2147483648/,
  ],
  ['unknown query parameter', {}, '?requestid=x', /Unknown name "requestid": Cannot bind query parameter/],
];

test("the emulator refuses what the discovery document refuses, naming it, in Compute's error shape", async (t) => {
  const emu = await startComputeEmulator({ port: 0 });
  t.teardown(() => emu.close());
  emu.store.putNeg({ project: 'p1', zone: 'us-central1-a', name: 'neg-a', endpoints: [] });
  const post = async (coll: string, body: unknown, query = '') => {
    const res = await fetch(`${emu.url}compute/v1/projects/p1/global/${coll}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        error: {
          code: number;
          message: string;
          errors: { domain: string; reason: string; message: string }[];
        };
      },
    };
  };
  const hc = await post('healthChecks', {
    name: 'hc',
    type: 'TCP',
    tcpHealthCheck: { portSpecification: 'USE_SERVING_PORT' },
  });
  t.is(hc.status, 200);
  const base = {
    name: 'bs',
    loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
    protocol: 'HTTP',
    healthChecks: ['projects/p1/global/healthChecks/hc'],
  };
  for (const [what, extra, query, message] of REFUSED) {
    const r = await post('backendServices', { ...base, ...extra }, query);
    t.is(r.status, 400, what);
    t.regex(r.body.error.message, message, what);
    t.is(r.body.error.code, 400);
    t.like(r.body.error.errors[0], { domain: 'global', reason: 'invalid' }, what);
  }
  t.is(emu.store.resources('backendServices').length, 0);
  // Output-only fields a client sends back (GET-modify-PUT) are ignored, not refused.
  const ok = await post('backendServices', {
    ...base,
    backends: [BACKEND(NEG)],
    kind: 'compute#backendService',
    id: '12',
    selfLink: 'x',
    creationTimestamp: 'y',
    usedBy: [{ reference: 'z' }],
  });
  t.is(ok.status, 200, JSON.stringify(ok.body));
});

test('subsetOf keeps what is reachable from the roots and the methods, without descriptions', (t) => {
  const full = structuredClone(doc) as typeof doc;
  full.schemas.Unrelated = { id: 'Unrelated', type: 'object', properties: { x: { type: 'string' } } };
  (full.schemas.HealthCheck.properties as Record<string, unknown>).selfLink = {
    type: 'string',
    description: '[Output Only] Server-defined URL for the resource.',
  };
  (full.resources.instances ??= {}).methods = {
    insert: { id: 'compute.instances.insert', httpMethod: 'POST', path: 'x', request: { $ref: 'Unrelated' } },
  };
  const subset = subsetOf(full);
  t.false('Unrelated' in subset.schemas);
  t.false('instances' in subset.resources);
  t.deepEqual(subset.schemas.HealthCheck.properties?.selfLink, { type: 'string', readOnly: true });
});

test('the Go client form: fields, enums, output-only, int64 strings and methods are read', (t) => {
  const source = [
    'type Thing struct {',
    '\t// Kind: Output only. [Output Only] Type of the resource.',
    '\tKind string `json:"kind,omitempty"`',
    '\t// Mode: How it balances.',
    '\t//',
    '\t// Possible values:',
    '\t//   "RATE" - by rate',
    '\t//   "CONNECTION"',
    '\tMode string `json:"mode,omitempty"`',
    '\tId uint64 `json:"id,omitempty,string"`',
    '\tPort int64 `json:"port,omitempty"`',
    '\tParts []*Part `json:"parts,omitempty"`',
    '\tLabels map[string]string `json:"labels,omitempty"`',
    '\tForceSendFields []string `json:"-"`',
    '}',
    'type ThingsInsertCall struct {',
    '\ts *Service',
    '\tthing *Thing',
    '}',
    'func (c *ThingsInsertCall) RequestId(requestId string) *ThingsInsertCall {',
    '\tc.urlParams_.Set("requestId", requestId)',
    '\treturn c',
    '}',
    'func (c *ThingsInsertCall) doRequest(alt string) (*http.Response, error) {',
    '\tbody, err := googleapi.WithoutDataWrapper.JSONBuffer(c.thing)',
    '\turls := googleapi.ResolveRelative(c.s.BasePath, "projects/{project}/global/things")',
    '\treq, err := http.NewRequest("POST", urls, body)',
    '\tc.s.logger.DebugContext(c.ctx_, "api request", "serviceName", apiName, "rpcName", "compute.things.insert", "request", x)',
    '}',
  ].join('\n');
  const schema = goSchemas(source).Thing;
  t.deepEqual(schema.properties, {
    kind: { type: 'string', readOnly: true },
    mode: { type: 'string', enum: ['RATE', 'CONNECTION'] },
    id: { type: 'string', format: 'uint64' },
    port: { type: 'integer', format: 'int32' },
    parts: { type: 'array', items: { $ref: 'Part' } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
  });
  t.deepEqual(goMethods(source, ['compute.things.insert'])['compute.things.insert'], {
    id: 'compute.things.insert',
    httpMethod: 'POST',
    path: 'projects/{project}/global/things',
    request: { $ref: 'Thing' },
    parameters: {
      project: { type: 'string', location: 'path' },
      requestId: { type: 'string', location: 'query' },
    },
  });
});
