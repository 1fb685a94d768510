import test from 'ava';
import {
  ID_PATTERN,
  backendServiceName,
  labelValue,
  parentLabelValue,
  routeDescription,
  routeId,
} from '../../shared/translate/names.ts';
import type { Service } from '../../shared/gamma/types.ts';
import type { TranslateOptions } from '../../shared/translate/types.ts';

const options: TranslateOptions = {
  project: 'p',
  location: 'global',
  mesh: 'm',
  clusterId: 'c1',
  controllerName: 'x/y',
  clusterDomain: 'cluster.local',
};

const service = (name: string, namespace: string, annotations?: Record<string, string>): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
  spec: { ports: [{ port: 80 }] },
});

test('route ids are readable, valid and carry a hash', (t) => {
  const id = routeId('http', 'c1', 'default', 'echo', 80);
  t.regex(id, /^gamma-c1-default-echo-80-[0-9a-f]{8}$/);
  t.regex(id, ID_PATTERN);
});

test('route ids differ when the readable form is ambiguous, and across clusters and kinds', (t) => {
  t.not(routeId('http', 'c', 'a-b', 'c', 80), routeId('http', 'c', 'a', 'b-c', 80));
  t.not(routeId('http', 'c1', 'ns', 's', 80), routeId('http', 'c2', 'ns', 's', 80));
  t.not(routeId('http', 'c1', 'ns', 's', 80), routeId('grpc', 'c1', 'ns', 's', 80));
  t.not(routeId('http', 'c1', 'ns', 's', 80), routeId('http', 'c1', 'ns', 's', 8080));
});

test('long inputs are truncated to 63 characters and stay unique', (t) => {
  const long = 'n'.repeat(63);
  const a = routeId('http', 'Cluster_With_Caps', long, `${long}a`, 65535);
  const b = routeId('http', 'Cluster_With_Caps', long, `${long}b`, 65535);
  t.true(a.length <= 63);
  t.regex(a, ID_PATTERN);
  t.not(a, b);
  t.regex(routeId('http', '9-lives', '0ns', 'svc', 1), ID_PATTERN);
});

test('label values are valid GCP label values; valid text is kept verbatim', (t) => {
  t.is(labelValue('prod-eu'), 'prod-eu');
  const odd = labelValue('Prod.EU/1');
  t.regex(odd, /^[a-z0-9_-]{1,63}$/);
  t.not(labelValue('A'), labelValue('a-'));
  t.regex(labelValue('x'.repeat(100)), /^[a-z0-9_-]{1,63}$/);
  t.is(parentLabelValue('ns', 'svc'), 'ns_svc');
  t.not(parentLabelValue('a-b', 'c'), parentLabelValue('a', 'b-c'));
});

test('backend service names: template, annotation id, annotation full name, malformed annotation', (t) => {
  const byDefault = backendServiceName(options, service('echo', 'default'), 80);
  t.regex(
    'name' in byDefault ? byDefault.name : '',
    /^projects\/p\/locations\/global\/backendServices\/gamma-c1-default-echo-80-[0-9a-f]{8}$/,
    'the default template always carries the hash',
  );
  t.deepEqual(
    backendServiceName(
      { ...options, backendServiceTemplate: '{service}-{port}' },
      service('echo', 'default'),
      80,
    ),
    {
      name: 'projects/p/locations/global/backendServices/echo-80',
    },
  );
  const annotated = service('echo', 'default', {
    'gamma-csm.dev/backend-service.80': 'my-bs',
    'gamma-csm.dev/backend-service.81': 'projects/other/locations/global/backendServices/shared-bs',
    'gamma-csm.dev/backend-service.82': 'Not Valid!',
  });
  const allowed = {
    ...options,
    backendServiceOverrides: ['my-bs', 'projects/other/locations/global/backendServices/shared-*'],
  };
  t.deepEqual(backendServiceName(allowed, annotated, 80), {
    name: 'projects/p/locations/global/backendServices/my-bs',
  });
  t.deepEqual(backendServiceName(allowed, annotated, 81), {
    name: 'projects/other/locations/global/backendServices/shared-bs',
  });
  const bad = backendServiceName(allowed, annotated, 82);
  t.true('error' in bad && bad.error.includes('gamma-csm.dev/backend-service.82'));
  t.false('reason' in bad, 'a malformed annotation is not a permission problem');
  const weird = backendServiceName({ ...options, clusterId: 'UPPER_case' }, service('echo', 'default'), 80);
  t.true('name' in weird && /backendServices\/[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(weird.name));
});

test('descriptions name their sources and fit 1024 characters', (t) => {
  t.is(
    routeDescription('HTTPRoute', ['ns/a', 'ns/b'], 'ns', 'svc', 80),
    'HTTPRoute ns/a, ns/b -> Service ns/svc:80',
  );
  const many = Array.from({ length: 200 }, (_, i) => `namespace-${i}/route-${i}`);
  const text = routeDescription('HTTPRoute', many, 'ns', 'svc', 80);
  t.true(text.length <= 1024);
  t.regex(text, /\(\+\d+ more\) -> Service ns\/svc:80$/);
});

test('remembered ids stay what they were computed as: past the memory bound, and per template', (t) => {
  const first = routeId('http', 'c1', 'ns', 'svc', 80);
  const backend = backendServiceName(options, service('svc', 'ns'), 80);
  // More distinct Service ports than the memory holds (50k): it is cleared and refilled.
  for (let i = 0; i < 60_000; i++) routeId('http', 'c1', 'ns', `s${i % 600}`, 1 + Math.floor(i / 600));
  t.is(routeId('http', 'c1', 'ns', 'svc', 80), first);
  t.deepEqual(backendServiceName(options, service('svc', 'ns'), 80), backend);
  // The same Service port under another template or cluster is another id.
  const custom = backendServiceName(
    { ...options, backendServiceTemplate: 'bs-{service}-{port}' },
    service('svc', 'ns'),
    80,
  );
  t.deepEqual(custom, { name: 'projects/p/locations/global/backendServices/bs-svc-80' });
  t.notDeepEqual(backendServiceName({ ...options, clusterId: 'c2' }, service('svc', 'ns'), 80), backend);
  t.deepEqual(backendServiceName(options, service('svc', 'ns'), 80), backend);
});

test('override annotations name only backend services GAMMA_BACKEND_SERVICE_OVERRIDES allows', (t) => {
  const annotated = service('echo', 'default', {
    'gamma-csm.dev/backend-service.80': 'team-a-api',
    'gamma-csm.dev/backend-service.81': 'team-b-api',
    'gamma-csm.dev/backend-service.82': 'projects/other/locations/global/backendServices/team-a-x',
  });
  // Default: no list, nothing allowed; the refusal names the variable and the backend service.
  const none = backendServiceName(options, annotated, 80);
  t.like(none, { reason: 'RefNotPermitted' });
  t.true('error' in none && none.error.includes('GAMMA_BACKEND_SERVICE_OVERRIDES'));
  t.true('error' in none && none.error.includes('projects/p/locations/global/backendServices/team-a-api'));
  const teamA = { ...options, backendServiceOverrides: ['team-a-*'] };
  t.deepEqual(backendServiceName(teamA, annotated, 80), {
    name: 'projects/p/locations/global/backendServices/team-a-api',
  });
  t.like(backendServiceName(teamA, annotated, 81), { reason: 'RefNotPermitted' });
  // An id entry covers this project only: the same id in another project is not on the list.
  t.like(backendServiceName(teamA, annotated, 82), { reason: 'RefNotPermitted' });
  // Exact entries match exactly.
  const exact = { ...options, backendServiceOverrides: ['team-a'] };
  t.like(backendServiceName(exact, annotated, 80), { reason: 'RefNotPermitted' });
  // Without an annotation the list does not matter.
  t.true('name' in backendServiceName(options, service('echo', 'default'), 80));
});
