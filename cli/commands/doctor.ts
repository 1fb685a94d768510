// `gamma-csm doctor` (docs/cli.md): "why doesn't my traffic route?" Gathers facts (doctor-gather.ts),
// runs the pure checks (shared/doctor), prints each with its fix; exit 1 when any check fails.
import type { Command } from 'commander';
import { anyFailed, formatChecksText, runChecks } from '../../shared/doctor/index.ts';
import { addTargetOptions, resolveTarget, type TargetCliOptions } from './target.ts';

interface DoctorCliOptions extends TargetCliOptions {
  watcherHealth?: string;
}

async function runDoctor(o: DoctorCliOptions): Promise<void> {
  const target = resolveTarget(o);
  const { gatherFacts } = await import('./doctor-gather.ts');
  const facts = await gatherFacts(target, { watcherHealth: o.watcherHealth });
  const results = runChecks(facts);
  if (o.output === 'json')
    process.stdout.write(
      JSON.stringify(
        {
          target: {
            local: target.local,
            project: target.project,
            mesh: target.mesh,
            cluster: target.cluster,
          },
          ok: !anyFailed(results),
          checks: results.map((r) => ({
            name: r.name,
            status: r.status,
            message: r.message,
            fix: r.fix ?? null,
          })),
        },
        null,
        2,
      ) + '\n',
    );
  else process.stdout.write(formatChecksText(results));
  if (anyFailed(results)) process.exitCode = 1;
}

export function registerDoctor(program: Command): void {
  addTargetOptions(
    program
      .command('doctor')
      .description('check why mesh traffic does not route: each check passes or fails with the exact fix'),
  )
    .option('--watcher-health <url>', "the watcher's /healthz URL (local: from endpoints.json)")
    .action((o: DoctorCliOptions) => runDoctor(o));
}
