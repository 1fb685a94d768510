// Backend services end to end on loopback: k8s stand-in (with its GKE NEG controller) -> watcher ->
// Pub/Sub -> sync -> Compute emulator + Network Services emulator, and reconcile. The route's
// destination names a backend service that exists with one backend per zone of its Service's NEGs;
// zone changes patch it; deleting the route and the Service removes it on the next reconcile;
// resources gamma-csm does not own are never touched.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { httpRoute, namespace, routeFor, service, waitFor } from './support.ts';

let p: Pipeline;

test.before(async () => {
  p = await startPipeline();
  p.k8s.apply(namespace('shop'));
});
test.after.always(async () => {
  await p?.close();
});

const NEG = { 'cloud.google.com/neg': '{"exposed_ports":{"80":{}}}' };

function annotated(svc: KubeObj, annotations: Record<string, string>): KubeObj {
  return { ...svc, metadata: { ...svc.metadata, annotations } } as KubeObj;
}

type Body = { name: string; description?: string; backends?: { group: string }[]; healthChecks?: string[] };
const computeUrl = (collection: string, name = '') =>
  `${p.compute.url}compute/v1/projects/${p.project}/global/${collection}${name ? `/${name}` : ''}`;
async function read(collection: string, name: string): Promise<{ status: number; text: string }> {
  const res = await fetch(computeUrl(collection, name));
  return { status: res.status, text: await res.text() };
}
const backendServices = () => p.compute.store.resources('backendServices') as unknown as Body[];
const healthChecks = () => p.compute.store.resources('healthChecks') as unknown as Body[];
const zonesOf = (bs: Body | undefined) =>
  (bs?.backends ?? []).map((b) => b.group.replace(/^.*\/zones\/([^/]+)\/.*$/, '$1')).sort();

/** The backend service the NS route of shop/<parent> sends to, once it does. */
async function destinationOf(parent: string): Promise<string> {
  const route = await waitFor(
    () => routeFor(p, 'shop', parent),
    (r) =>
      Boolean(
        (r?.rules as { action?: { destinations?: unknown[] } }[] | undefined)?.[0]?.action?.destinations,
      ),
    `an HttpRoute for shop/${parent} with a destination`,
  );
  const rules = route?.rules as { action: { destinations: { serviceName: string }[] } }[];
  return rules[0].action.destinations[0].serviceName.split('/').pop() as string;
}

async function post(collection: string, body: object): Promise<void> {
  const res = await fetch(computeUrl(collection), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${collection} insert: ${res.status} ${await res.text()}`);
}

test.serial(
  'a routed Service with the NEG annotation gets a backend service per port, one backend per zone',
  async (t) => {
    // Someone else's resources under gamma-like names: never changed, whatever happens below.
    await post('healthChecks', {
      name: 'gamma-hand-made-hc',
      type: 'TCP',
      tcpHealthCheck: { portSpecification: 'USE_SERVING_PORT' },
    });
    await post('backendServices', {
      name: 'gamma-hand-made',
      description: 'made by the platform team',
      loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
      protocol: 'HTTP',
      healthChecks: [
        `https://www.googleapis.com/compute/v1/projects/${p.project}/global/healthChecks/gamma-hand-made-hc`,
      ],
    });
    const foreignBefore = [
      await read('backendServices', 'gamma-hand-made'),
      await read('healthChecks', 'gamma-hand-made-hc'),
    ];

    p.k8s.apply(annotated(service('cart', 'shop'), NEG));
    p.k8s.apply(annotated(service('cart-v1', 'shop'), NEG));
    p.k8s.apply(httpRoute('cart-route', 'shop', 'cart', ['/v1'], 'cart-v1'));
    const id = await destinationOf('cart');
    t.regex(id, /^gamma-local-shop-cart-v1-80-[0-9a-f]{8}$/);
    const bs = backendServices().find((b) => b.name === id);
    t.deepEqual(zonesOf(bs), ['us-central1-a', 'us-central1-b', 'us-central1-c']);
    t.like(bs, { loadBalancingScheme: 'INTERNAL_SELF_MANAGED', protocol: 'HTTP' });
    const hcName = bs?.healthChecks?.[0]?.split('/').pop();
    t.like(
      healthChecks().find((h) => h.name === hcName),
      { type: 'TCP' },
    );
    t.deepEqual(JSON.parse(bs?.description ?? '{}'), {
      managedBy: 'gamma-csm',
      cluster: 'local',
      service: 'shop/cart-v1',
      port: 80,
    });

    // Node pools move: the NEG controller rewrites neg-status, the watcher republishes, sync patches.
    p.k8s.setNegZones(['us-central1-a', 'us-central1-f']);
    await waitFor(
      () => zonesOf(backendServices().find((b) => b.name === id)),
      (z) => JSON.stringify(z) === JSON.stringify(['us-central1-a', 'us-central1-f']),
      'the backend service to follow the zones',
    );
    t.pass('zones followed');

    // The route and its Services go: routes first (sync), then backend service and check (reconcile).
    p.k8s.deleteObject('HTTPRoute', 'shop', 'cart-route');
    p.k8s.deleteObject('Service', 'shop', 'cart-v1');
    p.k8s.deleteObject('Service', 'shop', 'cart');
    await waitFor(
      () => routeFor(p, 'shop', 'cart'),
      (r) => r === undefined,
      'the NS route to go',
    );
    const summary = await p.runReconcile();
    t.is(summary?.backends?.deleted, 2, JSON.stringify(summary));
    t.false(backendServices().some((b) => b.name === id));
    t.false(healthChecks().some((h) => h.name === hcName));
    const foreignAfter = [
      await read('backendServices', 'gamma-hand-made'),
      await read('healthChecks', 'gamma-hand-made-hc'),
    ];
    t.deepEqual(foreignAfter, foreignBefore, 'foreign resources byte-identical');
  },
);

test.serial(
  'a Service without NEGs: ResolvedRefs=False naming the annotation; adding it resolves the route',
  async (t) => {
    p.k8s.apply(annotated(service('pay', 'shop'), NEG));
    p.k8s.apply(service('pay-v1', 'shop'));
    p.k8s.apply(httpRoute('pay-route', 'shop', 'pay', ['/pay'], 'pay-v1'));
    const message = await waitFor(
      () => {
        const route = p.k8s.getObject('HTTPRoute', 'shop', 'pay-route') as
          | { status?: { parents?: { conditions: { type: string; status: string; message: string }[] }[] } }
          | undefined;
        return route?.status?.parents?.[0]?.conditions.find(
          (c) => c.type === 'ResolvedRefs' && c.status === 'False',
        )?.message;
      },
      (m) => m !== undefined,
      'ResolvedRefs=False on pay-route',
    );
    t.true(message?.includes(`cloud.google.com/neg: '{"exposed_ports":{"80":{}}}'`), message);
    t.false(backendServices().some((b) => b.name?.includes('pay-v1')));
    p.k8s.apply(annotated(service('pay-v1', 'shop'), NEG));
    const id = await destinationOf('pay');
    t.regex(id, /^gamma-local-shop-pay-v1-80-/);
  },
);

test.serial(
  'GAMMA_AUTO_NEG=true: the routed port is added to the Service annotation, then served',
  async (t) => {
    const auto = await startPipeline({ env: { GAMMA_AUTO_NEG: 'true' } });
    t.teardown(() => auto.close());
    auto.k8s.apply(namespace('shop'));
    auto.k8s.apply(annotated(service('web', 'shop'), NEG));
    // The user's own annotation on the backend asks for another port: it is kept, 80 is added.
    auto.k8s.apply(
      annotated(service('web-v1', 'shop', [80, 9000]), {
        'cloud.google.com/neg': '{"exposed_ports":{"9000":{}}}',
      }),
    );
    auto.k8s.apply(httpRoute('web-route', 'shop', 'web', ['/'], 'web-v1'));
    const annotation = await waitFor(
      () => auto.k8s.getObject('Service', 'shop', 'web-v1')?.metadata.annotations?.['cloud.google.com/neg'],
      (v) => v !== undefined && v.includes('"80"'),
      'the NEG annotation on shop/web-v1',
    );
    t.deepEqual(JSON.parse(annotation as string), { exposed_ports: { '9000': {}, '80': {} } });
    const route = await waitFor(
      () => routeFor(auto, 'shop', 'web'),
      (r) =>
        Boolean(
          (r?.rules as { action?: { destinations?: unknown[] } }[] | undefined)?.[0]?.action?.destinations,
        ),
      'the route to send to the backend service',
    );
    t.truthy(route);
    t.true(
      (auto.compute.store.resources('backendServices') as unknown as Body[]).some((b) =>
        b.name.startsWith('gamma-local-shop-web-v1-80-'),
      ),
    );
  },
);
