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
import { wantsColour } from '../../functions/cli/commands/local.ts';

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

test('a sync reads as one line: what changed, what was written, how long, the status', (t) => {
  t.is(
    eventText(synced()),
    'HTTPRoute default/echo-route modified -> snapshot published -> httpRoutes/gamma-local-default-echo-80-1234abcd updated (2 rules) in 41 ms, status Accepted',
  );
  t.is(severityOf(synced()), 'INFO');
  t.is(textLine(synced(), T), `03:04:05.678 ${eventText(synced())}`);
});

test('a rejection is a warning in plain words, with the reason and message', (t) => {
  const e = synced({
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
    /^03:04:05\.678 warning: .* -> no Network Services change in 41 ms, status rejected: Accepted=False UnsupportedValue: no rule can be translated$/,
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
