// gamma-csm command line: one binary, one module per command (cli/commands/*).
import { Command, CommanderError } from 'commander';
import { registerTranslate } from './commands/translate.ts';
import { registerPlanApply } from './commands/plan.ts';
import { registerEmulator } from './commands/emulator.ts';
import { registerWatch } from './commands/watch.ts';
import { registerLocal } from './commands/local.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerUninstall } from './commands/uninstall.ts';
import { CliError } from './errors.ts';

const program = new Command('gamma-csm')
  .description('Gateway API for service mesh (GAMMA) on Google Cloud Service Mesh')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .showSuggestionAfterError(true)
  .exitOverride();

registerTranslate(program);
registerPlanApply(program);
registerEmulator(program);
registerWatch(program);
registerLocal(program);
registerDoctor(program);
registerUninstall(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else if (err instanceof CliError) {
    process.stderr.write(`gamma-csm: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`gamma-csm: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
