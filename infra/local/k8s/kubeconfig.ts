// The kubeconfig the stand-in writes for itself: plain HTTP on loopback, so the cluster entry sets
// insecure-skip-tls-verify (client-node refuses http:// otherwise), and a static bearer token user.
import { stringify } from 'yaml';

export function kubeconfigYaml(server: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'gamma-csm-local', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'gamma-csm-local', user: { token } }],
    contexts: [
      {
        name: 'gamma-csm-local',
        context: { cluster: 'gamma-csm-local', user: 'gamma-csm-local', namespace: 'default' },
      },
    ],
    'current-context': 'gamma-csm-local',
    preferences: {},
  });
}
