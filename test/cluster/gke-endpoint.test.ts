// GKE's DNS-based control-plane endpoint: reached without the cluster CA (system trust roots), never
// with TLS verification off; every other endpoint still needs the CA.
import test from 'ava';
import { makeKubeConfig } from '../../shared/cluster/index.ts';
import { isGkeDnsEndpoint } from '../../shared/cluster/gke-endpoint.ts';

const DNS = 'gke-0123456789abcdef.us-central1.gke.goog';

test('only *.gke.goog hosts are DNS endpoints', (t) => {
  t.true(isGkeDnsEndpoint(DNS));
  t.true(isGkeDnsEndpoint(`https://${DNS}`));
  t.true(isGkeDnsEndpoint(`${DNS}:443`));
  for (const other of [
    '10.0.0.2',
    'https://34.1.2.3',
    'gke.goog.example.com',
    'evil-gke.goog.io',
    'x.gke.goo',
    '',
  ])
    t.false(isGkeDnsEndpoint(other), other);
});

test('a DNS endpoint without CA verifies TLS against the system roots', async (t) => {
  const kc = makeKubeConfig({ gke: { endpoint: DNS, token: 'tok' } });
  const cluster = kc.getCurrentCluster();
  t.is(cluster?.server, `https://${DNS}`);
  t.is(cluster?.caData, undefined);
  t.false(cluster?.skipTLSVerify);
  const opts: { ca?: unknown; rejectUnauthorized?: boolean } = {};
  await kc.applyToHTTPSOptions(opts);
  t.is(opts.ca, undefined, 'no pinned CA: Node verifies against its trust store');
  t.not(opts.rejectUnauthorized, false);
});

test('an IP endpoint without CA is refused, naming what is missing', (t) => {
  t.throws(() => makeKubeConfig({ gke: { endpoint: '34.1.2.3', token: 'tok' } }), {
    message: /caData is empty \(only a \*\.gke\.goog DNS endpoint may omit it\)/,
  });
});
