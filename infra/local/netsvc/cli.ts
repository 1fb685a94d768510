// `gamma-csm emulator netsvc`: runs the emulator in the foreground until SIGINT/SIGTERM.
import { runInForeground, type EmulatorCliOptions } from '../foreground.ts';
import { startNetsvcEmulator } from './server.ts';

export type { EmulatorCliOptions } from '../foreground.ts';

export function runEmulatorCli(options: EmulatorCliOptions): Promise<void> {
  const lenient = process.env.NETSVC_EMULATOR_LENIENT === '1';
  return runInForeground('netsvc', (o) => startNetsvcEmulator({ ...o, lenient }), options);
}
