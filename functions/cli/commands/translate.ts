import type { Command } from 'commander';
import { CliError } from '../errors.ts';

export function registerTranslate(program: Command): void {
  program
    .command('translate')
    .description('(not built yet)')
    .allowUnknownOption(true)
    .action(() => {
      throw new CliError('gamma-csm translate is not available in this build');
    });
}
