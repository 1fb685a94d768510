// Cluster IPs for Services, as the API server allocates them: a Service of type ClusterIP, NodePort or
// LoadBalancer written without one gets a free address of the service range (clusterIP and
// clusterIPs); a headless one (clusterIP: None) and an ExternalName one get none. The address is
// immutable: a later write that omits it keeps it. TCPRoute translation matches on this address
// (docs/support-matrix.md), so Services applied to the stand-in need one as on a real cluster.
// Pure: the store hands in the addresses already taken.

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  [k: string]: unknown;
}

/** The kubeadm default service range 10.96.0.0/12; .1 (the kubernetes Service) and .10 (DNS) stay free. */
const FIRST = (10 << 24) | (96 << 16) | 11;
const LAST = (10 << 24) | (111 << 16) | (255 << 8) | 254;

const toText = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

function nextFree(used: Set<string>): string {
  for (let n = FIRST; n <= LAST; n++) if (!used.has(toText(n))) return toText(n);
  throw new Error('the service range 10.96.0.0/12 is full');
}

/**
 * The spec as stored: `previous` (the stored spec, on updates) keeps its address when the write omits
 * it; a new Service gets the next free one; clusterIPs follows clusterIP when only that was given.
 */
export function withClusterIp(spec: unknown, previous: unknown, used: () => Iterable<string>): unknown {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return spec;
  const s = { ...(spec as ServiceSpec) };
  if (s.type === 'ExternalName') return s;
  const prev = previous as ServiceSpec | undefined;
  if (!s.clusterIP && prev?.clusterIP) {
    s.clusterIP = prev.clusterIP;
    if (!s.clusterIPs && prev.clusterIPs) s.clusterIPs = prev.clusterIPs;
  }
  if (!s.clusterIP) s.clusterIP = nextFree(new Set(used()));
  if (!s.clusterIPs?.length) s.clusterIPs = [s.clusterIP];
  return s;
}
