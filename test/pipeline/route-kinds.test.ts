// The pipeline's per-kind handling of Network Services routes goes through the one table of route
// collections (shared/netsvc/kinds.ts): TcpRoutes and TlsRoutes get their sequence labels carried,
// stamped and bounded, and are remembered after a write, exactly as HttpRoutes are.
import test from 'ava';
import { allRoutes, noRoutes, ROUTE_COLLECTIONS } from '../../shared/netsvc/kinds.ts';
import { emptyPlan } from '../../shared/plan/index.ts';
import { routesAfter } from '../../shared/pipeline/index.ts';
import type { ParentResourceId } from '../../shared/pipeline/parent-scope.ts';
import {
  appliedSequence,
  boundSequences,
  carrySequences,
  LABEL_SEQUENCE,
  LABEL_SNAPSHOT,
  stampAll,
} from '../../shared/pipeline/sequence-labels.ts';
import { actual, desired, tcpRoute, tlsRoute } from '../plan/builders.ts';

const labelled = (sequence: string, digest: string) => ({
  [LABEL_SEQUENCE]: sequence,
  [LABEL_SNAPSHOT]: digest,
});

test('every route collection is in the table once, with an empty list in noRoutes()', (t) => {
  t.deepEqual([...ROUTE_COLLECTIONS], ['httpRoutes', 'grpcRoutes', 'tcpRoutes', 'tlsRoutes']);
  t.deepEqual(noRoutes(), { httpRoutes: [], grpcRoutes: [], tcpRoutes: [], tlsRoutes: [] });
});

test('carrySequences: live labels of a TcpRoute and a TlsRoute carry over, new ones get the fresh label', (t) => {
  const live = actual({
    tcpRoutes: [tcpRoute('db', { labels: { ...tcpRoute('db').labels, ...labelled('50', 'd1') } })],
    tlsRoutes: [tlsRoute('web', { labels: { ...tlsRoute('web').labels, ...labelled('40', 'd0') } })],
  });
  t.is(appliedSequence(allRoutes(live)), '50');
  const d = desired({ tcpRoutes: [tcpRoute('db'), tcpRoute('new')], tlsRoutes: [tlsRoute('web')] });
  const carried = carrySequences(d, live, { sequence: '60', digest: 'd2' });
  t.like(carried.tcpRoutes[0].labels, labelled('50', 'd1'));
  t.like(carried.tcpRoutes[1].labels, labelled('60', 'd2'));
  t.like(carried.tlsRoutes[0].labels, labelled('40', 'd0'));
  // A label is looked up in its own collection: a TlsRoute with a TcpRoute's id carries nothing.
  const sameId = carrySequences(desired({ tlsRoutes: [tlsRoute('db')] }), live);
  t.is(sameId.tlsRoutes[0].labels?.[LABEL_SEQUENCE], undefined);
});

test('stampAll and boundSequences reach TcpRoutes and TlsRoutes', (t) => {
  const stamped = stampAll(
    desired({ tcpRoutes: [tcpRoute('db')], tlsRoutes: [tlsRoute('web')] }),
    '70',
    'd3',
  );
  t.like(stamped.tcpRoutes[0].labels, labelled('70', 'd3'));
  t.like(stamped.tlsRoutes[0].labels, labelled('70', 'd3'));
  const bounded = boundSequences(stampAll(desired({ tlsRoutes: [tlsRoute('web')] }), '999', 'd'), '100');
  t.is(
    bounded.tlsRoutes[0].labels?.[LABEL_SEQUENCE],
    '100',
    'a label the cluster cannot have issued is reset',
  );
});

test('routesAfter remembers TcpRoute and TlsRoute writes and reads by collection', (t) => {
  const ids = [
    { kind: 'tcpRoutes', id: 'db', port: 5432 },
    { kind: 'tlsRoutes', id: 'web', port: 443 },
    { kind: 'tcpRoutes', id: 'gone', port: 5433 },
  ] satisfies ParentResourceId[];
  const p = emptyPlan();
  p.creates.push({
    kind: 'tcpRoutes',
    id: 'db',
    name: tcpRoute('db').name!,
    body: tcpRoute('db', { description: 'new' }),
  });
  p.deletes.push({ kind: 'tcpRoutes', id: 'gone', name: tcpRoute('gone').name!, body: tcpRoute('gone') });
  const after = routesAfter(ids, actual({ tlsRoutes: [tlsRoute('web')], tcpRoutes: [tcpRoute('gone')] }), p);
  t.deepEqual(
    after.map((r) => `${r.kind}/${r.id}: ${r.body ? (r.body.description ?? '') : 'null'}`),
    ['tcpRoutes/db: new', `tlsRoutes/web: ${tlsRoute('web').description}`, 'tcpRoutes/gone: null'],
  );
});
