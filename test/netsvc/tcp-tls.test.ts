// TcpRoutes and TlsRoutes over real loopback sockets: NetsvcClient (googleapis underneath) against the
// emulator for create/get/list/patch/delete, the emulator's checks of what Google documents for
// them (IPv4 CIDR address and port string, sniHost/alpn rules), and plan -> apply -> plan at rest.
import test, { type ExecutionContext } from 'ava';
import { NetsvcClient } from '../../shared/netsvc/client.ts';
import { ApiError } from '../../shared/netsvc/errors.ts';
import { applyPlan, readActualState } from '../../shared/netsvc/apply.ts';
import { isEmptyPlan, plan } from '../../shared/plan/index.ts';
import type { NetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import type { NsTcpRoute, NsTlsRoute } from '../../shared/translate/types.ts';
import { call, emulatorFor, MESH, PARENT } from './helpers.ts';
import { OPTS, desired, tcpRoute, tlsRoute } from '../plan/builders.ts';

const BS = `${PARENT}/backendServices/db-5432-tcp`;

function clientFor(emu: NetsvcEmulator): NetsvcClient {
  return new NetsvcClient({
    project: 'p',
    location: 'global',
    endpoint: emu.url,
    requestsPerSecond: 500,
    retry: { attempts: 2, baseDelayMs: 2, maxDelayMs: 5 },
  });
}

function tcp(extra: Partial<NsTcpRoute> = {}): NsTcpRoute {
  return {
    meshes: [MESH],
    rules: [
      {
        matches: [{ address: '10.0.0.12/32', port: '5432' }],
        action: {
          destinations: [
            { serviceName: BS, weight: 90 },
            { serviceName: `${BS}-b`, weight: 10 },
          ],
        },
      },
    ],
    ...extra,
  };
}

function tls(extra: Partial<NsTlsRoute> = {}): NsTlsRoute {
  return {
    meshes: [MESH],
    rules: [
      {
        matches: [{ sniHost: ['db.example.com', '*.example.org'], alpn: ['h2'] }],
        action: { destinations: [{ serviceName: BS }] },
      },
    ],
    ...extra,
  };
}

async function rejected(t: ExecutionContext, p: Promise<unknown>): Promise<ApiError> {
  const e = await t.throwsAsync(p);
  t.true(e instanceof ApiError, String(e));
  return e as ApiError;
}

test('NetsvcClient: create, get, list, patch and delete TcpRoutes and TlsRoutes', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  await c.create('meshes', 'm', {});
  const created = await c.create('tcpRoutes', 'db', tcp({ labels: { team: 'a' } }));
  t.is(created.name, `${PARENT}/tcpRoutes/db`);
  t.deepEqual(created.rules?.[0].matches, [{ address: '10.0.0.12/32', port: '5432' }]);
  const sni = await c.create('tlsRoutes', 'sni', tls());
  t.deepEqual(sni.rules?.[0].matches?.[0].sniHost, ['db.example.com', '*.example.org']);

  t.is((await c.get('tcpRoutes', 'db'))?.labels?.team, 'a');
  t.is(await c.get('tlsRoutes', 'missing'), null);
  t.deepEqual(
    (await c.list('tcpRoutes')).map((r) => r.name),
    [`${PARENT}/tcpRoutes/db`],
  );
  t.deepEqual(
    (await c.list('tlsRoutes')).map((r) => r.name),
    [`${PARENT}/tlsRoutes/sni`],
  );

  const patched = await c.patch('tcpRoutes', 'db', { description: 'split', labels: {} }, ['description']);
  t.is(patched.description, 'split');
  t.deepEqual(patched.labels, { team: 'a' }, 'fields outside the mask stay');
  const moved = await c.patch('tlsRoutes', 'sni', tls({ description: 'x' }), ['rules', 'description']);
  t.is(moved.description, 'x');

  await c.delete('tcpRoutes', 'db');
  await c.delete('tlsRoutes', 'sni');
  t.deepEqual(await c.list('tcpRoutes'), []);
  t.deepEqual(await c.list('tlsRoutes'), []);
  t.deepEqual(c.stats.requests, { GET: c.stats.requests.GET, POST: 3, PATCH: 2, DELETE: 2 });
});

test('TcpRoute checks: IPv4 address or CIDR, port as a string 1-65535, destinations xor originalDestination', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  const withMatch = (address: unknown, port: unknown) =>
    tcp({ rules: [{ matches: [{ address, port } as never], action: { originalDestination: true } }] });
  for (const [address, port, field] of [
    ['fd00::12/128', '5432', 'address'],
    ['10.0.0.300', '5432', 'address'],
    ['10.0.0.12/33', '5432', 'address'],
    ['10.0.0.12/32', '0', 'port'],
    ['10.0.0.12/32', '70000', 'port'],
    ['10.0.0.12/32', 'postgres', 'port'],
  ] as const) {
    const e = await rejected(t, c.create('tcpRoutes', 'bad', withMatch(address, port)));
    t.is(e.httpStatus, 400, `${address} ${port}`);
    t.regex(e.message, new RegExp(`rules\\[0\\]\\.matches\\[0\\]\\.${field}: `), `${address} ${port}`);
  }
  // A bare IPv4 address is accepted (it matches that one address).
  await c.create('tcpRoutes', 'bare', withMatch('10.0.0.12', '5432'));
  const both = await rejected(
    t,
    c.create(
      'tcpRoutes',
      'both',
      tcp({ rules: [{ action: { destinations: [{ serviceName: BS }], originalDestination: true } }] }),
    ),
  );
  t.regex(both.message, /exactly one of destinations or originalDestination/);
  const partial = await rejected(
    t,
    c.create(
      'tcpRoutes',
      'w',
      tcp({ rules: [{ action: { destinations: [{ serviceName: BS, weight: 1 }, { serviceName: BS }] } }] }),
    ),
  );
  t.regex(partial.message, /weights must be set on all destinations or none/);
  t.regex((await rejected(t, c.create('tcpRoutes', 'none', { meshes: [MESH] }))).message, /rules/);
  t.deepEqual(
    emu.resources('tcpRoutes').map((r) => r.name),
    [`${PARENT}/tcpRoutes/bare`],
  );
});

test('TlsRoute checks: sniHost or alpn in every match, no partial wildcard, at most 100 SNI hosts and 5 ALPN values', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  const withMatches = (matches: unknown[]) =>
    tls({ rules: [{ matches: matches as never, action: { destinations: [{ serviceName: BS }] } }] });
  const cases: [unknown[], RegExp][] = [
    [[{}], /rules\[0\]\.matches\[0\]: at least one of sniHost or alpn/],
    [[{ sniHost: ['*w.example.com'] }], /sniHost\[0\]: invalid SNI host "\*w\.example\.com"/],
    [[{ sniHost: ['10.0.0.1'] }], /sniHost\[0\]/],
    [[{ alpn: ['a', 'b', 'c'] }, { alpn: ['d', 'e', 'f'] }], /at most 5 alpn values allowed, got 6/],
    [
      [
        { sniHost: Array.from({ length: 60 }, (_, i) => `h${i}.a.com`) },
        { sniHost: Array.from({ length: 41 }, (_, i) => `h${i}.b.com`) },
      ],
      /at most 100 sniHost values allowed, got 101/,
    ],
    [[], /rules\[0\]\.matches/],
  ];
  for (const [matches, message] of cases) {
    const e = await rejected(t, c.create('tlsRoutes', 'bad', withMatches(matches)));
    t.is(e.httpStatus, 400);
    t.regex(e.message, message);
  }
  const noDest = await rejected(
    t,
    c.create(
      'tlsRoutes',
      'bad',
      tls({ rules: [{ matches: [{ alpn: ['h2'] }], action: { destinations: [] } }] }),
    ),
  );
  t.regex(noDest.message, /rules\[0\]\.action\.destinations/);
  const idle = await rejected(
    t,
    c.create(
      'tlsRoutes',
      'bad',
      tls({
        rules: [
          {
            matches: [{ alpn: ['h2'] }],
            action: { destinations: [{ serviceName: BS }], idleTimeout: '-5s' },
          },
        ],
      }),
    ),
  );
  t.regex(idle.message, /rules\[0\]\.action\.idleTimeout: /);
  const proxy = await rejected(t, c.create('tlsRoutes', 'bad', tls({ targetProxies: ['not-a-proxy'] })));
  t.regex(proxy.message, /targetProxies\[0\]: expected projects\/\*\/locations\/\*\/targetTcpProxies\/\*/);
  await c.create(
    'tlsRoutes',
    'ok',
    withMatches([{ sniHost: ['*.example.com'] }, { alpn: ['h2', 'http/1.1'] }]),
  );
  t.is(emu.resources('tlsRoutes').length, 1);
});

test('discovery checks: fields TcpRoute and TlsRoute do not have are refused before any other check', async (t) => {
  const emu = await emulatorFor(t);
  const tcpRes = await call(emu, 'POST', `/v1/${PARENT}/tcpRoutes?tcpRouteId=r`, {
    ...tcp(),
    hostnames: ['x'],
  });
  t.is(tcpRes.status, 400);
  t.regex((tcpRes.json.error as { message: string }).message, /Unknown name "hostnames" at 'tcp_route'/);
  const tlsRes = await call(emu, 'POST', `/v1/${PARENT}/tlsRoutes?tlsRouteId=r`, {
    ...tls(),
    rules: [
      { matches: [{ sniHost: ['a.com'], port: '443' }], action: { destinations: [{ serviceName: BS }] } },
    ],
  });
  t.is(tlsRes.status, 400);
  t.regex(
    (tlsRes.json.error as { message: string }).message,
    /Unknown name "port" at 'tls_route\.rules\[0\]\.matches\[0\]'/,
  );
  const badQuery = await call(emu, 'POST', `/v1/${PARENT}/tcpRoutes?tcpRouteID=r`, tcp());
  t.is(badQuery.status, 400);
  t.deepEqual(emu.resources('tcpRoutes'), []);
});

test('plan, apply, plan again: TcpRoutes and TlsRoutes at rest plan nothing; dropped ones are deleted', async (t) => {
  const emu = await emulatorFor(t);
  const c = clientFor(emu);
  await c.create('meshes', 'm', { labels: { 'managed-by': 'gamma-csm', 'gamma-csm-cluster': 'c1' } });
  const want = desired({ tcpRoutes: [tcpRoute('db')], tlsRoutes: [tlsRoute('web')] });
  want.tcpRoutes[0].rules![0].action!.idleTimeout = '30s';
  const first = await readActualState(c);
  t.is(first.error, undefined);
  const p1 = plan(want, first.state, OPTS);
  t.deepEqual(
    p1.creates.map((x) => `${x.kind}/${x.id}`),
    ['tcpRoutes/db', 'tlsRoutes/web'],
  );
  const applied = await applyPlan(c, p1);
  t.true(applied.ok, JSON.stringify(applied.items));

  const second = await readActualState(c);
  t.is(second.state.tcpRoutes.length, 1);
  t.true(isEmptyPlan(plan(want, second.state, OPTS)), 'the listed form plans nothing');

  const p3 = plan(desired({ tcpRoutes: [tcpRoute('db')] }), second.state, OPTS);
  t.deepEqual(
    p3.deletes.map((x) => `${x.kind}/${x.id}`),
    ['tlsRoutes/web'],
  );
  t.true((await applyPlan(c, p3)).ok);
  t.deepEqual(emu.resources('tlsRoutes'), []);
});

test('retries: a lost TcpRoute create is settled by reading (no requestId on this method), a lost TlsRoute delete counts its 404 as done', async (t) => {
  const emu = await emulatorFor(t);
  const c = new NetsvcClient({
    project: 'p',
    location: 'global',
    endpoint: emu.url,
    requestsPerSecond: 500,
    retry: { attempts: 4, baseDelayMs: 2, maxDelayMs: 5 },
  });
  emu.setFaults({ next: [{ drop: 'after' }] });
  const created = await c.create('tcpRoutes', 'db', tcp({ description: 'mine' }));
  t.is(created.description, 'mine');
  t.is(c.stats.createsResolvedByRead, 1);
  t.is(c.stats.requests.PATCH, 0, 'the stored body is the one sent: nothing to patch');
  t.is(emu.resources('tcpRoutes').length, 1);

  await c.create('tlsRoutes', 'sni', tls());
  emu.setFaults({ next: [{ drop: 'after' }] });
  await c.delete('tlsRoutes', 'sni');
  t.is(c.stats.retries, 2);
  t.deepEqual(emu.resources('tlsRoutes'), []);
});
