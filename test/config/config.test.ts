import test from 'ava';
import { ConfigError, DEFAULTS, loadConfig, translateOptionsFrom } from '../../shared/config/index.ts';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

const fn = {
  GAMMA_PROJECT: 'my-proj-1',
  GAMMA_MESH: 'gamma-mesh',
  GAMMA_CLUSTER_ID: 'prod-1',
  GAMMA_CLUSTER_ENDPOINT: '10.0.0.2',
  GAMMA_CLUSTER_CA: CA,
};
const watcher = { GAMMA_PROJECT: 'my-proj-1', GAMMA_CLUSTER_ID: 'prod-1' };

function problems(env: NodeJS.ProcessEnv, which: 'sync' | 'reconcile' | 'watcher' | 'cli'): string[] {
  try {
    loadConfig(env, which);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

test('sync: defaults fill everything optional', (t) => {
  const c = loadConfig(fn, 'sync');
  t.deepEqual(c, {
    component: 'sync',
    project: 'my-proj-1',
    mesh: 'gamma-mesh',
    clusterId: 'prod-1',
    cluster: { kind: 'endpoint', server: 'https://10.0.0.2', caData: CA },
    location: 'global',
    manageMesh: true,
    controllerName: 'gamma-csm.dev/controller',
    clusterDomain: 'cluster.local',
    routeEventsTopic: 'route-events',
    rateLimitRps: 50,
    maxConcurrency: DEFAULTS.maxConcurrency,
    maxDeleteFraction: DEFAULTS.maxDeleteFraction,
    maxDeleteAbsolute: DEFAULTS.maxDeleteAbsolute,
    forceDelete: false,
    logFormat: 'json',
    backendServices: 'provision',
    autoNeg: false,
    crossNamespaceBackends: 'allow',
    backendServiceOverrides: [],
    timeoutSeconds: 300,
    guards: {
      maxPortsPerParent: DEFAULTS.maxPortsPerParent,
      maxRoutesPerSnapshot: DEFAULTS.maxRoutesPerSnapshot,
      maxServicesPerSnapshot: DEFAULTS.maxServicesPerSnapshot,
      deleteBudget: DEFAULTS.deleteBudget,
      deleteWindowSeconds: DEFAULTS.deleteWindowSeconds,
      reconcileIntervalSeconds: DEFAULTS.reconcileIntervalSeconds,
    },
  });
  t.is(translateOptionsFrom(c).negCheck, 'reported');
});

test('every documented variable is read', (t) => {
  const c = loadConfig(
    {
      GOOGLE_CLOUD_PROJECT: 'other-proj',
      GAMMA_MESH: 'm1',
      GAMMA_CLUSTER_ID: 'c1',
      GAMMA_KUBECONFIG: '/tmp/kc',
      GAMMA_LOCATION: 'global',
      GAMMA_MANAGE_MESH: 'false',
      GAMMA_CONTROLLER_NAME: 'example.com/gamma',
      GAMMA_CLUSTER_DOMAIN: 'corp.local',
      GAMMA_NETSVC_ENDPOINT: 'http://127.0.0.1:9999',
      GAMMA_COMPUTE_ENDPOINT: 'http://127.0.0.1:9998',
      GAMMA_ROUTE_EVENTS_TOPIC: 'projects/other-proj/topics/rev',
      PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
      GAMMA_RATE_LIMIT_RPS: '100',
      GAMMA_MAX_CONCURRENCY: '4',
      GAMMA_MAX_DELETE_FRACTION: '0.25',
      GAMMA_MAX_DELETE_ABSOLUTE: '3',
      GAMMA_FORCE_DELETE: 'yes',
      GAMMA_LOG_FORMAT: 'text',
      GAMMA_BACKEND_SERVICE_TEMPLATE: 'bs-{cluster}-{namespace}-{service}-{port}',
      GAMMA_BACKEND_SERVICES: 'off',
      GAMMA_AUTO_NEG: 'true',
      GAMMA_FUNCTION_TIMEOUT_SECONDS: '120',
    },
    'reconcile',
  );
  t.like(c, {
    component: 'reconcile',
    project: 'other-proj',
    cluster: { kind: 'kubeconfig', path: '/tmp/kc' },
    manageMesh: false,
    controllerName: 'example.com/gamma',
    clusterDomain: 'corp.local',
    netsvcEndpoint: 'http://127.0.0.1:9999/',
    computeEndpoint: 'http://127.0.0.1:9998/',
    routeEventsTopic: 'projects/other-proj/topics/rev',
    pubsubEmulatorHost: '127.0.0.1:8085',
    rateLimitRps: 100,
    maxConcurrency: 4,
    maxDeleteFraction: 0.25,
    maxDeleteAbsolute: 3,
    forceDelete: true,
    logFormat: 'text',
    backendServiceTemplate: 'bs-{cluster}-{namespace}-{service}-{port}',
    backendServices: 'off',
    autoNeg: true,
    timeoutSeconds: 120,
  });
  t.deepEqual(translateOptionsFrom(c), {
    project: 'other-proj',
    location: 'global',
    mesh: 'm1',
    clusterId: 'c1',
    controllerName: 'example.com/gamma',
    clusterDomain: 'corp.local',
    backendServiceTemplate: 'bs-{cluster}-{namespace}-{service}-{port}',
  });
});

test('GAMMA_PROJECT wins over GOOGLE_CLOUD_PROJECT', (t) => {
  t.is(loadConfig({ ...fn, GOOGLE_CLOUD_PROJECT: 'ignored-proj' }, 'sync').project, 'my-proj-1');
});

test('all missing variables are reported at once, by name', (t) => {
  const p = problems({}, 'sync');
  t.deepEqual(p, [
    'GAMMA_PROJECT: is required for sync',
    'GAMMA_MESH: is required for sync',
    'GAMMA_CLUSTER_ID: is required for sync',
    'GAMMA_KUBECONFIG: or GAMMA_CLUSTER_ENDPOINT + GAMMA_CLUSTER_CA is required for sync',
  ]);
  const err = t.throws(() => loadConfig({}, 'reconcile'), { instanceOf: ConfigError });
  t.regex(err.message, /^invalid reconcile configuration:\n {2}- GAMMA_PROJECT: is required for reconcile\n/);
});

const bad: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
  ['project', { GAMMA_PROJECT: 'X' }, /^GAMMA_PROJECT: must be a Google Cloud project id/],
  ['location', { GAMMA_LOCATION: 'us-central1' }, /^GAMMA_LOCATION: must be "global"/],
  ['mesh', { GAMMA_MESH: 'Mesh_1' }, /^GAMMA_MESH: must be a Mesh id/],
  ['manage mesh', { GAMMA_MANAGE_MESH: 'maybe' }, /^GAMMA_MANAGE_MESH: must be true or false, got "maybe"/],
  ['cluster id', { GAMMA_CLUSTER_ID: 'prod_1' }, /^GAMMA_CLUSTER_ID: must be a label-safe id/],
  [
    'controller name',
    { GAMMA_CONTROLLER_NAME: 'no-slash' },
    /^GAMMA_CONTROLLER_NAME: must be a domain-prefixed path/,
  ],
  ['cluster domain', { GAMMA_CLUSTER_DOMAIN: 'Bad Domain' }, /^GAMMA_CLUSTER_DOMAIN: must be a DNS domain/],
  [
    'netsvc endpoint junk',
    { GAMMA_NETSVC_ENDPOINT: 'not a url' },
    /^GAMMA_NETSVC_ENDPOINT: must be a root URL/,
  ],
  ['netsvc endpoint path', { GAMMA_NETSVC_ENDPOINT: 'http://h:1/v1' }, /without a path/],
  ['netsvc endpoint scheme', { GAMMA_NETSVC_ENDPOINT: 'ftp://h/' }, /must use http or https/],
  [
    'compute endpoint path',
    { GAMMA_COMPUTE_ENDPOINT: 'http://h:1/compute/v1' },
    /^GAMMA_COMPUTE_ENDPOINT: .*without a path/,
  ],
  [
    'compute endpoint junk',
    { GAMMA_COMPUTE_ENDPOINT: 'nope' },
    /^GAMMA_COMPUTE_ENDPOINT: must be a root URL/,
  ],
  [
    'rate limit too high',
    { GAMMA_RATE_LIMIT_RPS: '101' },
    /^GAMMA_RATE_LIMIT_RPS: must be a number between 0.1 and 100, got 101/,
  ],
  [
    'rate limit not a number',
    { GAMMA_RATE_LIMIT_RPS: '50rps' },
    /^GAMMA_RATE_LIMIT_RPS: must be a number, got "50rps"/,
  ],
  ['concurrency fractional', { GAMMA_MAX_CONCURRENCY: '2.5' }, /^GAMMA_MAX_CONCURRENCY: must be an integer/],
  [
    'concurrency zero',
    { GAMMA_MAX_CONCURRENCY: '0' },
    /^GAMMA_MAX_CONCURRENCY: must be an integer between 1/,
  ],
  [
    'delete fraction',
    { GAMMA_MAX_DELETE_FRACTION: '1.5' },
    /^GAMMA_MAX_DELETE_FRACTION: must be a number between 0 and 1/,
  ],
  [
    'delete absolute',
    { GAMMA_MAX_DELETE_ABSOLUTE: '-1' },
    /^GAMMA_MAX_DELETE_ABSOLUTE: must be an integer between 0/,
  ],
  ['force delete', { GAMMA_FORCE_DELETE: 'sure' }, /^GAMMA_FORCE_DELETE: must be true or false/],
  ['log format', { GAMMA_LOG_FORMAT: 'xml' }, /^GAMMA_LOG_FORMAT: must be one of json, text, got "xml"/],
  [
    'topic',
    { GAMMA_ROUTE_EVENTS_TOPIC: 'projects/x/topics' },
    /^GAMMA_ROUTE_EVENTS_TOPIC: must be a Pub\/Sub topic/,
  ],
  [
    'template placeholder',
    { GAMMA_BACKEND_SERVICE_TEMPLATE: 'bs-{svc}' },
    /unknown placeholder\(s\) \{svc\}/,
  ],
  [
    'template without service',
    { GAMMA_BACKEND_SERVICE_TEMPLATE: 'bs-{namespace}' },
    /must contain \{service\}/,
  ],
  ['template chars', { GAMMA_BACKEND_SERVICE_TEMPLATE: 'BS_{service}' }, /may hold only lowercase/],
  [
    'CA not PEM',
    { GAMMA_CLUSTER_CA: Buffer.from('hello').toString('base64') },
    /^GAMMA_CLUSTER_CA: must be a base64-encoded PEM/,
  ],
  [
    'endpoint not https',
    { GAMMA_CLUSTER_ENDPOINT: 'http://10.0.0.2' },
    /^GAMMA_CLUSTER_ENDPOINT: must be a host\[:port\] or https:\/\//,
  ],
];

for (const [title, override, expected] of bad) {
  test(`bad ${title} is named`, (t) => {
    const p = problems({ ...fn, ...override }, 'sync');
    t.true(
      p.some((m) => expected.test(m)),
      `got ${JSON.stringify(p)}`,
    );
  });
}

test('cluster access: endpoint needs CA, and not both kinds', (t) => {
  t.deepEqual(problems({ ...fn, GAMMA_CLUSTER_CA: undefined }, 'sync'), [
    'GAMMA_CLUSTER_CA: is required when GAMMA_CLUSTER_ENDPOINT is set (only a GKE DNS endpoint, *.gke.goog, may omit it)',
  ]);
  t.deepEqual(problems({ ...fn, GAMMA_KUBECONFIG: '/k' }, 'sync'), [
    'GAMMA_KUBECONFIG: set either GAMMA_KUBECONFIG or GAMMA_CLUSTER_ENDPOINT + GAMMA_CLUSTER_CA, not both',
  ]);
  t.is(
    loadConfig({ ...fn, GAMMA_CLUSTER_ENDPOINT: 'https://gke.example:443' }, 'sync').cluster.kind,
    'endpoint',
  );
});

test('cluster access: a GKE DNS endpoint (*.gke.goog) may omit the CA, nothing else may', (t) => {
  const dns = 'gke-0123456789abcdef.us-central1.gke.goog';
  t.deepEqual(
    loadConfig({ ...fn, GAMMA_CLUSTER_ENDPOINT: dns, GAMMA_CLUSTER_CA: undefined }, 'reconcile').cluster,
    {
      kind: 'endpoint',
      server: `https://${dns}`,
    },
  );
  t.deepEqual(
    loadConfig({ ...fn, GAMMA_CLUSTER_ENDPOINT: `https://${dns}` }, 'sync').cluster,
    { kind: 'endpoint', server: `https://${dns}`, caData: CA },
    'a CA given with a DNS endpoint is still used',
  );
  t.deepEqual(
    problems({ ...fn, GAMMA_CLUSTER_ENDPOINT: 'gke.goog.example.com', GAMMA_CLUSTER_CA: undefined }, 'sync'),
    [
      'GAMMA_CLUSTER_CA: is required when GAMMA_CLUSTER_ENDPOINT is set (only a GKE DNS endpoint, *.gke.goog, may omit it)',
    ],
  );
});

test('watcher: in-cluster by default, debounce settings validated', (t) => {
  const c = loadConfig(watcher, 'watcher');
  t.like(c, {
    component: 'watcher',
    cluster: { kind: 'in-cluster' },
    debounceMs: 100,
    maxWaitMs: 1000,
    healthPort: 8080,
  });
  t.like(
    loadConfig(
      { ...watcher, GAMMA_KUBECONFIG: '/k', GAMMA_DEBOUNCE_MS: '10', GAMMA_MAX_WAIT_MS: '20' },
      'watcher',
    ),
    {
      cluster: { kind: 'kubeconfig', path: '/k' },
      debounceMs: 10,
      maxWaitMs: 20,
    },
  );
  t.deepEqual(problems({ ...watcher, GAMMA_DEBOUNCE_MS: '900', GAMMA_MAX_WAIT_MS: '100' }, 'watcher'), [
    'GAMMA_MAX_WAIT_MS: must be >= GAMMA_DEBOUNCE_MS (900), got 100',
  ]);
  t.deepEqual(problems({ ...watcher, GAMMA_CLUSTER_ENDPOINT: '1.2.3.4', GAMMA_CLUSTER_CA: CA }, 'watcher'), [
    'GAMMA_CLUSTER_ENDPOINT: is for the functions; the watcher uses in-cluster credentials or GAMMA_KUBECONFIG',
  ]);
  t.deepEqual(problems({}, 'watcher'), [
    'GAMMA_PROJECT: is required for watcher',
    'GAMMA_CLUSTER_ID: is required for watcher',
  ]);
});

test('cli: nothing required, text logs, still validates what is set', (t) => {
  const c = loadConfig({}, 'cli');
  t.like(c, { component: 'cli', logFormat: 'text', location: 'global' });
  t.is(c.project, undefined);
  t.deepEqual(problems({ GAMMA_RATE_LIMIT_RPS: '0' }, 'cli'), [
    'GAMMA_RATE_LIMIT_RPS: must be a number between 0.1 and 100, got 0',
  ]);
});
