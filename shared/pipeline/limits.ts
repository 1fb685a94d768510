// What one parent may cost a sync run (docs/security.md §5): ports (each costs two Network Services
// reads), routes and Services in its snapshot (each costs a cluster read), and how many cluster
// reads run at once. A snapshot over a cap is refused visibly (sync.ts writes it into the parent's
// route status), never silently dropped.
import type { RouteEvent } from '../events/index.ts';
import { candidatePorts } from './parent-scope.ts';

export interface PipelineLimits {
  maxPortsPerParent: number;
  maxRoutesPerSnapshot: number;
  maxServicesPerSnapshot: number;
  /** Cluster reads of one event in flight at once. */
  clusterReadConcurrency: number;
}

export const DEFAULT_LIMITS: PipelineLimits = {
  maxPortsPerParent: 64,
  maxRoutesPerSnapshot: 128,
  maxServicesPerSnapshot: 256,
  clusterReadConcurrency: 8,
};

/** Pure: why the event is over a cap (naming the variable that raises it), or undefined. */
export function oversizedBy(event: RouteEvent, limits: PipelineLimits): string | undefined {
  const { snapshot } = event;
  const routes = snapshot.httpRoutes.length + snapshot.grpcRoutes.length;
  const ports = candidatePorts(event).length;
  const over = (what: string, n: number, max: number, variable: string) =>
    `the parent's snapshot has ${n} ${what}, over the limit of ${max} (raise ${variable} if this is intended)`;
  if (routes > limits.maxRoutesPerSnapshot)
    return over('routes', routes, limits.maxRoutesPerSnapshot, 'GAMMA_MAX_ROUTES_PER_SNAPSHOT');
  if (snapshot.services.length > limits.maxServicesPerSnapshot)
    return over(
      'Services',
      snapshot.services.length,
      limits.maxServicesPerSnapshot,
      'GAMMA_MAX_SERVICES_PER_SNAPSHOT',
    );
  if (ports > limits.maxPortsPerParent)
    return over('candidate ports', ports, limits.maxPortsPerParent, 'GAMMA_MAX_PORTS_PER_PARENT');
  return undefined;
}
