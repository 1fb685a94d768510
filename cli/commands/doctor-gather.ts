// The doctor's I/O (docs/cli.md `gamma-csm doctor`): every read the checks need, each failure kept as
// a value so one unreachable API fails its checks and not the whole run. No judgement here.
import { GoogleAuth } from 'google-auth-library';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { ComputeClient } from '../../shared/compute/client.ts';
import type { ComputeBackendService } from '../../shared/compute/types.ts';
import { DOCTOR_PERMISSIONS } from '../../shared/doctor/checks-env.ts';
import { routeFacts } from '../../shared/doctor/routes.ts';
import type { DoctorFacts, Read, WatcherFacts } from '../../shared/doctor/types.ts';
import type { Namespace, Service, StatusRouteKind } from '../../shared/gamma/types.ts';
import type { BackendMapping } from '../../shared/translate/types.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../shared/translate/types.ts';
import { computeCliPlan, snapshotFromCluster, type CliPlan } from './plan.ts';
import { planOptions, type Target } from './target.ts';

// The local pipeline's route-events subscription (infra/local/pipeline.ts SYNC_SUBSCRIPTION).
const SYNC_SUBSCRIPTION = 'route-events-sync';

async function read<T>(f: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Every route of every kind gamma-csm writes status on, status included; kinds not served have none. */
export async function readRoutes(kubeconfig: string): Promise<DoctorFacts['routes']> {
  const { makeKubeConfig, listRoutes, STATUS_ROUTE_RESOURCES } =
    await import('../../shared/cluster/index.ts');
  return read(async () => {
    const custom = makeKubeConfig({ kubeconfigPath: kubeconfig }).makeApiClient(CustomObjectsApi);
    const kinds = Object.keys(STATUS_ROUTE_RESOURCES) as StatusRouteKind[];
    const lists = await Promise.all(kinds.map((kind) => listRoutes(custom, kind, { withStatus: true })));
    return lists.flatMap((list, i) => list.items.map((item) => routeFacts(kinds[i], item)));
  });
}

async function readHealth(
  client: ComputeClient,
  mappings: BackendMapping[],
  live: ComputeBackendService[],
): Promise<DoctorFacts['health']> {
  const out: DoctorFacts['health'] = {};
  const wanted = new Set(mappings.map((m) => m.serviceName.slice(m.serviceName.lastIndexOf('/') + 1)));
  const asks = live
    .filter((bs) => wanted.has(bs.name ?? ''))
    .flatMap((bs) => (bs.backends ?? []).map((b) => ({ bs: bs.name ?? '', group: b.group ?? '' })))
    .filter((a) => a.group !== '');
  // All at once: the client paces and bounds the requests in flight.
  const answers = await Promise.all(asks.map((a) => read(() => client.getHealth(a.bs, a.group))));
  asks.forEach((a, i) => ((out[a.bs] ??= {})[a.group] = answers[i]));
  return out;
}

async function readIam(project: string): Promise<DoctorFacts['iam']> {
  return read(async () => {
    const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    const client = await auth.getClient();
    const res = await client.request<{ permissions?: string[] }>({
      url: `https://cloudresourcemanager.googleapis.com/v1/projects/${project}:testIamPermissions`,
      method: 'POST',
      data: { permissions: DOCTOR_PERMISSIONS },
    });
    return { wanted: [...DOCTOR_PERMISSIONS], granted: res.data.permissions ?? [] };
  });
}

async function readWatcher(t: Target, watcherHealth?: string): Promise<WatcherFacts> {
  const url = watcherHealth ?? t.watcherHealth;
  const out: WatcherFacts = {};
  if (url)
    out.health = await read(async () => ({
      status: (await fetch(url, { signal: AbortSignal.timeout(5000) })).status,
    }));
  if (t.pubsubAdmin) {
    const admin = t.pubsubAdmin;
    out.deadLetter = await read(async () => {
      const res = await fetch(new URL('stats', admin.endsWith('/') ? admin : `${admin}/`), {
        signal: AbortSignal.timeout(5000),
      });
      const stats = (await res.json()) as {
        subscriptions: Record<string, { deadLettered: number; backlog: number }>;
      };
      const subscription = `projects/${t.project}/subscriptions/${SYNC_SUBSCRIPTION}`;
      const s = stats.subscriptions[subscription];
      if (!s) throw new Error(`the Pub/Sub emulator has no subscription ${subscription}`);
      return { subscription, deadLettered: s.deadLettered, backlog: s.backlog };
    });
  }
  return out;
}

async function readPlan(t: Target, snapshot: Read<Awaited<ReturnType<typeof snapshotFromCluster>>>) {
  if (!snapshot.ok) return { plan: snapshot as Read<CliPlan>, mappings: [] };
  const plan = await read(() => computeCliPlan(planOptions(t), snapshot.value));
  return { plan, mappings: plan.ok ? (plan.value.backends?.stage.mappings ?? []) : [] };
}

export async function gatherFacts(t: Target, extra: { watcherHealth?: string } = {}): Promise<DoctorFacts> {
  const { NetsvcClient } = await import('../../shared/netsvc/client.ts');
  const { ComputeClient } = await import('../../shared/compute/client.ts');
  const netsvc = new NetsvcClient({ project: t.project, location: 'global', endpoint: t.endpoint });
  const compute = new ComputeClient({ project: t.project, endpoint: t.computeEndpoint });
  // Emulator endpoints (the local stack or given by hand): no IAM to test, no probes to admit.
  const emulated = t.local || Boolean(t.endpoint ?? t.computeEndpoint);
  const snapshot = await read(() => snapshotFromCluster(t.kubeconfig));
  const [{ plan, mappings }, meshes, routes, backendServices, firewalls] = await Promise.all([
    readPlan(t, snapshot),
    read(() => netsvc.list('meshes')),
    readRoutes(t.kubeconfig),
    read(() => compute.list('backendServices')),
    read(() => compute.listFirewalls()),
  ]);
  const health = backendServices.ok ? await readHealth(compute, mappings, backendServices.value) : {};
  return {
    local: emulated,
    project: t.project,
    mesh: t.mesh,
    cluster: t.cluster,
    controllerName: DEFAULT_CONTROLLER_NAME,
    meshes,
    plan: plan.ok
      ? { ok: true, value: { plan: plan.value.plan, compute: plan.value.backends?.stage.plan } }
      : plan,
    services: snapshot.ok ? (snapshot.value.services as Service[]) : [],
    namespaces: snapshot.ok ? ((snapshot.value.namespaces ?? []) as Namespace[]) : [],
    routes,
    mappings,
    backendServices,
    health,
    firewalls,
    ...(emulated ? {} : { iam: await readIam(t.project) }),
    watcher: await readWatcher(t, extra.watcherHealth),
  };
}
