// Runs the mesh conformance corpus through parse -> translate -> evaluateNs (the runner's core) and
// fails on any failure that is neither a documented Network Services limit nor a pinned translator gap.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import {
  DEFAULT_CASES_FILE,
  KNOWN_TRANSLATOR_GAPS,
  NS_LIMITS,
  loadCorpus,
  runConformance,
  unexpectedFailures,
} from '../support/conformance-core.ts';
import type { Corpus } from '../support/conformance-checks.ts';
import { REPO_ROOT } from '../support/cli.ts';

const corpus = loadCorpus(DEFAULT_CASES_FILE);
const normal = runConformance(corpus);
const strict = runConformance(corpus, { strict: true });

const failedIds = (r: typeof normal) => unexpectedFailures(r).map((f) => f.split(':')[0]);

test('no unexpected failures: only pinned translator gaps fail (verified and strict)', (t) => {
  const gaps = KNOWN_TRANSLATOR_GAPS.map((g) => g.caseId).sort();
  t.deepEqual(failedIds(normal).sort(), gaps, unexpectedFailures(normal).join('\n'));
  t.deepEqual(failedIds(strict).sort(), gaps, unexpectedFailures(strict).join('\n'));
});

test('every corpus case ran and the spec model (evaluateGamma) agrees with every strict expectation', (t) => {
  const cases = corpus.tests.reduce((n, x) => n + (x.cases?.length ?? 0), 0);
  t.is(strict.tests.flatMap((x) => x.cases).length, cases);
  t.true(cases >= 80);
  const mismatches = strict.tests.flatMap((x) => x.cases).filter((c) => c.gamma.length > 0);
  t.deepEqual(
    mismatches.map((c) => `${c.id}: ${c.gamma.map((f) => f.message).join('; ')}`),
    [],
  );
});

test('UNSUPPORTED is used only for the listed Network Services limits, and rejections show in status', (t) => {
  for (const x of strict.tests) {
    for (const c of x.cases.filter((cc) => cc.verdict === 'UNSUPPORTED')) {
      t.truthy(
        NS_LIMITS.find((l) => l.test === x.name && (!l.caseId || l.caseId === c.id)),
        c.id,
      );
      // Host-based routing needs no rejection; every other NS limit must be visible in route status.
      if (x.name !== 'MeshFrontendHostname')
        t.true(x.rejections.length > 0, `${c.id} has no rejection in status`);
    }
  }
  t.true(strict.totals.PASS >= 19);
});

function runScript(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import=tsx', path.join(REPO_ROOT, 'scripts/conformance.ts'), ...args],
      { cwd: REPO_ROOT },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('the script reads --cases, writes the markdown report and exits 1 on a failing case', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'conformance-'));
  const broken = parse(readFileSync(DEFAULT_CASES_FILE, 'utf8')) as Corpus;
  broken.tests = broken.tests.filter((x) => x.name === 'MeshTrafficSplit');
  const verified = broken.tests[0].cases![0].expect.verified!;
  verified.backend_pod_name_prefix = 'echo-v2'; // /v1 really goes to echo-v1
  const file = path.join(dir, 'cases.yaml');
  writeFileSync(file, stringify(broken));
  const out = path.join(dir, 'report.md');
  const run = await runScript(['--cases', file, '--out', out]);
  t.is(run.code, 1, run.stderr);
  t.regex(run.stdout, /FAIL\s+MeshTrafficSplit\/0 backend_pod_name_prefix/);
  t.regex(run.stdout, /PASS\s+MeshTrafficSplit\/1/);
  const md = readFileSync(out, 'utf8');
  t.regex(md, /\| MeshTrafficSplit \| Mesh, HTTPRoute \| FAIL \| 1\/2 pass, 1 fail \|/);

  broken.tests[0].cases![0].expect.verified!.backend_pod_name_prefix = 'echo-v1';
  writeFileSync(file, stringify(broken));
  const ok = await runScript(['--cases', file, '--no-write']);
  t.is(ok.code, 0, ok.stderr);
});
