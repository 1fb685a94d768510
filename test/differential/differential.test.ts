// Differential property tests: for random valid GAMMA routes and requests aimed at them,
// evaluateNs(translate(objects)) must equal evaluateGamma(objects), except where route status says
// a route or rule was dropped (then equality must hold for the part status says is implemented).
// Runs: DIFF_RUNS (default 1000) per property; DIFF_SEED reproduces a run.
import test from 'ava';
import fc from 'fast-check';
import {
  SERVICES,
  compareCase,
  describeCase,
  grpcRequestFor,
  grpcRoutes,
  httpRoutes,
  requestKnobs,
  aimRequest,
  type DiffCase,
} from '../support/diff-arbitraries.ts';

const RUNS = Number(process.env.DIFF_RUNS ?? 1000);
const SEED = process.env.DIFF_SEED ? Number(process.env.DIFF_SEED) : undefined;

const httpCases: fc.Arbitrary<DiffCase> = fc.tuple(httpRoutes, requestKnobs).map(([routes, knobs]) => ({
  objects: { services: SERVICES, httpRoutes: routes, grpcRoutes: [] },
  request: aimRequest(routes, knobs),
}));

const grpcCases: fc.Arbitrary<DiffCase> = fc.tuple(grpcRoutes, grpcRequestFor()).map(([routes, request]) => ({
  objects: { services: SERVICES, httpRoutes: [], grpcRoutes: routes },
  request,
}));

function runProperty(arb: fc.Arbitrary<DiffCase>) {
  const stats = { cases: 0, rejected: 0, passthrough: 0, notFound: 0, routed: 0 };
  const property = fc.property(arb, (c) => {
    const r = compareCase(c);
    stats.cases++;
    if (r.rejected) stats.rejected++;
    if (r.gamma?.kind === 'passthrough') stats.passthrough++;
    else if (r.gamma?.outcomes.every((o) => o.status === 404)) stats.notFound++;
    else stats.routed++;
    return r.diffs.length === 0;
  });
  const details = fc.check(property, { numRuns: RUNS, seed: SEED });
  return { details, stats };
}

function report(details: fc.RunDetails<[DiffCase]>): string {
  if (!details.failed || !details.counterexample) return '';
  return [
    `differential failure after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath}; DIFF_SEED=${details.seed} reproduces)`,
    details.errorInstance ? `error: ${String(details.errorInstance)}` : '',
    describeCase(details.counterexample[0]),
  ].join('\n');
}

test('HTTPRoute: translate + evaluateNs == evaluateGamma', (t) => {
  const { details, stats } = runProperty(httpCases);
  t.log(`${JSON.stringify(stats)}`);
  if (details.failed) t.fail(report(details));
  t.is(stats.cases, RUNS);
  // The generator must aim well: most requests should reach a rule, not 404 or pass through.
  t.true(stats.routed > stats.cases / 3, JSON.stringify(stats));
});

test('GRPCRoute: translate + evaluateNs == evaluateGamma', (t) => {
  const { details, stats } = runProperty(grpcCases);
  t.log(`${JSON.stringify(stats)}`);
  if (details.failed) t.fail(report(details));
  t.is(stats.cases, RUNS);
  t.true(stats.routed > stats.cases / 3, JSON.stringify(stats));
});
