import type { Command } from 'commander';
import { CliError } from '../errors.ts';

export function registerPlanApply(program: Command): void {
  for (const name of ['plan', 'apply']) {
    program
      .command(name)
      .description('(not built yet)')
      .allowUnknownOption(true)
      .action(() => {
        throw new CliError(`gamma-csm ${name} is not available in this build`);
      });
  }
}
