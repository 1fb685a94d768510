// `gamma-csm emulator compute`: runs the Compute emulator in the foreground until SIGINT/SIGTERM.
import { runInForeground, type EmulatorCliOptions } from '../foreground.ts';
import { startComputeEmulator } from './server.ts';

export function runEmulatorCli(options: EmulatorCliOptions): Promise<void> {
  return runInForeground('compute', startComputeEmulator, options);
}
