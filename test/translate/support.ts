// Small builders for translate tests (raw objects, as a cluster or YAML file would give them).
import type { GRPCRoute, HTTPRoute, Service } from '../../shared/gamma/types.ts';
import type { TranslateOptions } from '../../shared/translate/types.ts';

export const OPTIONS: TranslateOptions = {
  project: 'demo',
  location: 'global',
  mesh: 'demo-mesh',
  clusterId: 'test',
  controllerName: 'gamma-csm.dev/controller',
  clusterDomain: 'cluster.local',
};

export function service(name: string, namespace = 'ns', ports: number[] = [80]): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: ports.map((port) => ({ name: `http-${port}`, port })) },
  };
}

export function httpRoute(
  name: string,
  spec: HTTPRoute['spec'],
  namespace = 'ns',
  extra: Partial<HTTPRoute['metadata']> = {},
): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace, ...extra },
    spec,
  };
}

export function grpcRoute(name: string, spec: GRPCRoute['spec'], namespace = 'ns'): GRPCRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name, namespace },
    spec,
  };
}

export const parent = (name: string, extra: object = {}) => ({ group: '', kind: 'Service', name, ...extra });
