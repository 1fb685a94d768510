// Watcher settings read from the environment that shared/config does not cover. Kept free of heavy
// imports so the CLI can validate its input before loading the Kubernetes and Pub/Sub clients.
import { loadConfig } from '../shared/config/index.ts';
import type { WatcherConfig } from '../shared/config/index.ts';

/** GAMMA_RESYNC_ON_START (default true). */
export function resyncFromEnv(env: NodeJS.ProcessEnv): boolean {
  const v = env.GAMMA_RESYNC_ON_START?.trim().toLowerCase();
  if (v === undefined || v === '') return true;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new Error(
    `GAMMA_RESYNC_ON_START: must be true or false, got ${JSON.stringify(env.GAMMA_RESYNC_ON_START)}`,
  );
}

/** The validated watcher configuration; throws ConfigError (every problem listed) or Error. */
export function watcherSettingsFromEnv(env: NodeJS.ProcessEnv): WatcherConfig & { resyncOnStart: boolean } {
  return { ...loadConfig(env, 'watcher'), resyncOnStart: resyncFromEnv(env) };
}
