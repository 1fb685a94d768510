// The local stack's live log says what a first-time user would otherwise miss: a route skipped
// because its Service parentRef has no `group: ""`, and an Accepted route whose status warns (e.g.
// a rule without backends that answers every request with an error).
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { severityOf, statusText, textLine } from '../../infra/local/live-log.ts';
import type { StackEvent } from '../../infra/local/live-log.ts';
import { watchSkippedRoutes } from '../../infra/local/route-notices.ts';
import { Store } from '../../infra/local/k8s/store.ts';
import { RESOURCES } from '../../infra/local/k8s/resources.ts';
import type { KubeObj } from '../../infra/local/k8s/resources.ts';
import { startLocalStack } from '../../infra/local/stack.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { REPO_ROOT } from '../support/cli.ts';

const T = new Date('2026-01-02T03:04:05.678Z');

test('an Accepted route whose message carries warnings is logged as a warning, with them', (t) => {
  const route = {
    kind: 'HTTPRoute',
    namespace: 'shop',
    name: 'r',
    conditions: [
      {
        type: 'Accepted',
        status: 'True',
        reason: 'Accepted',
        message:
          'Translated into gamma-x; warning: spec.rules[0]: it has no backendRefs, so every request it matches is answered with HTTP 500; add a backendRef (or a RequestRedirect) to route it',
      },
      { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'All references resolved' },
    ],
  };
  t.is(
    statusText(route),
    'Accepted with warnings: spec.rules[0]: it has no backendRefs, so every request it matches is answered with HTTP 500; add a backendRef (or a RequestRedirect) to route it',
  );
  const e: StackEvent = {
    type: 'synced',
    parent: 'local/shop/web',
    reasons: ['HTTPRoute shop/r added'],
    ms: 3,
    writes: [],
    unchanged: 0,
    routes: [route],
    problems: [],
  };
  t.is(severityOf(e), 'WARNING');
  t.regex(
    textLine(e, T),
    /^03:04:05\.678 warning: Service shop\/web: .*HTTPRoute shop\/r Accepted with warnings: spec\.rules\[0\]: it has no backendRefs/,
  );
});

const httpRoutes = RESOURCES.find((d) => d.kind === 'HTTPRoute')!;

function route(name: string, parentRef: Record<string, unknown>): KubeObj {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'shop' },
    spec: { parentRefs: [parentRef], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
  } as KubeObj;
}

test('routes skipped for a group-less Service parentRef are warned once per change, and forgotten when fixed', (t) => {
  const store = new Store(100);
  const namespaces = RESOURCES.find((d) => d.kind === 'Namespace')!;
  store.create(namespaces, undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'shop' },
  } as KubeObj);
  const events: StackEvent[] = [];
  store.create(httpRoutes, 'shop', route('before', { kind: 'Service', name: 'web' }));
  const stop = watchSkippedRoutes(store, (e) => events.push(e));
  t.teardown(stop);
  const messages = () => events.map((e) => (e.type === 'log' ? `${e.severity} ${e.message}` : e.type));
  t.deepEqual(messages(), [
    'WARNING HTTPRoute shop/before is not translated: parentRefs[0] (kind Service, name web) is skipped: its group is "gateway.networking.k8s.io" (the default when group is left out), so it does not name a core Service; add group: "" to attach the route to Service shop/web',
  ]);
  store.create(httpRoutes, 'shop', route('fine', { group: '', kind: 'Service', name: 'web' }));
  store.create(httpRoutes, 'shop', route('gateway', { name: 'edge' }));
  t.is(events.length, 1, 'routes with a Service parent or only Gateway parents are not warned about');
  store.update(httpRoutes, 'shop', 'before', route('before', { group: '', kind: 'Service', name: 'web' }));
  store.update(httpRoutes, 'shop', 'before', route('before', { kind: 'Service', name: 'web' }));
  t.is(events.length, 2, 'broken again after a fix: warned again');
  const tcpRoutes = RESOURCES.find((d) => d.kind === 'TCPRoute')!;
  store.create(tcpRoutes, 'shop', {
    ...route('pg', { kind: 'Service', name: 'db', port: 5432 }),
    kind: 'TCPRoute',
  });
  t.regex(
    messages().at(-1) ?? '',
    /^WARNING TCPRoute shop\/pg is not translated: .*add group: ""/,
    'every route kind',
  );
});

test('npm start: a seeded route with a group-less Service parentRef shows up in the live log', async (t) => {
  t.timeout(60_000);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'gamma-csm-first-hour-'));
  const seed = path.join(workDir, 'seed');
  mkdirSync(seed);
  copyFileSync(
    path.join(REPO_ROOT, 'test/fixtures/real-world/linkerd-no-group.yaml'),
    path.join(seed, 'all.yaml'),
  );
  const events: StackEvent[] = [];
  t.teardown(() => rmSync(workDir, { recursive: true, force: true }));
  const stack: LocalStack = await startLocalStack({
    workDir,
    seed,
    reconcileIntervalMs: 600_000,
    onEvent: (e) => void events.push(e),
  });
  t.teardown(() => stack.close());
  const line = events.map((e) => textLine(e, T)).find((l) => l.includes('backend-router'));
  t.regex(line ?? '', /warning: routes: HTTPRoute test\/backend-router is not translated: .*add group: ""/);
});
