import test from 'ava';
import { convertTimeoutsAndRetry, retryConditions } from '../../shared/translate/timeouts-retry.ts';
import { convertSessionPersistence } from '../../shared/translate/session.ts';
import { parseGatewayDuration, protoDuration } from '../../shared/translate/util.ts';
import { translate } from '../../shared/translate/index.ts';
import { OPTIONS, httpRoute, parent, service } from './support.ts';

test('durations: Gateway API -> protobuf JSON', (t) => {
  t.is(parseGatewayDuration('1h30m'), 5_400_000);
  t.is(parseGatewayDuration('500ms'), 500);
  t.is(parseGatewayDuration('1.5s'), undefined);
  t.is(protoDuration(5_400_000), '5400s');
  t.is(protoDuration(2500), '2.5s');
  t.is(protoDuration(1), '0.001s');
  t.is(protoDuration(0), '0s');
});

const timeouts: [string, object, object][] = [
  ['request only', { timeouts: { request: '10s' } }, { timeout: '10s', warnings: [] }],
  [
    'backendRequest caps the single attempt without retries',
    { timeouts: { request: '10s', backendRequest: '2s' } },
    { timeout: '2s', warnings: [] },
  ],
  ['0s disables', { timeouts: { request: '0s' } }, { timeout: '0s', warnings: [] }],
  [
    'retry with backendRequest as per-try timeout',
    {
      timeouts: { request: '10s', backendRequest: '2s' },
      retry: { codes: [500, 502, 503, 504], attempts: 2 },
    },
    {
      timeout: '10s',
      retryPolicy: {
        retryConditions: ['5xx', 'connect-failure', 'refused-stream'],
        numRetries: 2,
        perTryTimeout: '2s',
      },
      warnings: ['retry also retries every other 5xx code (Network Services has no per-code retry list)'],
    },
  ],
  [
    'gateway errors exactly',
    { retry: { codes: [502, 503, 504, 409] } },
    {
      retryPolicy: {
        retryConditions: ['gateway-error', 'retriable-4xx', 'connect-failure', 'refused-stream'],
        numRetries: 1,
      },
      warnings: [],
    },
  ],
  ['attempts 0 means no retry policy', { retry: { codes: [503], attempts: 0 } }, { warnings: [] }],
];
for (const [name, rule, expected] of timeouts) {
  test(`timeouts/retry: ${name}`, (t) =>
    t.deepEqual(convertTimeoutsAndRetry(rule), { ok: true, value: expected }));
}

test('retry codes outside 5xx/409 are not retried (warned), the rest still are; backoff warns', (t) => {
  const only429 = retryConditions([429]);
  t.deepEqual(only429.conditions, ['connect-failure', 'refused-stream']);
  t.regex(only429.missing, /codes 429 are not retried/);
  const mixed = convertTimeoutsAndRetry({ retry: { codes: [429, 503], attempts: 2 } });
  t.true(mixed.ok);
  if (mixed.ok) {
    t.deepEqual(mixed.value.retryPolicy?.retryConditions, [
      'gateway-error',
      'connect-failure',
      'refused-stream',
    ]);
    t.true(mixed.value.warnings.some((w) => w.includes('codes 429 are not retried')));
  }
  const result = convertTimeoutsAndRetry({ retry: { codes: [503], backoff: '100ms' } });
  t.true(result.ok && result.value.warnings.some((w) => w.includes('backoff')));
});

test('session persistence: cookie TTL, session cookie, approximations with warnings', (t) => {
  t.deepEqual(convertSessionPersistence({ absoluteTimeout: '1h' }), {
    ok: true,
    value: { cookieTtl: '3600s', warnings: [] },
  });
  t.deepEqual(convertSessionPersistence({ type: 'Cookie' }), {
    ok: true,
    value: { cookieTtl: '0s', warnings: [] },
  });
  const header = convertSessionPersistence({ type: 'Header' });
  t.true(
    header.ok && header.value?.cookieTtl === undefined && /not applied/.test(header.value?.warnings[0] ?? ''),
  );
  const idle = convertSessionPersistence({ idleTimeout: '1m' });
  t.true(idle.ok && idle.value?.cookieTtl === '0s' && /idleTimeout is ignored/.test(idle.value.warnings[0]));
  const long = convertSessionPersistence({ absoluteTimeout: '25h' });
  t.true(long.ok && long.value?.cookieTtl === '86400s' && /capped at 24h/.test(long.value.warnings[0]));
  const named = convertSessionPersistence({ sessionName: 'mine' });
  t.true(named.ok && named.value?.warnings.length === 1);
});

test('an unresolved backend share (abort) with a timeout or retry: the status names the rule and what is lost', (t) => {
  const route = httpRoute('r', {
    parentRefs: [parent('svc')],
    rules: [
      { backendRefs: [{ name: 'svc', port: 80 }], timeouts: { request: '5s' } },
      {
        name: 'canary',
        matches: [{ path: { type: 'PathPrefix', value: '/c' } }],
        backendRefs: [
          { name: 'svc', port: 80, weight: 3 },
          { name: 'gone', port: 80, weight: 1 },
        ],
        timeouts: { request: '5s' },
        retry: { attempts: 2, codes: [503] },
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/d' } }],
        backendRefs: [
          { name: 'svc', port: 80 },
          { name: 'gone', port: 80 },
        ],
      },
    ],
  });
  const desired = translate({ services: [service('svc')], httpRoutes: [route], grpcRoutes: [] }, OPTIONS);
  const conditions = desired.statuses[0].parents[0].conditions;
  const messages = conditions.map((c) => c.message).join(' | ');
  t.regex(
    messages,
    /Rule 1 "canary" \(spec\.rules\[1\]\): its timeouts and retry do not apply while a backendRef is unresolved/,
  );
  t.notRegex(messages, /Rule 0 .*do not apply/, 'no abort in rule 0');
  t.notRegex(messages, /Rule 2 .*do not apply/, 'rule 2 has no timeout or retry to lose');
  const canary = desired.httpRoutes[0].rules!.find((r) => r.action?.faultInjectionPolicy)!;
  t.is(canary.action!.faultInjectionPolicy!.abort!.percentage, 25);
  t.is(canary.action!.timeout, '5s', 'the timeout is still written');
});
