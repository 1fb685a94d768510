// Where the cluster is: a kubeconfig file (local, CLI), the pod's service account (the watcher), or
// a GKE endpoint + CA + Google access token (the Cloud Functions).
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';
import type https from 'node:https';
import { gkeServerUrl, isGkeDnsEndpoint } from './gke-endpoint.ts';

export interface GkeSource {
  /** `google_container_cluster.endpoint`: an IP or host, with or without https://. */
  endpoint: string;
  /**
   * `master_auth[0].cluster_ca_certificate`: base64 PEM, as Terraform gives it. Omitted only for a
   * DNS endpoint (`*.gke.goog`), whose certificate the system trust roots verify.
   */
  caData?: string;
  token?: string;
  /** Called for a fresh token when the cached one is older than `tokenTtlMs` (default 5 min, min 1 s). */
  tokenProvider?: () => Promise<string>;
  tokenTtlMs?: number;
}

export interface KubeConfigSource {
  kubeconfigPath?: string;
  inCluster?: boolean;
  gke?: GkeSource;
}

export function makeKubeConfig(source: KubeConfigSource): KubeConfig {
  const chosen = [
    source.kubeconfigPath !== undefined,
    source.inCluster === true,
    source.gke !== undefined,
  ].filter(Boolean);
  if (chosen.length !== 1) {
    throw new Error('makeKubeConfig: give exactly one of kubeconfigPath, inCluster or gke');
  }
  if (source.kubeconfigPath !== undefined) {
    const kc = new KubeConfig();
    kc.loadFromFile(source.kubeconfigPath);
    return kc;
  }
  if (source.inCluster) {
    const kc = new KubeConfig();
    kc.loadFromCluster();
    return kc;
  }
  return gkeKubeConfig(source.gke as GkeSource);
}

function gkeOptions(gke: GkeSource, token: string) {
  const server = gkeServerUrl(gke.endpoint);
  return {
    clusters: [{ name: 'gke', server, ...(gke.caData ? { caData: gke.caData } : {}), skipTLSVerify: false }],
    users: [{ name: 'gamma-csm', token }],
    contexts: [{ name: 'gke', cluster: 'gke', user: 'gamma-csm' }],
    currentContext: 'gke',
  };
}

function gkeKubeConfig(gke: GkeSource): KubeConfig {
  if (!gke.endpoint) throw new Error('makeKubeConfig: gke.endpoint is empty');
  if (!gke.caData && !isGkeDnsEndpoint(gke.endpoint))
    throw new Error('makeKubeConfig: gke.caData is empty (only a *.gke.goog DNS endpoint may omit it)');
  if (!gke.token && !gke.tokenProvider) throw new Error('makeKubeConfig: gke needs token or tokenProvider');
  if (!gke.tokenProvider) {
    const kc = new KubeConfig();
    kc.loadFromOptions(gkeOptions(gke, gke.token as string));
    return kc;
  }
  // At least 1 s: one request passes through several of the overridden hooks.
  const kc = new RefreshingKubeConfig(gke, gke.tokenProvider, Math.max(1000, gke.tokenTtlMs ?? 5 * 60_000));
  kc.loadFromOptions(gkeOptions(gke, gke.token ?? ''));
  return kc;
}

/** A KubeConfig whose bearer token comes from an async provider, refreshed before it ages out. */
class RefreshingKubeConfig extends KubeConfig {
  private fetchedAt = 0;
  private pending?: Promise<void>;

  constructor(
    private readonly gke: GkeSource,
    private readonly provider: () => Promise<string>,
    private readonly ttlMs: number,
  ) {
    super();
  }

  private refresh(): Promise<void> {
    if (Date.now() - this.fetchedAt < this.ttlMs) return Promise.resolve();
    this.pending ??= this.provider()
      .then((token) => {
        this.loadFromOptions(gkeOptions(this.gke, token));
        this.fetchedAt = Date.now();
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  override async applyToFetchOptions(opts: https.RequestOptions) {
    await this.refresh();
    return super.applyToFetchOptions(opts);
  }

  override async applyToHTTPSOptions(opts: https.RequestOptions) {
    await this.refresh();
    return super.applyToHTTPSOptions(opts);
  }

  override async applySecurityAuthentication(context: RequestContext) {
    await this.refresh();
    return super.applySecurityAuthentication(context);
  }
}
