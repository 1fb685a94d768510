// Backend services for TCPRoute and TLSRoute destinations (BackendMapping.transport 'TCP'): protocol
// TCP whatever the port declares, CONNECTION balancing (RATE serves HTTP only), a TCP health check
// unless overridden; the same port's HTTP backend service is untouched. Against the Compute emulator
// through the real client: created once, at rest afterwards, and Compute refuses RATE for TCP.
import test from 'ava';
import { ComputeClient } from '../../shared/compute/client.ts';
import { desiredCompute, ownerDescription } from '../../shared/compute/desired.ts';
import { DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT, portBackend } from '../../shared/compute/protocol.ts';
import { ensureBackends } from '../../shared/compute/stage.ts';
import type { Service } from '../../shared/gamma/types.ts';
import type { BackendMapping } from '../../shared/translate/types.ts';
import { startComputeEmulator } from '../../infra/local/compute/server.ts';
import { backendServiceLines } from '../../cli/commands/backends-text.ts';

const OPTS = { project: 'p', clusterId: 'c1' };

function db(annotations: Record<string, string> = {}, appProtocol?: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'db',
      namespace: 'ns',
      annotations: {
        'cloud.google.com/neg': '{"exposed_ports":{"5432":{}}}',
        'cloud.google.com/neg-status': JSON.stringify({
          network_endpoint_groups: { 5432: 'neg-db' },
          zones: ['us-central1-a'],
        }),
        ...annotations,
      },
    },
    spec: { ports: [{ port: 5432, ...(appProtocol ? { appProtocol } : {}) }] },
  } as Service;
}

const mapping = (id: string, transport?: 'TCP'): BackendMapping => ({
  serviceName: `projects/p/locations/global/backendServices/${id}`,
  namespace: 'ns',
  service: 'db',
  port: 5432,
  ...(transport ? { transport } : {}),
});

test('transport TCP: protocol TCP even for an appProtocol HTTP cannot serve; CONNECTION balancing; TCP check', (t) => {
  const got = portBackend(db({}, 'postgresql'), 5432, 'TCP');
  t.true(got.ok);
  if (!got.ok) return;
  t.is(got.backend.protocol, 'TCP');
  t.deepEqual(got.backend.healthCheck, { type: 'TCP' });
  t.deepEqual(got.backend.balancing, {
    balancingMode: 'CONNECTION',
    maxConnectionsPerEndpoint: DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT,
  });
  // The same port for an HTTP route is still judged by its appProtocol.
  const http = portBackend(db({}, 'postgresql'), 5432);
  t.false(http.ok);
  if (!http.ok) t.is(http.problem.reason, 'UnsupportedProtocol');
});

test('transport TCP: the health check override applies, a bad one is reported; protocol and rate annotations do not apply', (t) => {
  const checked = portBackend(db({ 'gamma-csm.dev/health-check.5432': 'http:/ready' }), 5432, 'TCP');
  t.deepEqual(checked.ok ? checked.backend.healthCheck : undefined, { type: 'HTTP', requestPath: '/ready' });
  const bad = portBackend(db({ 'gamma-csm.dev/health-check.5432': 'ping' }), 5432, 'TCP');
  t.false(bad.ok);
  if (!bad.ok)
    t.regex(
      bad.problem.message,
      /Service ns\/db port 5432: annotation gamma-csm.dev\/health-check.5432 is "ping"/,
    );
  const other = portBackend(
    db({ 'gamma-csm.dev/backend-protocol.5432': 'GRPC', 'gamma-csm.dev/max-rate-per-endpoint.5432': '7' }),
    5432,
    'TCP',
  );
  t.like(other.ok ? other.backend : {}, { protocol: 'TCP', balancing: { balancingMode: 'CONNECTION' } });
  t.false(portBackend(db(), 5433, 'TCP').ok, 'a port the Service lacks');
});

test('desiredCompute: an HTTP and a TCP backend service for one port, each with its own body and owner record', (t) => {
  const d = desiredCompute([db()], [mapping('db-http'), mapping('db-tcp', 'TCP')], OPTS);
  t.deepEqual(
    d.backendServices.map((b) => [b.name, b.protocol, b.backends?.[0]?.balancingMode]),
    [
      ['db-http', 'HTTP', 'RATE'],
      ['db-tcp', 'TCP', 'CONNECTION'],
    ],
  );
  const tcp = d.backendServices[1];
  t.is(tcp.description, ownerDescription({ cluster: 'c1', service: 'ns/db', port: 5432, transport: 'TCP' }));
  t.is(tcp.backends?.[0]?.maxConnectionsPerEndpoint, DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT);
  t.is(tcp.backends?.[0]?.maxRatePerEndpoint, undefined);
  t.is(d.healthChecks.length, 1, 'both use the shared TCP check');
  t.is(d.healthChecks[0].type, 'TCP');
  t.is(d.backendServices[0].description, ownerDescription({ cluster: 'c1', service: 'ns/db', port: 5432 }));
});

test('translate -o text shows the TCP backend service as such, with its connection balancing', (t) => {
  const lines = backendServiceLines(
    desiredCompute([db()], [mapping('db-http'), mapping('db-tcp', 'TCP')], OPTS),
  );
  const text = lines.join('\n');
  t.regex(text, /^BackendService db-tcp <- Service ns\/db:5432 \(TCP routes\)$/m);
  t.regex(text, /^ {2}TCP, INTERNAL_SELF_MANAGED, health check /m);
  t.regex(
    text,
    /^ {2}backend zone us-central1-a\/networkEndpointGroups\/neg-db \(CONNECTION, 1000 connections per endpoint\)$/m,
  );
  t.regex(text, /^BackendService db-http <- Service ns\/db:5432$/m);
  t.regex(text, /\(RATE, 100\/s per endpoint\)$/m);
});

test('an override backend service stays the user’s for TCP destinations too', (t) => {
  const d = desiredCompute(
    [db({ 'gamma-csm.dev/backend-service.5432': 'my-bs' })],
    [mapping('my-bs', 'TCP')],
    OPTS,
  );
  t.deepEqual(d.backendServices, []);
  t.deepEqual(d.healthChecks, []);
});

test('the Compute emulator takes the TCP backend service once, then it is at rest; RATE with TCP is refused', async (t) => {
  const emu = await startComputeEmulator({ port: 0 });
  t.teardown(() => emu.close());
  emu.store.putNeg({ zone: 'us-central1-a', name: 'neg-db' });
  const client = new ComputeClient({ project: 'p', endpoint: emu.url, retry: { attempts: 2 } });
  // The HTTP and the TCP backend service of one port share its NEG.
  const both = [mapping('db-http'), mapping('db-tcp', 'TCP')];
  const first = await ensureBackends(client, [db()], both, OPTS);
  t.deepEqual(first.unavailable, {});
  t.deepEqual(
    first.results.map((r) => `${r.action} ${r.kind} ${r.status}`),
    ['create healthChecks done', 'create backendServices done', 'create backendServices done'],
  );
  const stored = (await client.get('backendServices', 'db-tcp')) as Record<string, unknown>;
  t.like(stored, { protocol: 'TCP', loadBalancingScheme: 'INTERNAL_SELF_MANAGED' });
  t.like((stored.backends as object[])[0], { balancingMode: 'CONNECTION' });
  emu.resetStats();
  t.deepEqual((await ensureBackends(client, [db()], both, OPTS)).results, []);
  t.is((await client.get('backendServices', 'db-http'))?.protocol, 'HTTP');
  t.is(emu.stats().writes, 0);

  const res = await fetch(`${emu.url}compute/v1/projects/p/global/backendServices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'rate-tcp',
      loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
      protocol: 'TCP',
      healthChecks: [stored.healthChecks as string[]][0],
      backends: [
        {
          group:
            'https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/networkEndpointGroups/neg-db',
          balancingMode: 'RATE',
          maxRatePerEndpoint: 5,
        },
      ],
    }),
  });
  t.is(res.status, 400);
  t.regex(await res.text(), /RATE is not supported for protocol TCP; use CONNECTION/);
});
