// GKE control-plane endpoints as the functions are given them (GAMMA_CLUSTER_ENDPOINT, Terraform).
// Kept free of client imports so shared/config can use it.

/** An IP, host[:port] or https:// URL as a URL string. */
export const gkeServerUrl = (endpoint: string): string =>
  /^[a-z]+:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;

/**
 * GKE's DNS-based control-plane endpoint (`gke-<hash>.<region>.gke.goog`). It presents a publicly
 * trusted certificate, so it is the one endpoint reached without the cluster CA
 * (infra/terraform/README.md, "Private clusters").
 */
export function isGkeDnsEndpoint(endpoint: string): boolean {
  try {
    return new URL(gkeServerUrl(endpoint)).hostname.endsWith('.gke.goog');
  } catch {
    return false;
  }
}
