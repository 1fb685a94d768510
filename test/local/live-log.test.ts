// The live log's wording and the seeding rules (pure parts of the local stack).
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  COLOURS,
  NO_COLOURS,
  eventText,
  jsonLine,
  severityOf,
  statusText,
  textLine,
} from '../../infra/local/live-log.ts';
import type { StackEvent } from '../../infra/local/live-log.ts';
import { SeedError, intoNamespace, loadSeed } from '../../infra/local/seed.ts';
import type { SeedObject } from '../../infra/local/seed.ts';
import { wantsColour } from '../../cli/commands/local.ts';
import { routesOf } from '../../infra/local/stack.ts';
import type { RouteEvent } from '../../shared/events/index.ts';

const T = new Date('2026-01-02T03:04:05.678Z');

const synced = (over: Partial<Extract<StackEvent, { type: 'synced' }>> = {}): StackEvent => ({
  type: 'synced',
  parent: 'local/default/echo',
  reasons: ['HTTPRoute default/echo-route modified'],
  ms: 41,
  writes: [{ action: 'updated', kind: 'httpRoutes', id: 'gamma-local-default-echo-80-1234abcd', rules: 2 }],
  unchanged: 0,
  routes: [
    {
      kind: 'HTTPRoute',
      namespace: 'default',
      name: 'echo-route',
      conditions: [
        { type: 'Accepted', status: 'True', reason: 'Accepted' },
        { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' },
      ],
    },
  ],
  problems: [],
  ...over,
});

test('a sync reads as one line: the parent Service, what changed, what was written, how long, each route', (t) => {
  t.is(
    eventText(synced()),
    'Service default/echo: HTTPRoute default/echo-route modified -> snapshot published -> httpRoutes/gamma-local-default-echo-80-1234abcd updated (2 rules) in 41 ms, HTTPRoute default/echo-route Accepted',
  );
  t.is(severityOf(synced()), 'INFO');
  t.is(textLine(synced(), T), `03:04:05.678 ${eventText(synced())}`);
});

test('a rejection on resync is a warning naming the parent Service and the route, with reason and message', (t) => {
  const e = synced({
    reasons: ['resync'],
    writes: [],
    routes: [
      {
        kind: 'HTTPRoute',
        namespace: 'x',
        name: 'bad',
        conditions: [
          {
            type: 'Accepted',
            status: 'False',
            reason: 'UnsupportedValue',
            message: 'no rule can be translated',
          },
        ],
      },
    ],
  });
  t.is(severityOf(e), 'WARNING');
  t.regex(
    textLine(e, T),
    /^03:04:05\.678 warning: Service default\/echo: resync -> snapshot published -> no Network Services change in 41 ms, HTTPRoute x\/bad rejected: Accepted=False UnsupportedValue: no rule can be translated$/,
  );
});

test('route status wording: partially rejected, pending, not written yet', (t) => {
  t.is(
    statusText({
      kind: 'HTTPRoute',
      namespace: 'n',
      name: 'r',
      conditions: [
        { type: 'Accepted', status: 'True' },
        { type: 'PartiallyInvalid', status: 'True', reason: 'UnsupportedValue', message: 'Dropped Rule 1' },
      ],
    }),
    'partially rejected: PartiallyInvalid=True UnsupportedValue: Dropped Rule 1',
  );
  t.is(statusText({ kind: 'HTTPRoute', namespace: 'n', name: 'r' }), 'no status yet');
  t.is(
    statusText({
      kind: 'HTTPRoute',
      namespace: 'n',
      name: 'r',
      conditions: [{ type: 'Accepted', status: 'Unknown' }],
    }),
    'pending',
  );
});

test('several routes on one parent are each named', (t) => {
  const base = synced() as Extract<StackEvent, { type: 'synced' }>;
  const e = synced({ routes: [base.routes[0], { ...base.routes[0], name: 'second' }] });
  t.regex(eventText(e), /, HTTPRoute default\/echo-route Accepted; HTTPRoute default\/second Accepted$/);
});

test('failures are errors, transient reconcile failures warnings', (t) => {
  t.is(severityOf({ type: 'sync-failed', parent: 'p', error: 'x' }), 'ERROR');
  t.is(severityOf({ type: 'reconcile-failed', error: 'x', transient: true }), 'WARNING');
  t.is(severityOf({ type: 'reconcile-failed', error: 'x' }), 'ERROR');
  t.regex(
    textLine({ type: 'sync-failed', parent: 'p', error: 'boom' }, T),
    /error: p: sync failed, Pub\/Sub will redeliver: boom/,
  );
  t.is(
    eventText({
      type: 'sync-failed',
      parent: 'local/shop/cart',
      routes: [{ kind: 'GRPCRoute', namespace: 'shop', name: 'cart-grpc' }],
      error: 'boom',
    }),
    'Service shop/cart (GRPCRoute shop/cart-grpc): sync failed, Pub/Sub will redeliver: boom',
  );
  t.is(
    eventText({ type: 'skipped', parent: 'local/shop/cart', routes: [], why: 'stale-sequence: older' }),
    'Service shop/cart: delivery skipped, stale-sequence: older',
  );
});

test('a parent whose routes are all gone says so; a reconcile that repaired drift names its writes', (t) => {
  t.regex(
    eventText(synced({ routes: [], reasons: ['HTTPRoute default/echo-route deleted'] })),
    /, no route left$/,
  );
  const summary = {
    created: 0,
    updated: 1,
    deleted: 0,
    unchanged: 3,
    refused: 0,
    failed: 0,
    drift: true,
    statusesWritten: 0,
    statusFailures: 0,
    transientFailures: 0,
    routes: 4,
    durationMs: 12,
    dryRun: false,
    errors: [],
  };
  t.is(
    eventText({
      type: 'reconciled',
      summary,
      writes: [{ action: 'updated', kind: 'httpRoutes', id: 'gamma-local-shop-cart-80-ab', rules: 1 }],
    }),
    'reconcile tick: drift repaired: 0 created, 1 updated, 0 deleted (httpRoutes/gamma-local-shop-cart-80-ab updated (1 rule)) (4 routes checked, 12 ms)',
  );
});

test('colour only through the palette; JSON lines carry severity, message and the event', (t) => {
  const plain = textLine({ type: 'ready', ms: 5 }, T, NO_COLOURS);
  t.false(plain.includes('\u001b['));
  t.true(plain.includes('gamma-csm local stack ready'));
  t.true(textLine({ type: 'ready', ms: 5 }, T, COLOURS).includes('\u001b[32m'));
  const json = JSON.parse(jsonLine(synced(), T)) as Record<string, unknown>;
  t.like(json, { severity: 'INFO', time: T.toISOString(), event: { type: 'synced', ms: 41 } });
  t.is(json.message, eventText(synced()));
});

test('colour wants a TTY, no NO_COLOR and a capable TERM', (t) => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  t.true(wantsColour(tty, {}));
  t.false(wantsColour(tty, { NO_COLOR: '' }));
  t.false(wantsColour(tty, { TERM: 'dumb' }));
  t.false(wantsColour(pipe, {}));
});

test('intoNamespace moves the object and the refs that named its old namespace', (t) => {
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'default' },
    spec: {
      parentRefs: [{ name: 'svc', namespace: 'default' }, { name: 'other' }],
      rules: [
        {
          backendRefs: [
            { name: 'b', namespace: 'default' },
            { name: 'c', namespace: 'elsewhere' },
          ],
        },
      ],
    },
  } as SeedObject;
  const moved = intoNamespace(route, 'demo') as SeedObject & { spec: typeof route.spec };
  t.is(moved.metadata.namespace, 'demo');
  t.deepEqual(moved.spec, {
    parentRefs: [{ name: 'svc', namespace: 'demo' }, { name: 'other' }],
    rules: [
      {
        backendRefs: [
          { name: 'b', namespace: 'demo' },
          { name: 'c', namespace: 'elsewhere' },
        ],
      },
    ],
  });
  t.is(route.metadata.namespace, 'default', 'the input is not modified');
});

test('loadSeed: subdirectories become namespaces, top-level files keep theirs, bad YAML names the file', (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gamma-seed-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'demo'));
  writeFileSync(
    path.join(root, 'demo', 'svc.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: default}\n',
  );
  writeFileSync(
    path.join(root, 'top.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: team}\n---\n',
  );
  const set = loadSeed(root);
  t.deepEqual(set.namespaces.sort(), ['demo', 'team']);
  t.deepEqual(set.objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort(), [
    'demo/a',
    'team/b',
  ]);
  writeFileSync(path.join(root, 'demo', 'bad.yaml'), 'kind: Service\n');
  t.throws(() => loadSeed(root), {
    instanceOf: SeedError,
    message: /bad\.yaml \(document 1\): not a Kubernetes object/,
  });
  rmSync(path.join(root, 'demo', 'bad.yaml'));
  mkdirSync(path.join(root, 'Bad_Name'));
  writeFileSync(
    path.join(root, 'Bad_Name', 'svc.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata: {name: c}\n',
  );
  t.throws(() => loadSeed(root), {
    instanceOf: SeedError,
    message: /"Bad_Name" is not a valid namespace name/,
  });
  t.throws(() => loadSeed(path.join(root, 'missing')), {
    instanceOf: SeedError,
    message: /cannot read examples directory/,
  });
});

test('a sync names every route kind its event carries, TCP, TLS and UDP routes included', (t) => {
  const meta = (name: string, namespace?: string) => ({
    metadata: { name, ...(namespace ? { namespace } : {}) },
  });
  const event = {
    parent: { namespace: 'data', name: 'db' },
    snapshot: {
      services: [],
      httpRoutes: [meta('web')],
      grpcRoutes: [],
      tcpRoutes: [meta('pg', 'data')],
      tlsRoutes: [meta('sni', 'edge')],
      udpRoutes: [meta('dns')],
    },
  } as unknown as RouteEvent;
  t.deepEqual(
    routesOf(event).map((r) => `${r.kind} ${r.namespace}/${r.name}`),
    ['HTTPRoute data/web', 'TCPRoute data/pg', 'TLSRoute edge/sni', 'UDPRoute data/dns'],
  );
});
