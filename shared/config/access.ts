// Where a process reaches things: the Kubernetes API (kubeconfig, endpoint + CA, or in-cluster) and
// the Google API root URLs (emulators).
import { isGkeDnsEndpoint } from '../cluster/gke-endpoint.ts';
import type { EnvReader } from './read.ts';
import type { ClusterAccess } from './types.ts';

/** A root URL variable (GAMMA_NETSVC_ENDPOINT, GAMMA_COMPUTE_ENDPOINT): origin only, with a slash. */
export function readEndpoint(r: EnvReader, name: string): string | undefined {
  const v = r.raw(name);
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return r.problem(name, `must be a root URL like http://127.0.0.1:8085/, got ${JSON.stringify(v)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return r.problem(name, `must use http or https, got ${JSON.stringify(v)}`);
  // googleapis keeps only the origin of rootUrl, so a path would be silently dropped.
  if (url.pathname !== '/' || url.search !== '')
    return r.problem(
      name,
      `must be a root URL without a path (the client drops it), got ${JSON.stringify(v)}`,
    );
  return `${url.origin}/`;
}

function readCa(r: EnvReader): string | undefined {
  const v = r.raw('GAMMA_CLUSTER_CA');
  if (v === undefined) return undefined;
  const compact = v.replace(/\s+/g, '');
  const pem = /^[A-Za-z0-9+/]+={0,2}$/.test(compact) ? Buffer.from(compact, 'base64').toString('utf8') : '';
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    return r.problem(
      'GAMMA_CLUSTER_CA',
      'must be a base64-encoded PEM certificate (master_auth.cluster_ca_certificate)',
    );
  return compact;
}

function readServer(r: EnvReader): string | undefined {
  const v = r.raw('GAMMA_CLUSTER_ENDPOINT');
  if (v === undefined) return undefined;
  const withScheme = /^[a-z]+:\/\//i.test(v) ? v : `https://${v}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol === 'https:' && url.hostname !== '' && (url.pathname === '/' || url.pathname === ''))
      return url.origin;
  } catch {
    // fall through to the problem below
  }
  return r.problem(
    'GAMMA_CLUSTER_ENDPOINT',
    `must be a host[:port] or https:// URL of the API server, got ${JSON.stringify(v)}`,
  );
}

export function readClusterAccess(r: EnvReader): ClusterAccess | undefined {
  const kubeconfig = r.raw('GAMMA_KUBECONFIG');
  const server = readServer(r);
  const caData = readCa(r);
  const endpointSet =
    r.raw('GAMMA_CLUSTER_ENDPOINT') !== undefined || r.raw('GAMMA_CLUSTER_CA') !== undefined;
  if (kubeconfig !== undefined && endpointSet)
    return r.problem(
      'GAMMA_KUBECONFIG',
      'set either GAMMA_KUBECONFIG or GAMMA_CLUSTER_ENDPOINT + GAMMA_CLUSTER_CA, not both',
    );
  if (kubeconfig !== undefined) return { kind: 'kubeconfig', path: kubeconfig };
  if (!endpointSet) return undefined;
  if (r.raw('GAMMA_CLUSTER_ENDPOINT') === undefined)
    return r.problem('GAMMA_CLUSTER_ENDPOINT', 'is required when GAMMA_CLUSTER_CA is set');
  if (r.raw('GAMMA_CLUSTER_CA') === undefined) {
    if (server !== undefined && isGkeDnsEndpoint(server)) return { kind: 'endpoint', server };
    return r.problem(
      'GAMMA_CLUSTER_CA',
      'is required when GAMMA_CLUSTER_ENDPOINT is set (only a GKE DNS endpoint, *.gke.goog, may omit it)',
    );
  }
  return server !== undefined && caData !== undefined ? { kind: 'endpoint', server, caData } : undefined;
}
