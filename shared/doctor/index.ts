// Every doctor check, in the order a person debugging traffic would look (docs/cli.md).
import { checkBackendServices, checkMesh, checkRoutesInSync } from './checks.ts';
import { checkNamespaceInjection, checkNegAnnotations, checkOtherControllers } from './checks-cluster.ts';
import { checkFirewall, checkIam, checkWatcher } from './checks-env.ts';
import type { CheckResult, DoctorFacts } from './types.ts';

export const CHECKS: readonly ((f: DoctorFacts) => CheckResult)[] = [
  checkMesh,
  checkRoutesInSync,
  checkNegAnnotations,
  checkBackendServices,
  checkFirewall,
  checkIam,
  checkNamespaceInjection,
  checkWatcher,
  checkOtherControllers,
];

export function runChecks(f: DoctorFacts): CheckResult[] {
  return CHECKS.map((c) => c(f));
}

export function anyFailed(results: CheckResult[]): boolean {
  return results.some((r) => r.status === 'fail');
}

const MARK: Record<CheckResult['status'], string> = {
  pass: 'ok  ',
  fail: 'FAIL',
  warn: 'warn',
  skip: 'skip',
};

export function formatChecksText(results: CheckResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const [first, ...rest] = r.message.split('\n');
    out.push(`[${MARK[r.status]}] ${r.name}: ${first}`);
    for (const l of rest) out.push(`       ${l}`);
    if (r.fix && r.status !== 'pass' && r.status !== 'skip')
      out.push(`       fix: ${r.fix.split('\n').join('\n            ')}`);
  }
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  out.push(
    '',
    `${count('pass')} passed, ${count('fail')} failed, ${count('warn')} warnings, ${count('skip')} skipped.`,
  );
  return out.join('\n') + '\n';
}

export type { CheckResult, DoctorFacts } from './types.ts';
