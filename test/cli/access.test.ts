// `translate` reads ReferenceGrants from manifests and applies the two access settings
// (--cross-namespace-backends, --backend-service-overrides, or their GAMMA_* variables) like the
// functions do (docs/security.md §2).
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gamma-access-'));
const manifest = (withGrant: boolean) => `
apiVersion: v1
kind: Service
metadata: { name: front, namespace: a, annotations: { gamma-csm.dev/backend-service.80: team-a-front } }
spec: { ports: [{ port: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: api, namespace: b }
spec: { ports: [{ port: 80 }] }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: a }
spec:
  parentRefs: [{ group: "", kind: Service, name: front, port: 80 }]
  rules:
    - backendRefs: [{ name: api, namespace: b, port: 80 }, { name: front, port: 80 }]
${
  withGrant
    ? `---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: from-a, namespace: b }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: a }]
  to: [{ group: "", kind: Service }]
`
    : ''
}`;
const files = { granted: path.join(dir, 'granted.yaml'), bare: path.join(dir, 'bare.yaml') };
writeFileSync(files.granted, manifest(true));
writeFileSync(files.bare, manifest(false));

interface Out {
  statuses: {
    parents: { conditions: { type: string; status: string; reason: string; message: string }[] }[];
  }[];
}
const resolvedRefs = (stdout: string) =>
  (JSON.parse(stdout) as Out).statuses[0].parents[0].conditions.find((c) => c.type === 'ResolvedRefs');
const base = ['translate', '--backend-services', 'off', '--backend-service-overrides', 'team-a-*'];
const clean = { GAMMA_CROSS_NAMESPACE_BACKENDS: '', GAMMA_BACKEND_SERVICE_OVERRIDES: undefined };

test('referencegrant mode: the grant in the manifests allows the cross-namespace backend; without it RefNotPermitted', async (t) => {
  const mode = ['--cross-namespace-backends', 'referencegrant'];
  const granted = await runCli([...base, ...mode, '-f', files.granted], { env: clean });
  t.is(granted.code, 0, granted.stderr);
  t.is(resolvedRefs(granted.stdout)?.status, 'True');
  const bare = await runCli([...base, ...mode, '-f', files.bare], { env: clean });
  t.is(bare.code, 0, bare.stderr);
  t.like(resolvedRefs(bare.stdout), { status: 'False', reason: 'RefNotPermitted' });
  // The variable sets the same default as the flag.
  const fromEnv = await runCli([...base, '-f', files.bare], {
    env: { GAMMA_CROSS_NAMESPACE_BACKENDS: 'referencegrant' },
  });
  t.like(resolvedRefs(fromEnv.stdout), { reason: 'RefNotPermitted' });
  // Default: allow (GEP-1294).
  const allowed = await runCli([...base, '-f', files.bare], { env: clean });
  t.is(resolvedRefs(allowed.stdout)?.status, 'True');
});

test('an override annotation off the allow-list is RefNotPermitted naming the variable', async (t) => {
  const r = await runCli(['translate', '--backend-services', 'off', '-f', files.granted], { env: clean });
  t.is(r.code, 0, r.stderr);
  const cond = resolvedRefs(r.stdout);
  t.like(cond, { status: 'False', reason: 'RefNotPermitted' });
  t.regex(cond?.message ?? '', /GAMMA_BACKEND_SERVICE_OVERRIDES does not allow/);
  const env = await runCli(['translate', '--backend-services', 'off', '-f', files.granted], {
    env: { GAMMA_BACKEND_SERVICE_OVERRIDES: 'team-a-front' },
  });
  t.is(resolvedRefs(env.stdout)?.status, 'True');
  const bad = await runCli(['translate', '--backend-service-overrides', 'Bad Name', '-f', files.granted]);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /backend service ids/);
});
