// The doctor's checks (docs/cli.md `gamma-csm doctor`): pure functions of the gathered facts, each
// answering one "why doesn't my traffic route?" question with what is wrong and the exact fix.
import { serviceFinder, type FindService } from '../compute/desired.ts';
import { portNegs } from '../compute/neg.ts';
import { computeOwnership } from '../compute/ownership.ts';
import { relativeUrl } from '../compute/plan.ts';
import { hasBackendServiceOverride } from '../translate/names.ts';
import type { ComputeBackendService } from '../compute/types.ts';
import type { Service } from '../gamma/types.ts';
import type { BackendMapping } from '../translate/types.ts';
import type { CheckResult, DoctorFacts, Read } from './types.ts';

const idOf = (name: string | null | undefined) => (name ?? '').slice((name ?? '').lastIndexOf('/') + 1);
const lines = (xs: string[]) => xs.join('\n');

function readFailed<T>(name: string, read: Read<T>, what: string): CheckResult | undefined {
  if (read.ok) return undefined;
  return {
    name,
    status: 'fail',
    message: `${what} failed: ${read.error}`,
    fix: 'fix access and run doctor again',
  };
}

export function checkMesh(f: DoctorFacts): CheckResult {
  const name = 'mesh';
  const failed = readFailed(name, f.meshes, 'listing Meshes');
  if (failed) return failed;
  const meshes = f.meshes.ok ? f.meshes.value : [];
  if (meshes.some((m) => idOf(m.name) === f.mesh))
    return { name, status: 'pass', message: `Mesh ${f.mesh} exists in project ${f.project}` };
  return {
    name,
    status: 'fail',
    message: `Mesh ${f.mesh} does not exist in project ${f.project}`,
    fix: `gamma-csm apply --kubeconfig K --project ${f.project} --mesh ${f.mesh} --cluster ${f.cluster} --manage-mesh (or create it with Terraform)`,
  };
}

/** Every pending create/update/delete/refusal of the plan `gamma-csm plan` would show. */
export function checkRoutesInSync(f: DoctorFacts): CheckResult {
  const name = 'routes-in-sync';
  if (!f.plan.ok)
    return { name, status: 'fail', message: `planning failed: ${f.plan.error}`, fix: 'fix the error above' };
  const { plan, compute } = f.plan.value;
  const errors = [...plan.errors, ...(compute?.errors ?? [])];
  if (errors.length)
    return {
      name,
      status: 'fail',
      message: lines(errors.map((e) => `plan error: ${e}`)),
      fix: 'fix the errors above',
    };
  const pending = [
    ...(compute?.creates ?? []).map((i) => `create ${i.kind}/${i.id}`),
    ...(compute?.updates ?? []).map((i) => `update ${i.kind}/${i.id}`),
    ...plan.creates.map((i) => `create ${i.kind}/${i.id}`),
    ...plan.updates.map((i) => `update ${i.kind}/${i.id} (${i.updateMask.join(', ')})`),
    ...plan.deletes.map((i) => `delete ${i.kind}/${i.id}`),
    ...(compute?.deletes ?? []).map((i) => `delete ${i.kind}/${i.id}`),
  ];
  const refused = [...plan.refused, ...(compute?.refused ?? [])].map(
    (r) => `refused ${r.kind}/${r.id}: ${r.reason}`,
  );
  if (pending.length + refused.length === 0)
    return {
      name,
      status: 'pass',
      message: `no pending plan: ${plan.unchanged} route resource(s) match the cluster`,
    };
  return {
    name,
    status: 'fail',
    message: lines([...pending.map((p) => `pending ${p}`), ...refused]),
    fix: pending.length
      ? `run gamma-csm apply --kubeconfig K --project ${f.project} --mesh ${f.mesh} --cluster ${f.cluster} or wait for the reconcile tick`
      : 'resolve each refusal as its reason says',
  };
}

/** Zones a Service port's NEGs report (none when they report none). */
function negZones(svc: Service | undefined, port: number): string[] {
  const negs = svc ? portNegs(svc, port) : undefined;
  return negs?.ok ? negs.negs.zones : [];
}

function healthProblems(f: DoctorFacts, bsId: string): string[] {
  const out: string[] = [];
  for (const [group, read] of Object.entries(f.health[bsId] ?? {})) {
    if (!read.ok) {
      out.push(`backend service ${bsId}: getHealth for ${idOf(group)} failed: ${read.error}`);
      continue;
    }
    const bad = (read.value.healthStatus ?? []).filter((h) => h.healthState === 'UNHEALTHY');
    if (bad.length)
      out.push(
        `backend service ${bsId}: ${bad.length} endpoint(s) of ${relativeUrl(group)} UNHEALTHY (${bad.map((h) => `${h.ipAddress}:${h.port}`).join(', ')})`,
      );
  }
  return out;
}

/** One backend service a route names: exists, owned (or an override that exists), every NEG zone. */
function backendServiceProblems(
  f: DoctorFacts,
  m: BackendMapping,
  live: Map<string, ComputeBackendService>,
  find: FindService,
): string[] {
  const id = idOf(m.serviceName);
  const bs = live.get(id);
  const svc = find(m.namespace, m.service);
  const override = svc !== undefined && hasBackendServiceOverride(svc, m.port);
  const owner = `${m.namespace}/${m.service} port ${m.port}`;
  if (!bs) return [`backend service ${id} (Service ${owner}) does not exist`];
  if (override) return [];
  const ownership = computeOwnership(bs, f.cluster);
  if (ownership !== 'ours')
    return [`backend service ${id} (Service ${owner}) is not this cluster's (${ownership})`];
  const zones = negZones(svc, m.port);
  const covered = new Set((bs.backends ?? []).map((b) => relativeUrl(b.group ?? '').split('/')[3]));
  const missing = zones.filter((z) => !covered.has(z));
  return missing.length
    ? [
        `backend service ${id} (Service ${owner}) has no backend in zone(s) ${missing.join(', ')} its NEGs report`,
      ]
    : [];
}

export function checkBackendServices(f: DoctorFacts): CheckResult {
  const name = 'backend-services';
  const failed = readFailed(name, f.backendServices, 'listing backend services');
  if (failed) return failed;
  if (f.mappings.length === 0)
    return { name, status: 'skip', message: 'no accepted route sends to a backend service' };
  const live = new Map(
    (f.backendServices.ok ? f.backendServices.value : []).map((b) => [b.name ?? '', b] as const),
  );
  const seen = new Set<string>();
  const find = serviceFinder(f.services);
  const problems: string[] = [];
  const unhealthy: string[] = [];
  for (const m of f.mappings) {
    const id = idOf(m.serviceName);
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(...backendServiceProblems(f, m, live, find));
    unhealthy.push(...healthProblems(f, id));
  }
  if (problems.length)
    return {
      name,
      status: 'fail',
      message: lines([...problems, ...unhealthy]),
      fix: `run gamma-csm apply --kubeconfig K --project ${f.project} --mesh ${f.mesh} --cluster ${f.cluster} or wait for the reconcile tick (an override named by gamma-csm.dev/backend-service.<port> must be created by you)`,
    };
  if (unhealthy.length)
    return {
      name,
      status: 'warn',
      message: lines(unhealthy),
      fix: 'add the health-check firewall rule: gcloud compute firewall-rules create gamma-csm-hc-CLUSTER --network VPC --direction INGRESS --source-ranges 35.191.0.0/16,130.211.0.0/22 --target-tags NODE_TAG --allow tcp (docs/backends.md section 10), or fix the health-check override',
    };
  return {
    name,
    status: 'pass',
    message: `${seen.size} backend service(s) exist, are owned and cover every NEG zone`,
  };
}
