// Checks every support-matrix row against the translator (and, where the row carries a request,
// against the spec model), and that docs/support-matrix.md is exactly what the rows render.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Condition, GRPCRoute, HTTPRoute, Service } from '../../shared/gamma/types.ts';
import { translate } from '../../shared/translate/index.ts';
import type { Desired } from '../../shared/translate/types.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { DIFF_OPTIONS, SERVICES, acceptedPart } from '../support/diff-arbitraries.ts';
import { evaluateGamma } from '../support/evaluate-gamma.ts';
import { evaluateNs } from '../support/evaluate-ns.ts';
import { diffOutcomes, type MeshRequest } from '../support/request.ts';
import { MATRIX, renderSupportMatrix, type MatrixRow } from '../support/support-matrix-data.ts';
import { STREAM_ROWS, type StreamRow } from '../support/support-matrix-stream.ts';
import { evaluateGammaConnection } from '../support/evaluate-gamma-stream.ts';
import { evaluateNsConnection } from '../support/evaluate-ns-stream.ts';
import { diffConnections } from '../support/connection.ts';

const DOC = path.join(REPO_ROOT, 'docs/support-matrix.md');
const OTHER_NS: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'b9', namespace: 'o' },
  spec: { ports: [{ port: 80 }] },
};
const services = [...SERVICES, OTHER_NS];

function routeOf(row: MatrixRow): HTTPRoute | GRPCRoute {
  const port = row.kind === 'GRPCRoute' ? { port: 7070 } : {};
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: row.kind,
    metadata: { name: row.id, namespace: 'd', ...row.metadata },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'svc', ...port }],
      rules: [row.rule],
      ...row.spec,
    },
  } as HTTPRoute | GRPCRoute;
}

function requestOf(row: MatrixRow): MeshRequest {
  const base: MeshRequest =
    row.kind === 'GRPCRoute'
      ? {
          protocol: 'grpc',
          clientNamespace: 'd',
          host: 'svc',
          port: 7070,
          grpc: { service: 'pkg.Echo', method: 'Call' },
        }
      : { protocol: 'http', clientNamespace: 'd', host: 'svc', port: 80, path: '/' };
  return { ...base, ...row.request };
}

function conditions(desired: Desired) {
  return desired.statuses.flatMap((s) => s.parents.flatMap((p) => p.conditions));
}

for (const row of MATRIX) {
  test(`${row.kind} ${row.id}: ${row.support} — ${row.field}`, (t) => {
    const route = routeOf(row);
    const objects = {
      services,
      httpRoutes: route.kind === 'HTTPRoute' ? [route] : [],
      grpcRoutes: route.kind === 'GRPCRoute' ? [route] : [],
    };
    const desired = translate(objects, DIFF_OPTIONS);
    const conds = conditions(desired);
    const accepted = conds.find((c) => c.type === 'Accepted');
    const partial = conds.find((c) => c.type === 'PartiallyInvalid' && c.status === 'True');
    if (row.support === 'rejected') {
      const rejection = [accepted?.status === 'False' ? accepted : undefined, partial].find(Boolean);
      t.truthy(rejection, `expected a rejection, got ${JSON.stringify(conds)}`);
      t.true(
        rejection!.message.includes(row.status ?? '\u0000'),
        `status message ${JSON.stringify(rejection!.message)} lacks ${JSON.stringify(row.status)}`,
      );
      return;
    }
    t.is(accepted?.status, 'True', JSON.stringify(conds));
    t.falsy(partial, partial?.message);
    if (row.status)
      t.true(
        conds.some((c) => c.message.includes(row.status!)),
        `no condition message carries ${JSON.stringify(row.status)}: ${JSON.stringify(conds)}`,
      );
    t.true(desired.httpRoutes.length + desired.grpcRoutes.length > 0, 'no Network Services route emitted');
    if (row.support === 'supported' && row.request) {
      const req = requestOf(row);
      const gamma = evaluateGamma(acceptedPart(objects, desired), req);
      t.not(gamma.kind, 'passthrough', 'the row request must reach the route');
      t.deepEqual(diffOutcomes(evaluateNs(desired, req), gamma), []);
    }
  });
}

/** The row route's status conditions, as translated. */
function streamConditions(row: StreamRow): { desired?: Desired; conditions: Condition[] } {
  const desired = translate(
    { httpRoutes: [], grpcRoutes: [], ...row.objects, services: row.objects.services },
    DIFF_OPTIONS,
  );
  const status = desired.statuses.find((s) => s.name === row.check.route);
  return { desired, conditions: status?.parents.flatMap((p) => p.conditions) ?? [] };
}

for (const row of STREAM_ROWS) {
  test(`${row.section} ${row.id}: ${row.support} — ${row.field}`, (t) => {
    const { desired, conditions: conds } = streamConditions(row);
    const accepted = conds.find((c) => c.type === 'Accepted');
    t.is(accepted?.status, row.check.accepted ? 'True' : 'False', JSON.stringify(conds));
    if (row.support === 'rejected') t.not(accepted?.reason, 'Conflicted', 'a rejection, not a lost conflict');
    if (row.check.status)
      t.true(
        conds.some((c) => c.message.includes(row.check.status!)),
        `no condition message carries ${JSON.stringify(row.check.status)}: ${JSON.stringify(conds)}`,
      );
    if (desired && row.connection) {
      const gamma = evaluateGammaConnection(row.objects, row.connection);
      t.is(gamma.kind, 'routed', 'the row connection must reach a TCP or TLS route');
      t.deepEqual(diffConnections(evaluateNsConnection(desired, row.connection), gamma), []);
    }
  });
}

test('rows have unique ids and every support level is used', (t) => {
  const ids = [...MATRIX.map((r) => r.id), ...STREAM_ROWS.map((r) => r.id)];
  t.is(new Set(ids).size, ids.length);
  for (const s of ['supported', 'approximated', 'rejected'])
    t.true(
      MATRIX.some((r) => r.support === s),
      s,
    );
  t.true(MATRIX.filter((r) => r.support === 'rejected').every((r) => !!r.status));
});

test('docs/support-matrix.md is generated from the rows', (t) => {
  const rendered = renderSupportMatrix();
  if (process.env.UPDATE_SUPPORT_MATRIX) writeFileSync(DOC, rendered);
  t.is(
    readFileSync(DOC, 'utf8'),
    rendered,
    'regenerate with UPDATE_SUPPORT_MATRIX=1 npx ava test/conformance/support-matrix.test.ts',
  );
});
