// Mesh conformance runner: `tsx scripts/conformance.ts [--cases FILE] [--strict] [--out FILE] [--no-write]`.
// Runs every case through parse -> translate -> evaluateNs, prints per-test and per-case tables,
// writes docs/conformance.md, exits 1 on any failure that is not a documented Network Services limit.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import {
  DEFAULT_CASES_FILE,
  loadCorpus,
  runConformance,
  unexpectedFailures,
} from '../test/support/conformance-core.ts';
import { renderMarkdown, renderText } from '../test/support/conformance-report.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const program = new Command()
  .name('conformance')
  .option('--cases <file>', 'corpus in the mesh-cases.yaml format', DEFAULT_CASES_FILE)
  .option('--strict', 'also check declared_not_verified fields and derived redirect Locations', false)
  .option('--out <file>', 'markdown report path', path.join(ROOT, 'docs/conformance.md'))
  .option('--no-write', 'do not write the markdown report')
  .parse();

const opts = program.opts<{ cases: string; strict: boolean; out: string; write: boolean }>();
const report = runConformance(loadCorpus(opts.cases), { strict: opts.strict, file: opts.cases });
process.stdout.write(renderText(report));
if (opts.write) {
  writeFileSync(opts.out, renderMarkdown(report));
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), opts.out)}\n`);
}
const failures = unexpectedFailures(report);
if (failures.length > 0) {
  process.stderr.write(
    `\n${failures.length} unexpected failure(s):\n${failures.map((f) => `  ${f}`).join('\n')}\n`,
  );
  process.exitCode = 1;
}
