// Translator bugs found by the differential tests, kept as minimal regression tests. While a bug is
// open its test is test.failing (and the generator avoids it); once fixed it becomes a plain test.
// Fixed: redirect to port 80 from another Service port kept the caller's port (found 2026-11-26).
// Fixed: `scheme: https` + `port: 80` on Service port 80 dropped the port (Location https://svc/).
import test from 'ava';
import type { HTTPRoute, HTTPRouteRule } from '../../shared/gamma/types.ts';
import { SERVICES, compareCase } from '../support/diff-arbitraries.ts';
import type { MeshRequest } from '../support/request.ts';

function route(rules: HTTPRouteRule[]): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r0', namespace: 'd' },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'svc' }], rules },
  };
}

const on8080: MeshRequest = { protocol: 'http', clientNamespace: 'd', host: 'svc', port: 8080, path: '/' };

function diffs(rules: HTTPRouteRule[], request: MeshRequest): string[] {
  return compareCase({ objects: { services: SERVICES, httpRoutes: [route(rules)], grpcRoutes: [] }, request })
    .diffs;
}

test('redirect to port 80: `port: 80` from Service port 8080 gives Location http://svc/', (t) => {
  t.deepEqual(diffs([{ filters: [{ type: 'RequestRedirect', requestRedirect: { port: 80 } }] }], on8080), []);
});

test('redirect to port 80: `scheme: http` without port from Service port 8080 uses port 80', (t) => {
  t.deepEqual(
    diffs([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'http' } }] }], on8080),
    [],
  );
});

test('https to port 80: `scheme: https, port: 80` on Service port 80 must give Location https://svc:80/', (t) => {
  const on80 = { ...on8080, port: 80 };
  t.deepEqual(
    diffs([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', port: 80 } }] }], on80),
    [],
  );
});

test('control: the same redirects from Service port 80 agree', (t) => {
  const on80 = { ...on8080, port: 80 };
  t.deepEqual(diffs([{ filters: [{ type: 'RequestRedirect', requestRedirect: { port: 80 } }] }], on80), []);
  t.deepEqual(
    diffs([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'http' } }] }], on80),
    [],
  );
});
