// An emulator in the foreground (`gamma-csm emulator <name>`): started, its URL printed, stopped
// cleanly on SIGINT or SIGTERM.
export interface EmulatorCliOptions {
  port: number;
  host: string;
  state?: string;
}

export async function runInForeground(
  name: string,
  start: (o: {
    port: number;
    host: string;
    statePath?: string;
  }) => Promise<{ url: string; close(): Promise<void> }>,
  options: EmulatorCliOptions,
): Promise<void> {
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
  const emulator = await start({
    port: Number(options.port ?? 0),
    host: options.host ?? '127.0.0.1',
    statePath: options.state,
  });
  process.stdout.write(`${name} emulator listening on ${emulator.url.replace(/\/$/, '')}\n`);
  await stopped;
  await emulator.close();
  process.stdout.write(`${name} emulator stopped\n`);
}
