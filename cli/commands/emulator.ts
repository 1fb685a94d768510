import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { CliError } from '../errors.ts';

const EMULATORS = ['netsvc', 'pubsub', 'k8s', 'compute'] as const;

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535');
  }
  return port;
}

/**
 * Each emulator lives in infra/local/<name>/cli.ts and exports `runEmulatorCli(options)`, which
 * starts it in the foreground and resolves when it is stopped.
 */
export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description('run one local emulator in the foreground (netsvc | pubsub | k8s | compute)')
    .argument('<name>', `which emulator: ${EMULATORS.join(', ')}`)
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 0)
    .option('--host <addr>', 'address to bind (loopback only by default)', '127.0.0.1')
    .option('--state <file>', 'persist emulator state to this JSON file')
    .allowUnknownOption(false)
    .action(async (name: string, options: Record<string, unknown>) => {
      if (!(EMULATORS as readonly string[]).includes(name)) {
        throw new CliError(`unknown emulator "${name}"; choose one of: ${EMULATORS.join(', ')}`, 2);
      }
      const modulePath = `../../infra/local/${name}/cli.ts`;
      const mod = (await import(modulePath)) as { runEmulatorCli(o: Record<string, unknown>): Promise<void> };
      await mod.runEmulatorCli(options);
    });
}
