// Doctor checks over the cluster's own objects (docs/cli.md `gamma-csm doctor`): NEG annotations on
// routed Services, mesh data-plane labels on namespaces with routes, and other controllers serving
// the same routes. Pure functions of the gathered facts.
import { serviceFinder } from '../compute/desired.ts';
import { negAnnotationWith, portNegs } from '../compute/neg.ts';
import { NEG_ANNOTATION } from '../compute/types.ts';
import { hasBackendServiceOverride } from '../translate/names.ts';
import type { CheckResult, DoctorFacts, RouteFacts } from './types.ts';

/**
 * Namespace labels that attach a workload to a mesh data plane: the Envoy sidecar injector's
 * (istio-injection / istio.io/rev) and Cloud Service Mesh's csm-injection (docs/backends.md §14).
 * Proxyless gRPC clients need none (their bootstrap names the mesh), hence a warning, not a failure.
 */
export const INJECTION_LABELS: readonly string[] = [
  'istio-injection',
  'istio.io/rev',
  'mesh.cloud.google.com/csm-injection',
];
/** Google's managed GAMMA marks the routes it serves with this annotation. */
export const MANAGED_MESHES_ANNOTATION = 'networking.gke.io/meshes';

const lines = (xs: string[]) => xs.join('\n');

function routesOrFail(name: string, f: DoctorFacts): RouteFacts[] | CheckResult {
  if (f.routes.ok) return f.routes.value;
  return {
    name,
    status: 'fail',
    message: `reading the routes failed: ${f.routes.error}`,
    fix: 'fix access to the cluster',
  };
}

export function checkNegAnnotations(f: DoctorFacts): CheckResult {
  const name = 'neg-annotations';
  const routes = routesOrFail(name, f);
  if (!Array.isArray(routes)) return routes;
  const problems: string[] = [];
  const fixes: string[] = [];
  const seen = new Set<string>();
  const find = serviceFinder(f.services);
  for (const r of routes)
    for (const b of r.backends) {
      const key = `${b.namespace}/${b.service}:${b.port ?? ''}`;
      if (seen.has(key) || b.port === undefined) continue;
      seen.add(key);
      const svc = find(b.namespace, b.service);
      if (!svc || hasBackendServiceOverride(svc, b.port)) continue;
      const negs = portNegs(svc, b.port);
      if (negs.ok) continue;
      problems.push(`${r.kind} ${r.namespace}/${r.name}: ${negs.problem.message}`);
      fixes.push(
        `kubectl annotate service -n ${b.namespace} ${b.service} --overwrite ${NEG_ANNOTATION}='${negAnnotationWith(svc, b.port)}'`,
      );
    }
  if (problems.length)
    return { name, status: 'fail', message: lines(problems), fix: lines([...new Set(fixes)]) };
  return {
    name,
    status: 'pass',
    message: `${seen.size} routed Service port(s) have NEGs reported in neg-status`,
  };
}

export function checkNamespaceInjection(f: DoctorFacts): CheckResult {
  const name = 'namespace-injection';
  const routes = routesOrFail(name, f);
  if (!Array.isArray(routes)) return routes;
  const withRoutes = [...new Set(routes.map((r) => r.namespace))].sort();
  if (withRoutes.length === 0) return { name, status: 'skip', message: 'no namespace has routes' };
  const labelled = (ns: string) => {
    const labels = f.namespaces.find((n) => n.metadata.name === ns)?.metadata.labels ?? {};
    return INJECTION_LABELS.some((l) => labels[l] !== undefined && labels[l] !== 'disabled');
  };
  const bare = withRoutes.filter((ns) => !labelled(ns));
  if (bare.length === 0)
    return {
      name,
      status: 'pass',
      message: `every namespace with routes (${withRoutes.join(', ')}) has a mesh injection label`,
    };
  return {
    name,
    status: 'warn',
    message: `namespace(s) with routes but no mesh injection label (${INJECTION_LABELS.join(', ')}): ${bare.join(', ')}; Envoy clients there get no sidecar`,
    fix: `kubectl label namespace ${bare.join(' ')} istio-injection=enabled (Envoy sidecars, injector with TRAFFICDIRECTOR_MESH_NAME=${f.mesh}); proxyless gRPC clients need no label but a bootstrap made with td-grpc-bootstrap --config-mesh=${f.mesh}`,
  };
}

export function checkOtherControllers(f: DoctorFacts): CheckResult {
  const name = 'other-controllers';
  const routes = routesOrFail(name, f);
  if (!Array.isArray(routes)) return routes;
  const problems: string[] = [];
  for (const r of routes) {
    const others = [...new Set(r.controllers.filter((c) => c !== f.controllerName))];
    const managed = r.annotations[MANAGED_MESHES_ANNOTATION];
    if (others.length)
      problems.push(`${r.kind} ${r.namespace}/${r.name} is also served by ${others.join(', ')}`);
    else if (managed !== undefined)
      problems.push(
        `${r.kind} ${r.namespace}/${r.name} carries ${MANAGED_MESHES_ANNOTATION}=${managed} (Google's managed GAMMA serves it)`,
      );
  }
  if (problems.length === 0)
    return { name, status: 'pass', message: `no other controller reports on the ${routes.length} route(s)` };
  return {
    name,
    status: 'fail',
    message: lines(problems),
    fix: 'turn off managed CSM Gateway API for this cluster or remove gamma-csm from these namespaces',
  };
}
