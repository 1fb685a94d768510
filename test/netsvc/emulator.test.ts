// The emulator over real sockets, driven by the real googleapis client (and fetch for raw wire checks).
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startNetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import { call, emulatorFor, grpcRoute, httpRoute, MESH, PARENT, rawClient, rejection } from './helpers.ts';

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;
const OP_NAME =
  /^projects\/p\/locations\/global\/operations\/operation-\d{13}-[0-9a-f]{13}-[0-9a-f]{8}-[0-9a-f]{8}$/;

test('create returns the operation envelope of §1.3; done operations carry the typed response and stay readable', async (t) => {
  const emu = await emulatorFor(t, { operationDelay: { polls: 1 } });
  const { status, json: op } = await call(emu, 'POST', `/v1/${PARENT}/meshes?meshId=m`, { description: 'd' });
  t.is(status, 200);
  t.regex(op.name as string, OP_NAME);
  t.is(op.done, false);
  const meta = op.metadata as Record<string, unknown>;
  t.is(meta['@type'], 'type.googleapis.com/google.cloud.networkservices.v1.OperationMetadata');
  t.is(meta.target, MESH);
  t.is(meta.verb, 'create');
  t.is(meta.requestedCancellation, false);
  t.is(meta.apiVersion, 'v1');
  t.regex(meta.createTime as string, TIMESTAMP);

  const pending = await call(emu, 'GET', `/v1/${op.name as string}`);
  t.is(pending.json.done, false, 'pending for one poll');
  const done = await call(emu, 'GET', `/v1/${op.name as string}`);
  t.is(done.json.done, true);
  t.regex((done.json.metadata as Record<string, string>).endTime, TIMESTAMP);
  const response = done.json.response as Record<string, unknown>;
  t.is(response['@type'], 'type.googleapis.com/google.cloud.networkservices.v1.Mesh');
  t.is(response.name, MESH);
  t.is(response.selfLink, undefined, 'the LRO copy has no selfLink');
  t.deepEqual(
    (await call(emu, 'GET', `/v1/${op.name as string}`)).json,
    done.json,
    'still readable once done',
  );

  const list = await rawClient(emu).projects.locations.operations.list({ name: PARENT });
  t.deepEqual(
    list.data.operations?.map((o) => o.name),
    [op.name],
  );
});

test('operations with a millisecond delay finish after it; delete answers Empty', async (t) => {
  const emu = await emulatorFor(t, { operationDelay: { ms: 300 } });
  const ns = rawClient(emu);
  const started = Date.now();
  const { data: op } = await ns.projects.locations.meshes.create({
    parent: PARENT,
    meshId: 'm',
    requestBody: {},
  });
  t.false(op.done);
  const early = (await ns.projects.locations.operations.get({ name: op.name! })).data.done;
  if (Date.now() - started < 290) t.false(early);
  await new Promise((r) => setTimeout(r, 320));
  t.true((await ns.projects.locations.operations.get({ name: op.name! })).data.done);
  emu.setFaults({ operationDelay: {} });
  const { data: del } = await ns.projects.locations.meshes.delete({ name: MESH });
  t.true(del.done);
  t.deepEqual(del.response, { '@type': 'type.googleapis.com/google.protobuf.Empty' });
  t.is((del.metadata as Record<string, string>).verb, 'delete');
});

test('CRUD works for every collection', async (t) => {
  const emu = await emulatorFor(t);
  const ns = rawClient(emu).projects.locations;
  const bodies = {
    meshes: { description: 'mesh' },
    httpRoutes: httpRoute('web.ns.svc.cluster.local'),
    grpcRoutes: grpcRoute('grpc.ns.svc.cluster.local:50051'),
    tcpRoutes: {
      rules: [
        {
          matches: [{ address: '10.0.0.0/8', port: '8081' }],
          action: { destinations: [{ serviceName: 'bs' }] },
        },
      ],
    },
    tlsRoutes: {
      rules: [{ matches: [{ sniHost: ['example.com'] }], action: { destinations: [{ serviceName: 'bs' }] } }],
    },
  } as const;
  for (const [kind, body] of Object.entries(bodies) as Array<
    [keyof typeof bodies, Record<string, unknown>]
  >) {
    const coll = ns[kind] as unknown as {
      create(p: object): Promise<{ data: { done?: boolean; response?: Record<string, unknown> } }>;
      get(p: object): Promise<{ data: Record<string, unknown> }>;
      list(p: object): Promise<{ data: Record<string, unknown> }>;
      patch(p: object): Promise<{ data: { response?: Record<string, unknown> } }>;
      delete(p: object): Promise<unknown>;
    };
    const idParam = {
      meshes: 'meshId',
      httpRoutes: 'httpRouteId',
      grpcRoutes: 'grpcRouteId',
      tcpRoutes: 'tcpRouteId',
      tlsRoutes: 'tlsRouteId',
    }[kind];
    const name = `${PARENT}/${kind}/x1`;
    const created = await coll.create({ parent: PARENT, [idParam]: 'x1', requestBody: body });
    t.true(created.data.done, kind);
    t.is(created.data.response?.name, name, kind);
    const got = (await coll.get({ name })).data;
    t.is(got.name, name, kind);
    t.is(got.selfLink, `https://networkservices.googleapis.com/v1alpha1/${name}`, kind);
    t.regex(got.createTime as string, TIMESTAMP, kind);
    const listed = (await coll.list({ parent: PARENT })).data[kind] as Array<{ name: string }>;
    t.deepEqual(
      listed.map((r) => r.name),
      [name],
      kind,
    );
    const patched = await coll.patch({
      name,
      updateMask: 'description',
      requestBody: { description: 'changed' },
    });
    t.is(patched.data.response?.description, 'changed', kind);
    t.true(
      (patched.data.response?.updateTime as string) > (got.updateTime as string),
      `${kind}: updateTime bumped`,
    );
    t.is(patched.data.response?.createTime, got.createTime, kind);
    await coll.delete({ name });
    t.is((await rejection(coll.get({ name }))).status, 404, kind);
  }
  t.deepEqual(emu.stats().byCollection.tlsRoutes, { POST: 1, GET: 3, PATCH: 1, DELETE: 1 });
});

test('list pages through 250 routes 100 at a time, in stable order, with opaque tokens', async (t) => {
  const emu = await emulatorFor(t);
  for (let i = 0; i < 250; i++) {
    const id = `r-${String(i).padStart(3, '0')}`;
    emu.putRaw('httpRoutes', `${PARENT}/httpRoutes/${id}`, { ...httpRoute(`${id}.example.com`) });
  }
  const ns = rawClient(emu).projects.locations.httpRoutes;
  const pages: string[][] = [];
  const tokens: string[] = [];
  let pageToken: string | undefined;
  do {
    const { data } = await ns.list({ parent: PARENT, pageSize: 100, pageToken });
    pages.push((data.httpRoutes ?? []).map((r) => r.name!.split('/').pop()!));
    pageToken = data.nextPageToken ?? undefined;
    if (pageToken) tokens.push(pageToken);
  } while (pageToken);
  t.deepEqual(
    pages.map((p) => p.length),
    [100, 100, 50],
  );
  const all = pages.flat();
  t.is(new Set(all).size, 250);
  t.deepEqual(all, [...all].sort());
  t.false(
    tokens.some((tok) => tok.includes('r-')),
    'tokens do not expose names',
  );
  const bad = await rejection(ns.list({ parent: PARENT, pageToken: 'garbage' }));
  t.is(bad.status, 400);
  t.is(bad.error.status, 'INVALID_ARGUMENT');
});

test('patch with a mask changes only the named fields; without a mask it replaces the resource', async (t) => {
  const emu = await emulatorFor(t);
  const ns = rawClient(emu).projects.locations.httpRoutes;
  const name = `${PARENT}/httpRoutes/r`;
  await ns.create({
    parent: PARENT,
    httpRouteId: 'r',
    requestBody: httpRoute('a.example.com', { description: 'keep', labels: { a: '1' } }),
  });
  await ns.patch({
    name,
    updateMask: 'labels,hostnames',
    requestBody: { labels: { b: '2' }, hostnames: ['b.example.com'], description: 'ignored' },
  });
  let got = (await ns.get({ name })).data;
  t.deepEqual(got.labels, { b: '2' });
  t.deepEqual(got.hostnames, ['b.example.com']);
  t.is(got.description, 'keep', 'fields outside the mask are untouched');
  t.deepEqual(got.meshes, [MESH]);
  const patchEntry = emu.requestLog().find((e) => e.method === 'PATCH');
  t.true(
    new URLSearchParams(patchEntry?.query).get('updateMask') === 'labels,hostnames',
    'the request log records the query string',
  );

  await ns.patch({
    name,
    requestBody: {
      hostnames: ['c.example.com'],
      rules: [{ action: { destinations: [{ serviceName: 'bs2' }] } }],
    },
  });
  got = (await ns.get({ name })).data;
  t.deepEqual(got.hostnames, ['c.example.com']);
  t.is(got.description, undefined, 'no mask replaces everything');
  t.is(got.labels, undefined);
  t.is(got.meshes, undefined);

  const badMask = await rejection(ns.patch({ name, updateMask: 'hostnames,bogus', requestBody: {} }));
  t.is(badMask.status, 400);
  t.regex(badMask.error.message, /bogus/);
  t.is((await rejection(ns.patch({ name: `${PARENT}/httpRoutes/none`, requestBody: {} }))).status, 404);
});

test('hostnames must be unique per Mesh, across HttpRoutes and GrpcRoutes, on create and on patch', async (t) => {
  const emu = await emulatorFor(t);
  const ns = rawClient(emu).projects.locations;
  await ns.httpRoutes.create({
    parent: PARENT,
    httpRouteId: 'a',
    requestBody: httpRoute('svc.ns.svc.cluster.local:80'),
  });
  const dup = await rejection(
    ns.grpcRoutes.create({
      parent: PARENT,
      grpcRouteId: 'b',
      requestBody: grpcRoute('svc.ns.svc.cluster.local:80'),
    }),
  );
  t.is(dup.status, 400);
  t.is(dup.error.status, 'INVALID_ARGUMENT');
  t.regex(dup.error.message, /hostnames\[0\].*svc\.ns\.svc\.cluster\.local:80.*httpRoutes\/a/);
  // Same hostname on another mesh (or on no mesh) is fine; a different port is a different hostname.
  await ns.httpRoutes.create({
    parent: PARENT,
    httpRouteId: 'c',
    requestBody: httpRoute('svc.ns.svc.cluster.local:80', { meshes: [`${PARENT}/meshes/other`] }),
  });
  await ns.httpRoutes.create({
    parent: PARENT,
    httpRouteId: 'd',
    requestBody: httpRoute('svc.ns.svc.cluster.local:81'),
  });
  const viaPatch = await rejection(
    ns.httpRoutes.patch({
      name: `${PARENT}/httpRoutes/d`,
      updateMask: 'hostnames',
      requestBody: { hostnames: ['svc.ns.svc.cluster.local:80'] },
    }),
  );
  t.is(viaPatch.status, 400);
  t.regex(viaPatch.error.message, /already used by/);
  // A full-URL mesh reference names the same Mesh.
  const viaUrl = await rejection(
    ns.httpRoutes.create({
      parent: PARENT,
      httpRouteId: 'e',
      requestBody: httpRoute('svc.ns.svc.cluster.local:80', {
        meshes: [`https://networkservices.googleapis.com/v1alpha1/${MESH}`],
      }),
    }),
  );
  t.is(viaUrl.status, 400);
  // Patching a route with its own hostnames is not a conflict with itself.
  await ns.httpRoutes.patch({
    name: `${PARENT}/httpRoutes/a`,
    updateMask: 'description',
    requestBody: { description: 'x' },
  });
  t.is(emu.resources('httpRoutes').length, 3);
});

test('deleting a Mesh that routes reference fails with FAILED_PRECONDITION until they are gone', async (t) => {
  const emu = await emulatorFor(t);
  const ns = rawClient(emu).projects.locations;
  await ns.meshes.create({ parent: PARENT, meshId: 'm', requestBody: {} });
  await ns.grpcRoutes.create({ parent: PARENT, grpcRouteId: 'g', requestBody: grpcRoute('g.example.com') });
  const refused = await rejection(ns.meshes.delete({ name: MESH }));
  t.is(refused.status, 400);
  t.is(refused.error.status, 'FAILED_PRECONDITION');
  t.regex(refused.error.message, /grpcRoutes\/g/);
  await ns.grpcRoutes.delete({ name: `${PARENT}/grpcRoutes/g` });
  await ns.meshes.delete({ name: MESH });
  t.deepEqual(emu.resources('meshes'), []);
});

test("errors use Google's envelope with the right HTTP status", async (t) => {
  const emu = await emulatorFor(t);
  const missing = await call(emu, 'GET', `/v1/${PARENT}/httpRoutes/nope`);
  t.is(missing.status, 404);
  t.deepEqual(missing.json, {
    error: { code: 404, message: `Resource '${PARENT}/httpRoutes/nope' was not found`, status: 'NOT_FOUND' },
  });
  t.is((await call(emu, 'POST', `/v1/${PARENT}/meshes?meshId=m`, {})).status, 200);
  const again = await call(emu, 'POST', `/v1/${PARENT}/meshes?meshId=m`, {});
  t.is(again.status, 409);
  t.like(again.json, { error: { code: 409, status: 'ALREADY_EXISTS' } });
  const badId = await call(emu, 'POST', `/v1/${PARENT}/meshes?meshId=Bad_Id`, {});
  t.is(badId.status, 400);
  t.regex((badId.json.error as { message: string }).message, /meshId "Bad_Id" must match/);
  const noId = await call(emu, 'POST', `/v1/${PARENT}/meshes`, {});
  t.regex((noId.json.error as { message: string }).message, /meshId is required/);
  const badJson = await call(emu, 'POST', `/v1/${PARENT}/meshes?meshId=n`, '{nope');
  t.is(badJson.status, 400);
  t.like(badJson.json, { error: { status: 'INVALID_ARGUMENT' } });
  const invalid = await call(emu, 'POST', `/v1/${PARENT}/httpRoutes?httpRouteId=r`, {
    hostnames: ['a.example.com'],
    rules: [{ matches: [{ prefixMatch: '/a', fullPathMatch: '/b' }] }],
  });
  t.is(invalid.status, 400);
  const error = invalid.json.error as {
    message: string;
    details: Array<{ '@type': string; fieldViolations: Array<{ field: string }> }>;
  };
  t.regex(error.message, /rules\[0\]\.matches\[0\]: only one of fullPathMatch, prefixMatch, regexMatch/);
  t.is(error.details[0]['@type'], 'type.googleapis.com/google.rpc.BadRequest');
  t.deepEqual(
    error.details[0].fieldViolations.map((v) => v.field),
    ['rules[0].matches[0]'],
  );
});

test('output fidelity: server-set name and times, output-only input ignored, defaults omitted', async (t) => {
  const emu = await emulatorFor(t);
  const ns = rawClient(emu).projects.locations;
  await ns.meshes.create({
    parent: PARENT,
    meshId: 'm',
    requestBody: {
      name: 'projects/x/locations/y/meshes/zzz',
      createTime: '2000-01-01T00:00:00Z',
      selfLink: 'bogus',
      description: '',
      labels: {},
    },
  });
  const mesh = (await ns.meshes.get({ name: MESH })).data;
  t.is(mesh.name, MESH);
  t.not(mesh.createTime, '2000-01-01T00:00:00Z');
  t.regex(mesh.createTime!, TIMESTAMP);
  t.false('description' in mesh, 'empty string omitted');
  t.false('labels' in mesh, 'empty map omitted');
  t.false('interceptionPort' in mesh);
  await ns.grpcRoutes.create({
    parent: PARENT,
    grpcRouteId: 'g',
    requestBody: {
      hostnames: ['g.example.com'],
      rules: [
        {
          action: { destinations: [{ serviceName: 'bs', weight: 0 }] },
          matches: [{ method: { grpcService: 's', grpcMethod: 'm', caseSensitive: false } }],
        },
      ],
    },
  });
  const g = (await ns.grpcRoutes.get({ name: `${PARENT}/grpcRoutes/g` })).data;
  t.is(g.rules![0].action!.destinations![0].weight, 0, 'proto3 optional weight keeps its presence');
  t.is(g.rules![0].matches![0].method!.caseSensitive, false, 'optional caseSensitive keeps its presence');
});

test('validation messages name the field', async (t) => {
  const emu = await emulatorFor(t);
  const ns = rawClient(emu).projects.locations.httpRoutes;
  const message = async (body: object) =>
    (await rejection(ns.create({ parent: PARENT, httpRouteId: 'r', requestBody: body }))).error.message;
  t.regex(await message({ rules: [{}] }), /hostnames: hostnames is required/);
  t.regex(
    await message({ hostnames: ['10.0.0.1'], rules: [{}] }),
    /hostnames\[0\]: invalid hostname "10\.0\.0\.1"/,
  );
  t.regex(
    await message(httpRoute('a.b', { rules: [{ matches: [{ regexMatch: '(?=x)' }] }] })),
    /rules\[0\]\.matches\[0\]\.regexMatch: invalid RE2/,
  );
  t.regex(
    await message(
      httpRoute('a.b', {
        rules: [{ action: { destinations: [{ serviceName: 'a', weight: 1 }, { serviceName: 'b' }] } }],
      }),
    ),
    /rules\[0\]\.action\.destinations: weights must be set on all destinations or none/,
  );
  t.regex(
    await message(
      httpRoute('a.b', { rules: [{ action: { redirect: { pathRedirect: '/x', prefixRewrite: '/y' } } }] }),
    ),
    /redirect: pathRedirect and prefixRewrite cannot both be set/,
  );
  // A malformed Duration never reaches the service: Google's front end refuses the JSON (discovery checks).
  t.is(
    await message(httpRoute('a.b', { rules: [{ action: { timeout: '10 seconds' } }] })),
    `Invalid value at 'http_route.rules[0].action.timeout' (type.googleapis.com/google.protobuf.Duration), "10 seconds"`,
  );
});

test('lenient mode accepts what production accepts', async (t) => {
  const strict = await emulatorFor(t);
  const lenient = await emulatorFor(t, { lenient: true });
  const body = httpRoute('a.b', {
    rules: [
      {
        matches: [{ fullPathMatch: 'example' }],
        action: { retryPolicy: { retryConditions: ['cancelled'] } },
      },
    ],
  });
  const create = (emu: typeof strict) =>
    rawClient(emu).projects.locations.httpRoutes.create({
      parent: PARENT,
      httpRouteId: 'r',
      requestBody: body,
    });
  const refused = await rejection(create(strict));
  t.regex(refused.error.message, /fullPathMatch must begin with "\/"/);
  t.regex(refused.error.message, /unknown retry condition "cancelled"/);
  t.true((await create(lenient)).data.done);
});

test('faults: error rates per method, dropped connections, failing operations; admin stats and reset', async (t) => {
  const emu = await emulatorFor(t);
  await call(emu, 'POST', '/_emulator/faults', { errorRates: { GET: { '503': 1 } } });
  const get = await call(emu, 'GET', `/v1/${PARENT}/meshes`);
  t.is(get.status, 503);
  t.like(get.json, { error: { code: 503, status: 'UNAVAILABLE' } });
  t.is((await call(emu, 'POST', `/v1/${PARENT}/meshes?meshId=m`, {})).status, 200, 'POST unaffected');
  const rejected = await call(emu, 'POST', '/_emulator/faults', { errorRates: { GET: { '418': 1 } } });
  t.is(rejected.status, 400);
  t.regex((rejected.json.error as { message: string }).message, /418/);

  emu.setFaults({ errorRates: { '*': { '429': 1 } } });
  t.is((await call(emu, 'DELETE', `/v1/${MESH}`)).status, 429);

  emu.setFaults({ dropRate: 1 });
  await t.throwsAsync(fetch(new URL(`/v1/${PARENT}/meshes`, emu.url)));

  emu.setFaults({ failOperationRate: 1 });
  const op = await call(emu, 'POST', `/v1/${PARENT}/meshes?meshId=f`, {});
  t.is(op.json.done, true);
  t.like(op.json, { error: { code: 13 } });
  t.false('response' in op.json);
  t.deepEqual(
    emu.resources('meshes').map((m) => m.name),
    [MESH],
    'a failed operation changes nothing',
  );

  await call(emu, 'DELETE', '/_emulator/faults');
  const stats = (await call(emu, 'GET', '/_emulator/stats')).json as unknown as ReturnType<typeof emu.stats>;
  t.is(stats.requests, 5);
  t.deepEqual(stats.byMethod, { GET: 2, POST: 2, DELETE: 1 });
  t.is(stats.writes, 2);
  t.like(stats.injected, { '503': 1, '429': 1, dropped: 1, failedOperations: 1 });
  t.deepEqual(
    emu.requestLog().map((e) => e.status),
    [503, 200, 429, 0, 200],
  );

  await call(emu, 'POST', '/_emulator/reset', {});
  t.is(emu.stats().requests, 0);
  t.is(emu.resources('meshes').length, 1, 'plain reset keeps resources');
  await call(emu, 'POST', '/_emulator/reset?state=true', {});
  t.is(emu.resources('meshes').length, 0);
  const dump = (await call(emu, 'GET', '/_emulator/state')).json;
  t.deepEqual((dump.resources as Record<string, object>).meshes, {});
});

test('latency fault delays answers', async (t) => {
  const emu = await emulatorFor(t);
  emu.setFaults({ latencyMs: 60 });
  const started = performance.now();
  await call(emu, 'GET', `/v1/${PARENT}/meshes`);
  t.true(performance.now() - started >= 55);
});

test('state persists to a JSON file (atomic rename) and survives a restart', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netsvc-state-'));
  const statePath = path.join(dir, 'state.json');
  const first = await startNetsvcEmulator({ statePath });
  const ns = rawClient(first).projects.locations;
  await ns.meshes.create({ parent: PARENT, meshId: 'm', requestBody: { description: 'persisted' } });
  const { data: op } = await ns.httpRoutes.create({
    parent: PARENT,
    httpRouteId: 'r',
    requestBody: httpRoute('r.example.com'),
  });
  await first.close();
  const onDisk = JSON.parse(readFileSync(statePath, 'utf8')) as {
    resources: Record<string, Record<string, unknown>>;
  };
  t.deepEqual(Object.keys(onDisk.resources.httpRoutes), [`${PARENT}/httpRoutes/r`]);

  const second = await emulatorFor(t, { statePath });
  const ns2 = rawClient(second).projects.locations;
  t.is((await ns2.meshes.get({ name: MESH })).data.description, 'persisted');
  t.true((await ns2.operations.get({ name: op.name! })).data.done, 'operations survive too');
  await ns2.httpRoutes.delete({ name: `${PARENT}/httpRoutes/r` });
  const after = JSON.parse(readFileSync(statePath, 'utf8')) as {
    resources: Record<string, Record<string, unknown>>;
  };
  t.deepEqual(after.resources.httpRoutes, {});
});
