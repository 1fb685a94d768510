import type { Command } from 'commander';
import { CliError } from '../errors.ts';

export function registerLocal(program: Command): void {
  program
    .command('local')
    .description('(not built yet)')
    .allowUnknownOption(true)
    .action(() => {
      throw new CliError('gamma-csm local is not available in this build');
    });
}
