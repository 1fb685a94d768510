// `translate -o text`: the backend services and health checks a translation needs, one block each.
import { ownerRecord } from '../../shared/compute/ownership.ts';
import type { ComputeHealthCheck, DesiredCompute } from '../../shared/compute/types.ts';

type Json = Record<string, unknown>;

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** What a backend service serves, its protocol and health check, and a line per zonal NEG. */
export function backendServiceLines(compute: Partial<DesiredCompute>): string[] {
  const services = compute.backendServices ?? [];
  if (services.length === 0) return ['no backend services to provision'];
  const checks = new Map((compute.healthChecks ?? []).map((h) => [h.name ?? '', h]));
  const lines: string[] = [];
  for (const bs of services) {
    const owner = ownerRecord(bs);
    const check = checks.get(lastSegment(bs.healthChecks?.[0] ?? ''));
    const probe = check ? healthCheckText(check) : '(none)';
    const transport = owner?.transport ? ` (${owner.transport} routes)` : '';
    lines.push(`BackendService ${bs.name} <- Service ${owner?.service}:${owner?.port}${transport}`);
    lines.push(`  ${bs.protocol}, ${bs.loadBalancingScheme}, health check ${check?.name ?? '?'} (${probe})`);
    const backends = bs.backends ?? [];
    if (backends.length === 0)
      lines.push(
        `  no backends yet: one per zone appears once GKE's NEG controller writes cloud.google.com/neg-status`,
      );
    for (const b of backends)
      lines.push(`  backend ${b.group?.replace(/^.*\/zones\//, 'zone ')} (${balancingText(b)})`);
  }
  return lines;
}

function healthCheckText(check: ComputeHealthCheck): string {
  const probe = (check.httpHealthCheck ??
    check.http2HealthCheck ??
    check.grpcHealthCheck ??
    check.tcpHealthCheck) as Json;
  const detail = probe?.requestPath ?? probe?.grpcServiceName;
  return `${check.type} on the serving port${detail ? ` ${detail}` : ''}`;
}

function balancingText(b: {
  balancingMode?: string | null;
  maxRatePerEndpoint?: number | null;
  maxConnectionsPerEndpoint?: number | null;
}): string {
  return b.balancingMode === 'CONNECTION'
    ? `CONNECTION, ${b.maxConnectionsPerEndpoint} connections per endpoint`
    : `RATE, ${b.maxRatePerEndpoint}/s per endpoint`;
}
