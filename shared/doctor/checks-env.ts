// Doctor checks of the project around the mesh (docs/cli.md `gamma-csm doctor`): the health-check
// firewall rule, the caller's IAM permissions and the watcher. Pure functions of the gathered facts.
import type { CheckResult, DoctorFacts, Firewall } from './types.ts';

/** Google's health-check probe ranges (docs/backends.md §10). */
export const HEALTH_CHECK_RANGES: readonly string[] = ['35.191.0.0/16', '130.211.0.0/22'];

/**
 * What the doctor and the CLI call (docs/backends.md §12 and the Network Services reads/writes of
 * plan/apply); testIamPermissions answers the subset the caller holds.
 */
export const DOCTOR_PERMISSIONS: readonly string[] = [
  'networkservices.meshes.get',
  'networkservices.httpRoutes.list',
  'networkservices.httpRoutes.create',
  'networkservices.httpRoutes.update',
  'networkservices.httpRoutes.delete',
  'networkservices.grpcRoutes.list',
  'networkservices.grpcRoutes.create',
  'networkservices.grpcRoutes.update',
  'networkservices.grpcRoutes.delete',
  'networkservices.tcpRoutes.list',
  'networkservices.tcpRoutes.create',
  'networkservices.tcpRoutes.update',
  'networkservices.tcpRoutes.delete',
  'networkservices.tlsRoutes.list',
  'networkservices.tlsRoutes.create',
  'networkservices.tlsRoutes.update',
  'networkservices.tlsRoutes.delete',
  'compute.backendServices.list',
  'compute.backendServices.get',
  'compute.backendServices.create',
  'compute.backendServices.update',
  'compute.backendServices.delete',
  'compute.backendServices.use',
  'compute.healthChecks.list',
  'compute.healthChecks.create',
  'compute.healthChecks.delete',
  'compute.healthChecks.useReadOnly',
  'compute.networkEndpointGroups.use',
  'compute.firewalls.list',
];

/** An enabled ingress rule admitting both probe ranges on some protocol. */
export function admitsHealthChecks(rule: Firewall): boolean {
  if (rule.disabled) return false;
  if ((rule.direction ?? 'INGRESS') !== 'INGRESS') return false;
  if ((rule.allowed ?? []).length === 0) return false;
  const ranges = new Set(rule.sourceRanges ?? []);
  return HEALTH_CHECK_RANGES.every((r) => ranges.has(r));
}

export function checkFirewall(f: DoctorFacts): CheckResult {
  const name = 'health-check-firewall';
  if (!f.firewalls.ok)
    return {
      name,
      status: 'fail',
      message: `listing firewall rules failed: ${f.firewalls.error}`,
      fix: 'grant compute.firewalls.list or check the rule by hand (docs/backends.md section 10)',
    };
  const rule = f.firewalls.value.find(admitsHealthChecks);
  if (rule)
    return {
      name,
      status: 'pass',
      message: `firewall rule ${rule.name} admits ${HEALTH_CHECK_RANGES.join(' and ')}`,
    };
  return {
    name,
    // The emulators have no probes to let in: a missing rule there says nothing about traffic.
    status: f.local ? 'warn' : 'fail',
    message: `no enabled ingress firewall rule admits ${HEALTH_CHECK_RANGES.join(' and ')}: every endpoint will be UNHEALTHY${f.local ? ' (local stack: no probes run, so this is only a warning)' : ''}`,
    fix: `gcloud compute firewall-rules create gamma-csm-hc-${f.cluster} --network VPC --direction INGRESS --source-ranges ${HEALTH_CHECK_RANGES.join(',')} --target-tags NODE_TAG --allow tcp (or Terraform health_check_firewall, docs/backends.md section 10)`,
  };
}

export function checkIam(f: DoctorFacts): CheckResult {
  const name = 'iam';
  if (!f.iam) return { name, status: 'skip', message: 'emulators do not check IAM' };
  if (!f.iam.ok)
    return {
      name,
      status: 'fail',
      message: `projects.testIamPermissions failed: ${f.iam.error}`,
      fix: 'check your application default credentials (gcloud auth application-default login)',
    };
  const granted = new Set(f.iam.value.granted);
  const missing = f.iam.value.wanted.filter((p) => !granted.has(p));
  if (missing.length === 0)
    return { name, status: 'pass', message: `the caller holds all ${granted.size} permission(s) checked` };
  return {
    name,
    status: 'fail',
    message: `the caller lacks ${missing.join(', ')} on project ${f.project}`,
    fix: `grant a role holding them (e.g. roles/networkservices.admin and roles/compute.loadBalancerAdmin) to the caller on project ${f.project}`,
  };
}

export function checkWatcher(f: DoctorFacts): CheckResult {
  const name = 'watcher';
  const { health, deadLetter } = f.watcher;
  if (!health && !deadLetter)
    return {
      name,
      status: 'skip',
      message:
        "no watcher health URL given (--watcher-health URL, e.g. a port-forward to the watcher's /healthz); on Google the dead-letter backlog (subscription route-events-dead-letter) is in Cloud Monitoring, not read by doctor",
    };
  const problems: string[] = [];
  const ok: string[] = [];
  if (health && !health.ok) problems.push(`watcher health check failed: ${health.error}`);
  else if (health?.ok && health.value.status !== 200)
    problems.push(`watcher health answered HTTP ${health.value.status}`);
  else if (health) ok.push('the watcher is healthy');
  if (deadLetter && !deadLetter.ok)
    problems.push(`reading the dead-letter backlog failed: ${deadLetter.error}`);
  else if (deadLetter?.ok && deadLetter.value.deadLettered + deadLetter.value.backlog > 0)
    problems.push(
      `${deadLetter.value.subscription}: ${deadLetter.value.deadLettered} event(s) dead-lettered, ${deadLetter.value.backlog} waiting`,
    );
  else if (deadLetter?.ok) ok.push(`${deadLetter.value.subscription} has no dead-lettered events`);
  if (problems.length === 0) return { name, status: 'pass', message: ok.join('; ') };
  return {
    name,
    status: 'fail',
    message: problems.join('\n'),
    fix: 'check the watcher logs (kubectl logs -n gamma-csm deploy/gamma-csm-watcher; local: the gamma-csm local output) and the sync function logs for the dead-lettered events',
  };
}
