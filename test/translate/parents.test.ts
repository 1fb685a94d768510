import test from 'ava';
import { selectParent } from '../../shared/translate/parents.ts';
import type { Service } from '../../shared/gamma/types.ts';

const services: Record<string, Service> = {
  'ns/web': {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'ns' },
    spec: {
      ports: [
        { name: 'http', port: 80 },
        { name: 'grpc', port: 7070, appProtocol: 'grpc' },
        { name: 'https', port: 443 },
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'db', port: 5432, appProtocol: 'tcp' },
      ],
    },
  },
};
const find = (ns: string, name: string) => services[`${ns}/${name}`];

const table: [string, object, number[] | RegExp][] = [
  ['no port: every HTTP-capable TCP port', {}, [80, 7070]],
  ['port selects by number', { port: 443 }, [443]],
  ['sectionName selects by name', { sectionName: 'grpc' }, [7070]],
  ['both must agree', { sectionName: 'grpc', port: 80 }, /no TCP port named grpc and number 80/],
  ['UDP ports are never selected', { port: 53 }, /no TCP port/],
  ['unknown port', { port: 1 }, /no TCP port/],
  ['missing Service', { name: 'nope' }, /not found/],
  ['consumer route', { namespace: 'other' }, /consumer routes/],
];

for (const [name, extra, expected] of table) {
  test(`parent selection: ${name}`, (t) => {
    const selection = selectParent({ group: '', kind: 'Service', name: 'web', ...extra }, 'ns', find);
    if (Array.isArray(expected)) {
      t.true(selection.ok);
      if (selection.ok)
        t.deepEqual(
          selection.ports.map((p) => p.port),
          expected,
        );
    } else {
      t.false(selection.ok);
      if (!selection.ok) t.regex(selection.problem.message, expected);
    }
  });
}

test('implicit selection reports the skipped non-HTTP ports', (t) => {
  const selection = selectParent({ group: '', kind: 'Service', name: 'web' }, 'ns', find);
  t.true(selection.ok && selection.skipped.map((p) => p.port).join() === '443,5432');
});
