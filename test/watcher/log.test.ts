// Log lines: JSON with severity/message and the component label for Cloud Logging, or readable text.
import test from 'ava';
import { formatLine, makeLogger } from '../../watcher/log.ts';
import { LABELS_KEY } from '../../shared/log/index.ts';

const at = new Date('2026-11-26T10:00:00.000Z');

test('json lines carry severity, message, time, the component label and fields', (t) => {
  const line = formatLine('json', at, 'ERROR', 'snapshot too large', { parent: 'c/ns/svc' });
  t.deepEqual(JSON.parse(line), {
    severity: 'ERROR',
    message: 'snapshot too large',
    time: '2026-11-26T10:00:00.000Z',
    [LABELS_KEY]: { component: 'watcher' },
    parent: 'c/ns/svc',
  });
});

test('text lines are readable', (t) => {
  t.is(
    formatLine('text', at, 'INFO', 'route event published', { parent: 'c/ns/svc', reason: ['resync'] }),
    '2026-11-26T10:00:00.000Z INFO    route event published component=watcher parent=c/ns/svc reason=["resync"]',
  );
});

test('the minimum severity filters lines; with() adds labels', (t) => {
  const lines: string[] = [];
  const log = makeLogger('json', (l) => lines.push(l), 'WARNING');
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.with({ parent: 'c/ns/a' }).error('e');
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  t.deepEqual(
    parsed.map((l) => l.severity),
    ['WARNING', 'ERROR'],
  );
  t.deepEqual(parsed[1][LABELS_KEY], { component: 'watcher', parent: 'c/ns/a' });
});
