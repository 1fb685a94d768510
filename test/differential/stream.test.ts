// Differential property test for TCPRoute and TLSRoute: for random routes of every kind on one parent
// Service and connections aimed at its ports, evaluateNsConnection(translate(objects)) must equal
// evaluateGammaConnection(objects), up to what status says is not programmed and the documented
// deviations (test/support/diff-stream-arbitraries.ts). DIFF_RUNS (default 1000); DIFF_SEED reproduces.
import test from 'ava';
import fc from 'fast-check';
import { compareStreamCase, describeStreamCase, streamCases } from '../support/diff-stream-arbitraries.ts';

const RUNS = Number(process.env.DIFF_RUNS ?? 1000);
const SEED = process.env.DIFF_SEED ? Number(process.env.DIFF_SEED) : undefined;

test('TCPRoute/TLSRoute: translate + evaluateNsConnection == evaluateGammaConnection', (t) => {
  const stats: Record<string, number> = { cases: 0, passthrough: 0, routed: 0 };
  const property = fc.property(streamCases, (c) => {
    const r = compareStreamCase(c);
    stats.cases++;
    const kind = r.allowed ?? (r.gamma?.kind === 'passthrough' ? 'passthrough' : 'routed');
    stats[kind] = (stats[kind] ?? 0) + 1;
    return r.diffs.length === 0;
  });
  const details = fc.check(property, { numRuns: RUNS, seed: SEED });
  t.log(JSON.stringify(stats));
  if (details.failed && details.counterexample)
    t.fail(
      [
        `differential failure after ${details.numRuns} runs (seed ${details.seed}; DIFF_SEED=${details.seed} reproduces)`,
        details.errorInstance ? `error: ${String(details.errorInstance)}` : '',
        describeStreamCase(details.counterexample[0]),
      ].join('\n'),
    );
  t.is(stats.cases, RUNS);
  // The generator must aim well: most connections should be routed by a TcpRoute or TlsRoute.
  t.true(stats.routed > RUNS / 3, JSON.stringify(stats));
});
