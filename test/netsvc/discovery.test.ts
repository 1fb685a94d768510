// Requests checked against the vendored discovery document, as Google's front end checks them; every
// golden translation must pass those checks.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FLOAT32_FIELDS } from '../../shared/netsvc/float32.ts';
import { checkBody, loadDiscovery } from '../../infra/local/discovery/validate.ts';
import { call, emulatorFor, httpRoute, PARENT } from './helpers.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const doc = loadDiscovery();

test('the vendored document is networkservices:v1 with its source recorded', (t) => {
  t.is(doc.id, 'networkservices:v1');
  const source = JSON.parse(
    readFileSync(
      path.resolve(import.meta.dirname, '../../infra/local/discovery/networkservices-v1.source.json'),
      'utf8',
    ),
  ) as { repo: string; path: string; commit: string; revision: string };
  t.is(source.revision, doc.revision);
  t.regex(source.commit, /^[0-9a-f]{40}$/);
});

test('FLOAT32_FIELDS lists exactly the format "float" fields of the schema', (t) => {
  const floats = new Set<string>();
  for (const schema of Object.values(doc.schemas))
    for (const [name, field] of Object.entries(schema.properties ?? {}))
      if (field.format === 'float' || field.items?.format === 'float') floats.add(name);
  t.deepEqual([...floats].sort(), [...FLOAT32_FIELDS].sort());
});

test('an unknown field at any depth: 400 INVALID_ARGUMENT with the front end’s message and a field violation', async (t) => {
  const emu = await emulatorFor(t);
  const body = httpRoute('a.example', {
    rules: [{ action: { destinations: [{ serviceName: `${PARENT}/backendServices/b` }], x: 1 } as never }],
  });
  const res = await call(emu, 'POST', `/v1/${PARENT}/httpRoutes?httpRouteId=r`, body);
  t.is(res.status, 400);
  const error = res.json.error as { status: string; message: string; details: unknown[] };
  const expected = `Invalid JSON payload received. Unknown name "x" at 'http_route.rules[0].action': Cannot find field.`;
  t.is(error.status, 'INVALID_ARGUMENT');
  t.is(error.message, expected);
  t.deepEqual(error.details, [
    {
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: 'http_route.rules[0].action', description: expected }],
    },
  ]);
  const top = await call(emu, 'POST', `/v1/${PARENT}/meshes?meshId=m`, { interceptPort: 1 });
  t.regex((top.json.error as { message: string }).message, /Unknown name "interceptPort" at 'mesh'/);
  t.deepEqual(emu.resources('httpRoutes'), [], 'nothing stored');
});

test('unknown query parameters are refused; declared and global ones pass', async (t) => {
  const emu = await emulatorFor(t);
  const bad = await call(emu, 'GET', `/v1/${PARENT}/meshes?pageSiz=5`);
  t.is(bad.status, 400);
  t.regex(
    (bad.json.error as { message: string }).message,
    /Unknown name "pageSiz": Cannot bind query parameter/,
  );
  t.is((await call(emu, 'GET', `/v1/${PARENT}/meshes?pageSize=5&alt=json&prettyPrint=false`)).status, 200);
  const noRequestId = await call(emu, 'POST', `/v1/${PARENT}/meshes?meshId=m&requestId=abc`, {});
  t.is(noRequestId.status, 400, 'CreateMesh takes no requestId');
});

const invalidValues: [string, object, RegExp][] = [
  [
    'enum',
    { rules: [{ action: { redirect: { responseCode: 'MOVED' } } }] },
    /^Invalid value at 'http_route\.rules\[0\]\.action\.redirect\.response_code' \(TYPE_ENUM\), "MOVED"$/,
  ],
  [
    'int32 range',
    { rules: [{ action: { destinations: [{ serviceName: 's', weight: 2 ** 31 }] } }] },
    /'http_route\.rules\[0\]\.action\.destinations\[0\]\.weight' \(TYPE_INT32\), 2147483648/,
  ],
  [
    'int32 fraction',
    { rules: [{ action: { destinations: [{ serviceName: 's', weight: 1.5 }] } }] },
    /\(TYPE_INT32\), 1\.5/,
  ],
  [
    'float',
    { rules: [{ action: { requestMirrorPolicy: { mirrorPercent: 'most' } } }] },
    /request_mirror_policy\.mirror_percent' \(TYPE_FLOAT\), "most"/,
  ],
  ['float range', { rules: [{ action: { requestMirrorPolicy: { mirrorPercent: 1e39 } } }] }, /TYPE_FLOAT/],
  ['duration', { rules: [{ action: { timeout: '5m' } }] }, /protobuf\.Duration\), "5m"/],
  ['string', { hostnames: [7] }, /'http_route\.hostnames\[0\]' \(TYPE_STRING\), 7/],
  ['message', { rules: ['all'] }, /'http_route\.rules\[0\]' \(type\.googleapis\.com\/.+HttpRouteRouteRule\)/],
];
for (const [what, patch, want] of invalidValues) {
  test(`invalid value refused: ${what}`, (t) => {
    const problems = checkBody(doc, 'HttpRoute', { ...httpRoute('a.example'), ...patch }, 'http_route');
    t.true(problems.length > 0);
    t.regex(problems[0].description, want);
  });
}

test('uint32 range, numeric strings, null and output-only fields', (t) => {
  const retry = (numRetries: unknown) => ({
    ...httpRoute('a.example'),
    rules: [{ action: { retryPolicy: { numRetries } } }],
  });
  t.regex(checkBody(doc, 'GrpcRoute', retry(-1), 'grpc_route')[0]?.description ?? '', /TYPE_UINT32/);
  t.deepEqual(
    checkBody(doc, 'GrpcRoute', retry('3'), 'grpc_route'),
    [],
    'proto JSON accepts numeric strings',
  );
  t.deepEqual(
    checkBody(doc, 'HttpRoute', { ...httpRoute('a.example'), description: null }, 'http_route'),
    [],
  );
  t.deepEqual(
    checkBody(
      doc,
      'HttpRoute',
      { ...httpRoute('a.example'), createTime: 'whenever', selfLink: 5 },
      'http_route',
    ),
    [],
    'output-only fields are ignored, whatever they hold',
  );
});

const goldens = readdirSync(FIXTURES).filter((f) => f.endsWith('.golden.json'));
test('every golden translation passes the discovery checks', (t) => {
  t.true(goldens.length > 10);
  let bodies = 0;
  for (const file of goldens) {
    const golden = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as {
      mesh?: object;
      httpRoutes?: object[];
      grpcRoutes?: object[];
    };
    const checks: [string, string, object][] = [
      ...(golden.mesh ? [['Mesh', 'mesh', golden.mesh] as [string, string, object]] : []),
      ...(golden.httpRoutes ?? []).map((b) => ['HttpRoute', 'http_route', b] as [string, string, object]),
      ...(golden.grpcRoutes ?? []).map((b) => ['GrpcRoute', 'grpc_route', b] as [string, string, object]),
    ];
    for (const [schema, root, body] of checks) {
      bodies++;
      t.deepEqual(checkBody(doc, schema, body, root), [], `${file}: ${(body as { name?: string }).name}`);
    }
  }
  t.true(bodies > 20, `${bodies} bodies checked`);
});
