// `gamma-csm emulator compute`: runs the Compute emulator in the foreground until SIGINT/SIGTERM.
import { startComputeEmulator } from './server.ts';

export interface EmulatorCliOptions {
  port: number;
  host: string;
  state?: string;
}

export async function runEmulatorCli(options: EmulatorCliOptions): Promise<void> {
  // Handlers go in before the URL is printed: whoever reads that line may signal at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const emulator = await startComputeEmulator({
    port: Number(options.port ?? 0),
    host: options.host ?? '127.0.0.1',
    statePath: options.state,
  });
  process.stdout.write(`compute emulator listening on ${emulator.url.replace(/\/$/, '')}\n`);
  await stopped;
  await emulator.close();
  process.stdout.write('compute emulator stopped\n');
}
