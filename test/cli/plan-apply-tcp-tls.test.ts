// `gamma-csm plan`, `apply` and `uninstall` with TcpRoutes and TlsRoutes in Network Services: the CLI
// as a child process, the emulators over loopback in this process. Owned ones nobody desires any
// more are planned and applied as deletes (and uninstalled); another cluster's and unlabelled ones
// are never touched. (Creating them from TCPRoute/TLSRoute manifests is translate's part;
// test/netsvc/tcp-tls.test.ts plans and applies hand-built desired ones.)
import test from 'ava';
import { runCli } from '../support/cli.ts';
import { startNetsvcEmulator, type NetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import { startComputeEmulator } from '../../infra/local/compute/server.ts';
import { tempDir, serviceYaml, httpRouteYaml } from '../plan/manifests.ts';
import { NetsvcClient } from '../../shared/netsvc/client.ts';
import { LABEL_CLUSTER, LABEL_MANAGED_BY, LABEL_PARENT } from '../../shared/translate/types.ts';

const P = 'projects/p/locations/global';
const MESH = `${P}/meshes/m`;
const ENV = { METADATA_SERVER_DETECTION: 'none', NO_COLOR: '1' };
const owned = (cluster: string) => ({
  [LABEL_MANAGED_BY]: 'gamma-csm',
  [LABEL_CLUSTER]: cluster,
  [LABEL_PARENT]: 'shop-db',
});
const tcp = (labels: Record<string, string>) => ({
  meshes: [MESH],
  labels,
  rules: [
    {
      matches: [{ address: '10.0.0.12/32', port: '5432' }],
      action: {
        destinations: [
          { serviceName: `${P}/backendServices/db`, weight: 90 },
          { serviceName: `${P}/backendServices/db2`, weight: 10 },
        ],
      },
    },
  ],
});
const tls = (labels: Record<string, string>) => ({
  meshes: [MESH],
  labels,
  rules: [
    {
      matches: [{ sniHost: ['db.example.com'] }],
      action: { destinations: [{ serviceName: `${P}/backendServices/db` }] },
    },
  ],
});

/** The emulator with an unmanaged Mesh, two owned and two foreign routes of the new kinds. */
async function seeded(t: {
  teardown(f: () => Promise<void>): void;
}): Promise<{ emu: NetsvcEmulator; foreign: () => string }> {
  const emu = await startNetsvcEmulator({ port: 0 });
  t.teardown(() => emu.close());
  emu.putRaw('meshes', MESH, { labels: { team: 'platform' } });
  const c = new NetsvcClient({ project: 'p', location: 'global', endpoint: emu.url });
  await c.create('tcpRoutes', 'ours-db', tcp(owned('c1')));
  await c.create('tlsRoutes', 'ours-sni', tls(owned('c1')));
  await c.create('tcpRoutes', 'theirs-db', tcp(owned('c2')));
  await c.create('tlsRoutes', 'user-sni', tls({ team: 'x' }));
  const foreign = () =>
    JSON.stringify([
      emu.resources('tcpRoutes').filter((r) => !String(r.name).endsWith('/ours-db')),
      emu.resources('tlsRoutes').filter((r) => !String(r.name).endsWith('/ours-sni')),
    ]);
  return { emu, foreign };
}

const ids = (emu: NetsvcEmulator, kind: 'tcpRoutes' | 'tlsRoutes') =>
  emu.resources(kind).map((r) => String(r.name).split('/').pop());

test('plan shows owned TcpRoutes and TlsRoutes no longer desired as deletes; apply deletes only them', async (t) => {
  const { emu, foreign } = await seeded(t);
  const before = foreign();
  const dir = await tempDir();
  t.teardown(() => dir.remove());
  const file = await dir.write(
    'app.yaml',
    [serviceYaml('shop', 'web'), httpRouteYaml('shop', 'web', 'web', 'web')].join('---\n'),
  );
  const args = [
    '-f',
    file,
    '--endpoint',
    emu.url,
    '--project',
    'p',
    '--mesh',
    'm',
    '--cluster',
    'c1',
    '--backend-services',
    'off',
  ];

  const text = await runCli(['plan', ...args, '--detailed-exitcode'], { env: ENV });
  t.is(text.code, 2, text.stderr);
  t.regex(text.stdout, /^- delete tcpRoutes\/ours-db$/m);
  t.regex(text.stdout, /^- delete tlsRoutes\/ours-sni$/m);
  t.notRegex(text.stdout, /theirs-db|user-sni/);
  t.regex(text.stdout, /^Plan: 1 to create, 0 to update, 2 to delete, 0 refused\.$/m);
  const json = await runCli(['plan', ...args, '-o', 'json'], { env: ENV });
  const parsed = JSON.parse(json.stdout) as { deletes: { kind: string; id: string }[] };
  t.deepEqual(
    parsed.deletes.map((d) => `${d.kind}/${d.id}`),
    ['tcpRoutes/ours-db', 'tlsRoutes/ours-sni'],
  );

  const applied = await runCli(['apply', ...args, '--yes'], { env: ENV });
  t.is(applied.code, 0, applied.stdout + applied.stderr);
  t.regex(applied.stdout, /Apply complete: 3 done, 0 failed, 0 skipped/);
  t.deepEqual(ids(emu, 'tcpRoutes'), ['theirs-db']);
  t.deepEqual(ids(emu, 'tlsRoutes'), ['user-sni']);
  t.is(foreign(), before, 'foreign routes byte-identical');
  const again = await runCli(['plan', ...args, '--detailed-exitcode'], { env: ENV });
  t.is(again.code, 0, again.stderr);
  t.is(again.stdout, 'No changes.\n');
});

test('uninstall deletes the owned TcpRoutes and TlsRoutes, nothing else', async (t) => {
  const { emu, foreign } = await seeded(t);
  const before = foreign();
  const compute = await startComputeEmulator({ port: 0 });
  t.teardown(() => compute.close());
  const args = [
    '--endpoint',
    emu.url,
    '--compute-endpoint',
    compute.url,
    '--project',
    'p',
    '--mesh',
    'm',
    '--cluster',
    'c1',
  ];
  const planned = await runCli(['uninstall', ...args], { env: ENV, input: '' });
  t.is(planned.code, 1, 'no confirmation on a pipe');
  t.regex(planned.stdout, /^- delete tcpRoutes\/ours-db$/m);
  t.regex(planned.stdout, /^- delete tlsRoutes\/ours-sni$/m);
  t.notRegex(planned.stdout, /theirs-db|user-sni|meshes\/m/);
  const r = await runCli(['uninstall', ...args, '--yes'], { env: ENV });
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /Uninstall complete: 2 deleted, 0 failed/);
  t.deepEqual(ids(emu, 'tcpRoutes'), ['theirs-db']);
  t.deepEqual(ids(emu, 'tlsRoutes'), ['user-sni']);
  t.is(foreign(), before);
});
