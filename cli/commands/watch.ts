// `gamma-csm watch` (docs/cli.md): the watcher in the foreground. Flags override the environment
// (shared/config, the same variables the container reads); SIGTERM/SIGINT flush pending events.
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { CliError } from '../errors.ts';

interface WatchCliOptions {
  kubeconfig?: string;
  cluster?: string;
  topic?: string;
  project?: string;
  healthPort?: number;
  debounceMs?: number;
  maxWaitMs?: number;
  logFormat?: 'json' | 'text';
  resyncOnStart?: boolean;
}

function parseWholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

/** Flags as the environment variables shared/config reads, so both are validated the same way. */
export function flagsToEnv(o: WatchCliOptions): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (name: string, v: string | number | boolean | undefined) => {
    if (v !== undefined) env[name] = String(v);
  };
  set('GAMMA_KUBECONFIG', o.kubeconfig);
  set('GAMMA_CLUSTER_ID', o.cluster);
  set('GAMMA_ROUTE_EVENTS_TOPIC', o.topic);
  set('GAMMA_PROJECT', o.project);
  set('GAMMA_HEALTH_PORT', o.healthPort);
  set('GAMMA_DEBOUNCE_MS', o.debounceMs);
  set('GAMMA_MAX_WAIT_MS', o.maxWaitMs);
  set('GAMMA_LOG_FORMAT', o.logFormat);
  set('GAMMA_RESYNC_ON_START', o.resyncOnStart);
  return env;
}

const FLAG_OF: Record<string, string> = {
  GAMMA_KUBECONFIG: '--kubeconfig',
  GAMMA_CLUSTER_ID: '--cluster',
  GAMMA_ROUTE_EVENTS_TOPIC: '--topic',
  GAMMA_PROJECT: '--project',
  GAMMA_HEALTH_PORT: '--health-port',
  GAMMA_DEBOUNCE_MS: '--debounce-ms',
  GAMMA_MAX_WAIT_MS: '--max-wait-ms',
  GAMMA_LOG_FORMAT: '--log-format',
};

/** Names the flag next to the variable in configuration errors. */
function withFlags(message: string): string {
  return message.replace(/\b(GAMMA_[A-Z_]+)\b/g, (v) => (FLAG_OF[v] ? `${v} (${FLAG_OF[v]})` : v));
}

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description(
      'watch HTTPRoute, GRPCRoute and Service; publish one route event per affected parent Service',
    )
    .option(
      '--kubeconfig <file>',
      'cluster to watch (default: $GAMMA_KUBECONFIG, else in-cluster credentials)',
    )
    .option('--cluster <id>', 'cluster id carried by every event (default: $GAMMA_CLUSTER_ID)')
    .option('--topic <topic>', 'route events topic id or projects/P/topics/T (default: route-events)')
    .option('--project <id>', 'Google Cloud project (default: $GAMMA_PROJECT or $GOOGLE_CLOUD_PROJECT)')
    .option('--health-port <n>', 'port of /healthz and /readyz (0 picks a free one)', parseWholeNumber)
    .option('--debounce-ms <n>', 'quiet time before a parent is published', parseWholeNumber)
    .option('--max-wait-ms <n>', 'longest a changing parent waits before it is published', parseWholeNumber)
    .addOption(new Option('--log-format <format>', 'log lines as JSON or text').choices(['json', 'text']))
    .option('--resync-on-start', 'publish every parent once the informers have synced (default)')
    .option('--no-resync-on-start', 'publish only changes; the scheduled reconcile covers start-up')
    .action(async (options: WatchCliOptions) => {
      const { ConfigError } = await import('../../shared/config/index.ts');
      const { watcherSettingsFromEnv } = await import('../../watcher/env.ts');
      const env = { GAMMA_LOG_FORMAT: 'text', ...process.env, ...flagsToEnv(options) };
      try {
        // Validate before loading the (slow to import) Kubernetes and Pub/Sub clients.
        watcherSettingsFromEnv(env);
        const { runFromEnv } = await import('../../watcher/index.ts');
        await runFromEnv(env);
      } catch (e) {
        if (e instanceof ConfigError) throw new CliError(withFlags(e.message), 2);
        throw new CliError(e instanceof Error ? e.message : String(e));
      }
    });
}
