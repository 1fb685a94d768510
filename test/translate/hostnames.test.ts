import test from 'ava';
import { hostnamesFor, serviceNamespacesByName } from '../../shared/translate/hostnames.ts';
import type { Service } from '../../shared/gamma/types.ts';

const svc = (name: string, namespace: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: {},
});

test('port 80 lists every form with and without the port', (t) => {
  t.deepEqual(hostnamesFor('echo', 'ns', 80, 'cluster.local', ['ns']).hostnames, [
    'echo.ns.svc.cluster.local:80',
    'echo.ns.svc:80',
    'echo.ns:80',
    'echo:80',
    'echo.ns.svc.cluster.local',
    'echo.ns.svc',
    'echo.ns',
    'echo',
  ]);
});

test('other ports only list forms with the port; the cluster domain is configurable', (t) => {
  const set = hostnamesFor('echo', 'ns', 8080, 'corp.example', []);
  t.deepEqual(set.hostnames, [
    'echo.ns.svc.corp.example:8080',
    'echo.ns.svc:8080',
    'echo.ns:8080',
    'echo:8080',
  ]);
  t.is(set.shortNameOmitted, undefined);
});

test('the short name is omitted, with a reason, when another namespace has a Service of that name', (t) => {
  const set = hostnamesFor('echo', 'ns', 80, 'cluster.local', ['ns', 'other']);
  t.false(set.hostnames.includes('echo'));
  t.false(set.hostnames.includes('echo:80'));
  t.true(set.hostnames.includes('echo.ns'));
  t.regex(set.shortNameOmitted ?? '', /other/);
});

test('namespaces by name come from the services and from explicit cross-parent facts', (t) => {
  const lookup = serviceNamespacesByName([svc('a', 'x'), svc('a', 'y'), svc('b', 'x')], {
    b: ['z'],
    c: ['q'],
  });
  t.deepEqual(lookup('a'), ['x', 'y']);
  t.deepEqual(lookup('b'), ['x', 'z']);
  t.deepEqual(lookup('c'), ['q']);
  t.deepEqual(lookup('constructor'), []);
});
