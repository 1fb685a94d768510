import type { Command } from 'commander';
import { CliError } from '../errors.ts';

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('(not built yet)')
    .allowUnknownOption(true)
    .action(() => {
      throw new CliError('gamma-csm watch is not available in this build');
    });
}
