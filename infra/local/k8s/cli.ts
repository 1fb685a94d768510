// `gamma-csm emulator k8s`: runs the API server stand-in in the foreground until SIGINT/SIGTERM.
import { startK8sEmulator } from './server.ts';

export async function runEmulatorCli(options: {
  port: number;
  host: string;
  state?: string;
  kubeconfig?: string;
}): Promise<void> {
  const emulator = await startK8sEmulator({
    port: options.port,
    host: options.host,
    statePath: options.state,
    kubeconfigPath: options.kubeconfig,
  });
  process.stdout.write(
    `k8s API stand-in listening on ${emulator.url} (kubeconfig: ${emulator.kubeconfigPath})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void emulator.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
