// Entry of the watcher: `gamma-csm watch` imports startWatcher; the container image runs this file
// as its bundle main (dist/watcher/index.js), configured from the environment (shared/config).
import { pathToFileURL } from 'node:url';
import { watcherSettingsFromEnv } from './env.ts';
import { makeLogger } from './log.ts';
import type { Logger } from './log.ts';
import { startWatcher } from './watcher.ts';
import type { Watcher } from './watcher.ts';

export { startWatcher } from './watcher.ts';
export type { Watcher, WatcherDeps, WatcherOptions, WatcherSettings, WatcherStats } from './watcher.ts';
export { affectedParents } from './affected.ts';
export type { AffectedParent, Change, ClusterView } from './affected.ts';
export { Coalescer } from './coalescer.ts';
export { RoutePublisher } from './publisher.ts';
export { makeLogger } from './log.ts';
export { resyncFromEnv, watcherSettingsFromEnv } from './env.ts';
export type { Logger } from './log.ts';

/**
 * Stops the watcher on SIGTERM/SIGINT: pending snapshots are published (bounded wait), then the
 * process exits (0 when everything was published).
 */
export function stopOnSignals(
  watcher: Watcher,
  log: Logger,
  exit: (code: number) => void = process.exit,
): void {
  const stop = (signal: string) => {
    log.info(`${signal} received, flushing pending route events`);
    void watcher.close().then(
      (flushed) => exit(flushed ? 0 : 1),
      () => exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Runs the watcher from the environment until a signal stops it. */
export async function runFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Watcher> {
  const config = watcherSettingsFromEnv(env);
  const log = makeLogger(config.logFormat);
  const watcher = await startWatcher(config, { logger: log });
  stopOnSignals(watcher, log);
  log.info('watcher started', {
    cluster: config.clusterId,
    topic: config.routeEventsTopic,
    healthPort: watcher.healthPort,
  });
  await watcher.ready;
  return watcher;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  runFromEnv().catch((err: unknown) => {
    process.stderr.write(`gamma-csm watcher: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
