// `gamma-csm local` (what `npm start` runs): the whole pipeline on this machine, seeded with the
// examples, with a readable live log. Composition and terminal I/O only; the stack is
// infra/local/stack.ts. SIGINT/SIGTERM stop everything and exit 0.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { CliError } from '../errors.ts';

interface LocalCliOptions {
  portBase: number;
  project: string;
  mesh: string;
  cluster: string;
  seed: boolean;
  examples: string;
  reconcileInterval: number;
  persist?: boolean;
  json?: boolean;
  debounceMs: number;
}

const REPO_EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples');
const ID = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

function parsePortBase(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535 - 7)
    throw new InvalidArgumentError('expected 0 (free ports) or a port from 1 to 65528');
  return n;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400)
    throw new InvalidArgumentError('expected seconds, more than 0 and at most 86400');
  return n;
}

function parseMs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 600_000)
    throw new InvalidArgumentError('expected milliseconds from 0 to 600000');
  return n;
}

function parseId(what: string) {
  return (value: string): string => {
    if (!ID.test(value))
      throw new InvalidArgumentError(
        `expected a ${what} id: lowercase letters, digits and hyphens, starting with a letter`,
      );
    return value;
  };
}

/** Colour only for a terminal that wants it (https://no-color.org). */
export function wantsColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

async function runLocal(o: LocalCliOptions): Promise<void> {
  const { startLocalStack } = await import('../../infra/local/stack.ts');
  const { COLOURS, NO_COLOURS, jsonLine, textLine } = await import('../../infra/local/live-log.ts');
  const palette = wantsColour(process.stdout) ? COLOURS : NO_COLOURS;
  const print = (e: Parameters<typeof textLine>[0]) =>
    process.stdout.write(`${o.json ? jsonLine(e, new Date()) : textLine(e, new Date(), palette)}\n`);

  // Signals are caught before anything listens, so a quick Ctrl-C still shuts down cleanly.
  let signalled: string | undefined;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (signal: string) => {
    if (signalled) return;
    signalled = signal;
    wake();
  };
  const sigint = () => onSignal('SIGINT');
  const sigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);

  let stack;
  try {
    stack = await startLocalStack({
      portBase: o.portBase,
      project: o.project,
      mesh: o.mesh,
      clusterId: o.cluster,
      seed: o.seed ? path.resolve(o.examples) : false,
      reconcileIntervalMs: o.reconcileInterval * 1000,
      persist: Boolean(o.persist),
      debounceMs: o.debounceMs,
      verbose: Boolean(o.json),
      onEvent: print,
    });
  } catch (e) {
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
    const message = e instanceof Error ? e.message : String(e);
    const hint = /EADDRINUSE/.test(message)
      ? ' (a port is taken: choose another --port-base, or 0 for free ports)'
      : '';
    throw new CliError(`the local stack did not start: ${message}${hint}`);
  }
  if (!o.json) {
    const e = stack.endpoints;
    process.stdout.write(
      [
        '',
        `  kubeconfig     ${e.kubeconfig}`,
        `  kubernetes     ${e.kubernetes}`,
        `  netsvc         ${e.netsvc}   (project ${e.project}, mesh ${e.mesh}, cluster ${e.cluster})`,
        `  compute        ${e.compute}   (backend services, health checks, NEGs)`,
        `  pubsub         ${e.pubsub}   (PUBSUB_EMULATOR_HOST; admin ${e.pubsubAdmin})`,
        `  functions      sync ${e.sync}  reconcile ${e.reconcile}`,
        `  endpoints      ${stack.endpointsFile}`,
        '',
        `  try: kubectl --kubeconfig ${path.relative(process.cwd(), e.kubeconfig) || e.kubeconfig} get httproutes -A`,
        '',
      ].join('\n'),
    );
  }
  print({ type: 'ready', ms: stack.readyMs });

  await stopped;
  const t0 = performance.now();
  print({ type: 'stopping', signal: signalled ?? 'signal' });
  await stack.close();
  print({ type: 'stopped', ms: Math.round(performance.now() - t0) });
  process.off('SIGINT', sigint);
  process.off('SIGTERM', sigterm);
  // Everything is closed; should a library still hold a timer or socket, do not wait on it.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
}

export function registerLocal(program: Command): void {
  program
    .command('local')
    .description(
      'run the whole pipeline on this machine (what `npm start` runs): emulators, watcher, functions',
    )
    .option('--port-base <n>', 'first of 8 consecutive ports (0 picks free ports)', parsePortBase, 0)
    .option('--project <id>', 'project id the emulators serve', parseId('project'), 'local-project')
    .option('--mesh <id>', 'Mesh id', parseId('Mesh'), 'gamma-mesh')
    .option('--cluster <id>', 'cluster id in resource names and labels', parseId('cluster'), 'local')
    .addOption(
      new Option(
        '--examples <dir>',
        'seed these manifests (a subdirectory = a namespace of its name)',
      ).default(REPO_EXAMPLES, "this package's examples/"),
    )
    .option('--no-seed', 'start with an empty cluster')
    .option('--reconcile-interval <seconds>', 'seconds between reconcile ticks', parseSeconds, 30)
    .option('--debounce-ms <ms>', 'watcher quiet time before a parent is published', parseMs, 100)
    .option('--persist', 'keep Kubernetes and Network Services state in .gamma-csm/local/state/ between runs')
    .option('--json', 'structured logs: one JSON object per line, every component')
    .action((o: LocalCliOptions) => runLocal(o));
}
