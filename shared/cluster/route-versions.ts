// The experimental route kinds gamma-csm reads and the versions clusters serve them at
// (docs/support-matrix.md). Which one a cluster serves depends on the Gateway API release and
// channel: 1.6 serves TCPRoute as v1 (standard) and v1 + v1alpha2 (experimental), earlier
// experimental releases v1alpha2 only; TLSRoute is v1 from 1.5 on (standard and experimental, the
// latter with v1alpha2 and v1alpha3 too), v1alpha2 (and from 1.4 v1alpha3) before. UDPRoute, read
// only to be rejected in status (translate/udp.ts), is experimental and v1alpha2 only. A cluster may
// also have no CRD at all: such a kind is simply not read.
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { GATEWAY_GROUP } from '../gamma/types.ts';
import { isNotServed, STATUS_ROUTE_RESOURCES } from './objects.ts';

/** Preferred first: the newest version, whose shape shared/gamma/types.ts follows (objects.ts is their one home). */
export const OPTIONAL_ROUTE_VERSIONS = {
  tcproutes: STATUS_ROUTE_RESOURCES.TCPRoute.versions,
  tlsroutes: STATUS_ROUTE_RESOURCES.TLSRoute.versions,
  udproutes: STATUS_ROUTE_RESOURCES.UDPRoute.versions,
} as const satisfies Record<string, readonly string[]>;

export type OptionalRouteKind = keyof typeof OPTIONAL_ROUTE_VERSIONS;

export const OPTIONAL_ROUTE_KINDS = Object.keys(OPTIONAL_ROUTE_VERSIONS) as OptionalRouteKind[];

export const ROUTE_KIND_OF = { tcproutes: 'TCPRoute', tlsroutes: 'TLSRoute', udproutes: 'UDPRoute' } as const;

/**
 * The first version of `plural` the cluster serves, or undefined when it serves none (no CRD: every
 * list answers 404). Any other failure rejects: the caller cannot tell whether the kind exists.
 */
export async function servedRouteVersion(
  kc: KubeConfig,
  plural: OptionalRouteKind,
): Promise<string | undefined> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (const version of OPTIONAL_ROUTE_VERSIONS[plural]) {
    try {
      await custom.listClusterCustomObject({ group: GATEWAY_GROUP, version, plural, limit: 1 });
      return version;
    } catch (e) {
      if (!isNotServed(e)) throw e;
    }
  }
  return undefined;
}
