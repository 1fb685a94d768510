// What a first-time user must be told rather than find out in production: Service parents skipped
// for their group, rules without backends, approximations instead of dropped rules, wrong namespaces,
// and rules named as in the YAML (spec.rules[N] plus the rule's name).
import test from 'ava';
import { translate } from '../../shared/translate/index.ts';
import { noServiceParentReason } from '../../shared/translate/parents.ts';
import type { Desired } from '../../shared/translate/types.ts';
import { OPTIONS, grpcRoute, httpRoute, parent, service } from './support.ts';

function conditionOf(d: Desired, name: string, type: string) {
  return d.statuses.find((s) => s.name === name)?.parents[0]?.conditions.find((c) => c.type === type);
}

test('a Service parentRef without group is skipped (spec) but warned, on the route and as a reason', (t) => {
  const route = httpRoute('r', {
    parentRefs: [{ kind: 'Service', name: 'web' }, parent('api')],
    rules: [{ backendRefs: [{ name: 'api', port: 80 }] }],
  });
  const d = translate(
    { services: [service('web'), service('api')], httpRoutes: [route], grpcRoutes: [] },
    OPTIONS,
  );
  t.is(d.statuses[0].parents.length, 1, 'only the core Service parent gets status');
  t.regex(
    d.statuses[0].warnings?.[0] ?? '',
    /^parentRefs\[0\] \(kind Service, name web\) is skipped: .*add group: "" to attach the route to Service ns\/web$/,
  );
  t.is(noServiceParentReason(route), undefined, 'the route has a Service parent');
  const alone = httpRoute('alone', { parentRefs: [{ kind: 'Service', name: 'web' }] });
  t.regex(noServiceParentReason(alone) ?? '', /add group: ""/);
  t.regex(noServiceParentReason(httpRoute('gw', { parentRefs: [{ name: 'edge' }] })) ?? '', /Gateways/);
});

test('rules without backends stay Accepted but the message says every request gets an error', (t) => {
  const d = translate(
    {
      services: [service('web'), service('v1')],
      httpRoutes: [httpRoute('h', { parentRefs: [parent('web')], rules: [{ name: 'placeholder' }] })],
      grpcRoutes: [
        grpcRoute('g', {
          parentRefs: [parent('v1')],
          rules: [{ backendRefs: [{ name: 'v1', port: 80, weight: 0 }] }],
        }),
      ],
    },
    OPTIONS,
  );
  const h = conditionOf(d, 'h', 'Accepted');
  t.is(h?.status, 'True');
  t.regex(
    h?.message ?? '',
    /warning: spec\.rules\[0\] \(name placeholder\): it has no backendRefs, so every request it matches is answered with HTTP 500/,
  );
  t.regex(
    conditionOf(d, 'g', 'Accepted')?.message ?? '',
    /every backendRef has weight 0, so every request it matches is answered with UNAVAILABLE/,
  );
});

test('approximated, not dropped: several mirrors, unexpressible retry codes, header session persistence', (t) => {
  const rules = [
    {
      filters: [
        { type: 'RequestMirror', requestMirror: { backendRef: { name: 'm1', port: 80 } } },
        { type: 'RequestMirror', requestMirror: { backendRef: { name: 'm2', port: 80 } } },
      ],
      backendRefs: [{ name: 'web', port: 80 }],
    },
    {
      matches: [{ path: { type: 'PathPrefix', value: '/r' } }],
      retry: { codes: [429, 500] },
      backendRefs: [{ name: 'web', port: 80 }],
    },
    {
      matches: [{ path: { type: 'PathPrefix', value: '/s' } }],
      sessionPersistence: { type: 'Header' },
      backendRefs: [{ name: 'web', port: 80 }],
    },
  ];
  const d = translate(
    {
      services: [service('web'), service('m1'), service('m2')],
      httpRoutes: [httpRoute('r', { parentRefs: [parent('web')], rules } as never)],
      grpcRoutes: [],
    },
    OPTIONS,
  );
  t.is(conditionOf(d, 'r', 'PartiallyInvalid'), undefined, 'no rule dropped');
  const warnings = d.statuses[0].warnings ?? [];
  t.true(
    warnings.some((w) =>
      /^spec\.rules\[0\]: only the first of its 2 RequestMirror filters is applied/.test(w),
    ),
  );
  t.true(warnings.some((w) => /^spec\.rules\[1\]: retry codes 429 are not retried/.test(w)));
  t.true(warnings.some((w) => /^spec\.rules\[2\]: sessionPersistence type "Header" is not applied/.test(w)));
  const actions = (d.httpRoutes[0].rules ?? []).map((r) => r.action);
  const m1 = d.backends.find((b) => b.service === 'm1')?.serviceName;
  t.truthy(m1, 'the first mirror target is a backend');
  t.falsy(
    d.backends.find((b) => b.service === 'm2'),
    'the second mirror is left out',
  );
  t.true(
    actions.some(
      (a) =>
        a?.requestMirrorPolicy?.destination?.serviceName ===
        d.backends.find((b) => b.service === 'm1')?.serviceName,
    ),
  );
  t.true(actions.some((a) => a?.retryPolicy?.retryConditions?.includes('5xx')));
});

test('a rule with several mirrors and a retry it cannot fully express keeps both warnings', (t) => {
  const d = translate(
    {
      services: [service('web'), service('m1'), service('m2')],
      httpRoutes: [
        httpRoute('r', {
          parentRefs: [parent('web')],
          rules: [
            {
              filters: [
                { type: 'RequestMirror', requestMirror: { backendRef: { name: 'm1', port: 80 } } },
                { type: 'RequestMirror', requestMirror: { backendRef: { name: 'm2', port: 80 } } },
              ],
              retry: { codes: [429] },
              backendRefs: [{ name: 'web', port: 80 }],
            },
          ],
        } as never),
      ],
      grpcRoutes: [],
    },
    OPTIONS,
  );
  const warnings = d.statuses[0].warnings ?? [];
  t.true(warnings.some((w) => /^spec\.rules\[0\]: only the first of its 2 RequestMirror filters/.test(w)));
  t.true(warnings.some((w) => /^spec\.rules\[0\]: retry codes 429 are not retried/.test(w)));
});

test('a parent or backend Service missing here but present in another namespace: the message hints at it', (t) => {
  const d = translate(
    {
      services: [service('web', 'prod'), service('api', 'prod')],
      httpRoutes: [
        httpRoute(
          'r',
          { parentRefs: [parent('web')], rules: [{ backendRefs: [{ name: 'api', port: 80 }] }] },
          'default',
        ),
      ],
      grpcRoutes: [],
    },
    OPTIONS,
  );
  t.regex(
    conditionOf(d, 'r', 'Accepted')?.message ?? '',
    /^Service default\/web not found; a Service web exists in namespace prod: .*run with -n prod\)$/,
  );
  t.regex(
    conditionOf(d, 'r', 'ResolvedRefs')?.message ?? '',
    /api exists in namespace prod: set the backendRef namespace/,
  );
});

test('dropped rules are named spec.rules[N] with their name (and the message starts with "Dropped Rule")', (t) => {
  const d = translate(
    {
      services: [service('web')],
      httpRoutes: [
        httpRoute('r', {
          parentRefs: [parent('web')],
          rules: [
            { backendRefs: [{ name: 'web', port: 80 }] },
            {
              name: 'legacy',
              // RE2 has no lookahead: the match cannot be expressed, so the rule is dropped.
              matches: [{ path: { type: 'RegularExpression', value: '/old/(?!x).*' } }],
              backendRefs: [{ name: 'web', port: 80 }],
            },
          ],
        } as never),
      ],
      grpcRoutes: [],
    },
    OPTIONS,
  );
  t.regex(
    conditionOf(d, 'r', 'PartiallyInvalid')?.message ?? '',
    /^Dropped Rule spec\.rules\[1\] \(name legacy\): matches\[0\]: /,
  );
});

test('backendRef filters: a mirror is left out and a header clash keeps the rule change, both warned', (t) => {
  const rule = {
    filters: [
      { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Tier', value: 'gold' }] } },
    ],
    backendRefs: [
      {
        name: 'web',
        port: 80,
        filters: [
          {
            type: 'RequestHeaderModifier',
            requestHeaderModifier: {
              set: [
                { name: 'x-tier', value: 'silver' },
                { name: 'x-own', value: '1' },
              ],
            },
          },
          { type: 'RequestMirror', requestMirror: { backendRef: { name: 'web', port: 80 } } },
        ],
      },
    ],
  };
  const d = translate(
    {
      services: [service('web')],
      httpRoutes: [httpRoute('r', { parentRefs: [parent('web')], rules: [rule] } as never)],
      grpcRoutes: [],
    },
    OPTIONS,
  );
  t.is(conditionOf(d, 'r', 'PartiallyInvalid'), undefined);
  const action = d.httpRoutes[0].rules?.[0].action;
  t.deepEqual(action?.requestHeaderModifier, { set: { 'X-Tier': 'gold' } });
  t.deepEqual(action?.destinations?.[0].requestHeaderModifier, { set: { 'x-own': '1' } });
  const warnings = d.statuses[0].warnings ?? [];
  t.true(warnings.some((w) => /backendRef web changes header x-tier that the rule also changes/.test(w)));
  t.true(warnings.some((w) => /the RequestMirror of backendRef web is not applied/.test(w)));
});
