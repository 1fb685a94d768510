// TcpRoutes and TlsRoutes go through the planner like the other route kinds: created, compared in
// their normalized form (API defaults and spellings), updated by mask, deleted when owned and no
// longer desired, refused when someone else owns the id, and listed in the plan text.
import test from 'ava';
import { diffFields, isEmptyPlan, normalize, plan, planPhases } from '../../shared/plan/index.ts';
import { formatPlanText, planJson } from '../../shared/plan/format.ts';
import { LABEL_CLUSTER } from '../../shared/translate/types.ts';
import { OPTS, actual, asListed, desired, httpRoute, mesh, tcpRoute, tlsRoute } from './builders.ts';

test('steady state: listed TcpRoutes and TlsRoutes plan nothing', (t) => {
  const d = desired({ tcpRoutes: [tcpRoute('db')], tlsRoutes: [tlsRoute('web')] });
  const a = actual({
    tcpRoutes: d.tcpRoutes.map((r) => asListed(r, 'tcpRoutes')),
    tlsRoutes: d.tlsRoutes.map((r) => asListed(r, 'tlsRoutes')),
  });
  const p = plan(d, a, OPTS);
  t.true(isEmptyPlan(p));
  t.is(p.unchanged, 2);
});

test('new TcpRoutes and TlsRoutes are created and shown in the plan text and JSON', (t) => {
  const p = plan(desired({ tcpRoutes: [tcpRoute('db')], tlsRoutes: [tlsRoute('web')] }), actual(), OPTS);
  t.deepEqual(
    p.creates.map((c) => `${c.kind}/${c.id}`),
    ['tcpRoutes/db', 'tlsRoutes/web'],
  );
  const text = formatPlanText(p);
  t.regex(text, /^\+ create tcpRoutes\/db$/m);
  t.regex(text, /^\+ create tlsRoutes\/web$/m);
  t.regex(text, /^Plan: 2 to create, 0 to update, 0 to delete, 0 refused\.$/m);
  t.like(planJson(p), { summary: { create: 2, changes: true } });
});

test('a changed weight split updates only the rules of the TcpRoute', (t) => {
  const changed = tcpRoute('db');
  changed.rules![0].action!.destinations![0].weight = 50;
  changed.rules![0].action!.destinations![1].weight = 50;
  const p = plan(
    desired({ tcpRoutes: [changed] }),
    actual({ tcpRoutes: [asListed(tcpRoute('db'), 'tcpRoutes')] }),
    OPTS,
  );
  t.is(p.updates.length, 1);
  t.is(p.updates[0].kind, 'tcpRoutes');
  t.deepEqual(p.updates[0].updateMask, ['rules']);
  t.regex(formatPlanText(p), /^~ update tcpRoutes\/db\n {4}rules: .*"weight":90.* -> .*"weight":50/m);
});

test('TcpRoute: the API defaults (30 s idle timeout, a bare IP as /32, no originalDestination) equal absence', (t) => {
  const want = tcpRoute('db');
  const have = structuredClone(want);
  have.rules![0].matches![0].address = '10.0.0.12';
  have.rules![0].action!.idleTimeout = '30.000s';
  have.rules![0].action!.originalDestination = false;
  t.deepEqual(diffFields('tcpRoutes', want, have), []);
  const longer = structuredClone(want);
  longer.rules![0].action!.idleTimeout = '60s';
  t.deepEqual(
    diffFields('tcpRoutes', longer, have).map((d) => d.field),
    ['rules'],
  );
  // Another address is another route, however it is spelled.
  have.rules![0].matches![0].address = '10.0.0.13';
  t.deepEqual(
    diffFields('tcpRoutes', want, have).map((d) => d.field),
    ['rules'],
  );
});

test('TlsRoute: sniHost and alpn are sets, the 1 h idle timeout is the default', (t) => {
  const want = tlsRoute('web');
  want.rules![0].matches![0].alpn = ['h2', 'http/1.1'];
  const have = structuredClone(want);
  have.rules![0].matches![0].sniHost = [...want.rules![0].matches![0].sniHost!].reverse();
  have.rules![0].matches![0].alpn = ['http/1.1', 'h2'];
  have.rules![0].action!.idleTimeout = '3600s';
  t.deepEqual(diffFields('tlsRoutes', want, have), []);
  // TlsRoute has no hostnames: a stray one is not a writable field and never compared.
  t.false('hostnames' in normalize('tlsRoutes', { ...want, hostnames: ['x'] } as never));
  have.rules![0].matches![0].sniHost = ['other.example.com'];
  t.deepEqual(
    diffFields('tlsRoutes', want, have).map((d) => d.field),
    ['rules'],
  );
});

test('owned TcpRoutes and TlsRoutes no longer desired are deleted before writes; others are never touched', (t) => {
  const theirs = tcpRoute('theirs', { labels: { 'managed-by': 'gamma-csm', [LABEL_CLUSTER]: 'c2' } });
  const unlabelled = tlsRoute('user', { labels: { team: 'x' } });
  const a = actual({
    tcpRoutes: [tcpRoute('gone'), theirs],
    tlsRoutes: [tlsRoute('old'), unlabelled],
  });
  const p = plan(desired({ httpRoutes: [httpRoute('h')] }), a, OPTS);
  t.deepEqual(
    p.deletes.map((d) => `${d.kind}/${d.id}`),
    ['tcpRoutes/gone', 'tlsRoutes/old'],
  );
  p.deletes.push({ kind: 'meshes', id: 'm', name: 'm', body: mesh() });
  t.deepEqual(
    planPhases(p).map((ph) => ph.map((s) => `${s.action} ${s.item.kind}/${s.item.id}`)),
    [['delete tcpRoutes/gone', 'delete tlsRoutes/old'], ['create httpRoutes/h'], ['delete meshes/m']],
  );
  t.regex(formatPlanText(p), /^- delete tlsRoutes\/old$/m);
});

test('a TcpRoute id held by another cluster is refused; an unlabelled TlsRoute is adopted only with --adopt', (t) => {
  const theirs = tcpRoute('db', { labels: { 'managed-by': 'gamma-csm', [LABEL_CLUSTER]: 'c2' } });
  const user = tlsRoute('web', { labels: { team: 'x' } });
  const d = desired({ tcpRoutes: [tcpRoute('db')], tlsRoutes: [tlsRoute('web')] });
  const refused = plan(d, actual({ tcpRoutes: [theirs], tlsRoutes: [user] }), OPTS);
  t.deepEqual(
    refused.refused.map((r) => `${r.kind}/${r.id}`),
    ['tcpRoutes/db', 'tlsRoutes/web'],
  );
  t.regex(formatPlanText(refused), /^! refused tcpRoutes\/db \(owned by another cluster/m);
  const adopted = plan(d, actual({ tcpRoutes: [theirs], tlsRoutes: [user] }), { ...OPTS, adopt: true });
  t.deepEqual(
    adopted.updates.map((u) => `${u.kind}/${u.id}`),
    ['tlsRoutes/web'],
  );
  t.deepEqual(
    adopted.refused.map((r) => `${r.kind}/${r.id}`),
    ['tcpRoutes/db'],
  );
});

test('scope limits TcpRoute deletes to the given parents; duplicate TlsRoute ids are an error', (t) => {
  const a = actual({ tcpRoutes: [tcpRoute('a'), tcpRoute('b')] });
  const p = plan(desired(), a, { ...OPTS, scope: { parentKeys: ['ns-a'] } });
  t.deepEqual(
    p.deletes.map((d) => d.id),
    ['a'],
  );
  const dup = plan(desired({ tlsRoutes: [tlsRoute('x'), tlsRoute('x')] }), actual(), OPTS);
  t.deepEqual(dup.errors, ['desired tlsRoutes/x appears twice']);
});

test('the delete guard counts TcpRoutes and TlsRoutes with the other owned routes', (t) => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const a = actual({ tcpRoutes: ids.map((i) => tcpRoute(`t${i}`)), tlsRoutes: [tlsRoute('kept')] });
  const p = plan(desired({ tlsRoutes: [tlsRoute('kept')] }), a, OPTS);
  t.is(p.deletes.length, 0);
  t.is(p.refused.length, 6);
  t.regex(p.refused[0].reason, /would delete 6 of 7 owned resources/);
});
