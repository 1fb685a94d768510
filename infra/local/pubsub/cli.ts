import { startPubsubEmulator } from './emulator.ts';

export { startPubsubEmulator } from './emulator.ts';
export type { PubsubEmulator, PubsubEmulatorOptions, PubsubStats } from './emulator.ts';

/** `gamma-csm emulator pubsub`: runs in the foreground until SIGINT/SIGTERM, then shuts down cleanly. */
export async function runEmulatorCli(options: { port: number; host: string; state?: string }): Promise<void> {
  if (options.state)
    process.stderr.write('pubsub emulator: --state is not supported; state is kept in memory\n');
  const emulator = await startPubsubEmulator({ port: options.port, host: options.host });
  process.stdout.write(`pubsub emulator listening on ${emulator.endpoint}\n`);
  process.stdout.write(`pubsub emulator admin (GET /stats, PUT /faults) on ${emulator.adminUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void emulator.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
