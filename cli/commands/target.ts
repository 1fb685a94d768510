// Which cluster and project `doctor` and `uninstall` look at (docs/cli.md): Google (application
// default credentials, default endpoints) or the local stack's endpoints.json (`--local`).
import type { Command } from 'commander';
import { Option } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.ts';
import type { PlanCliOptions } from './plan.ts';

export interface TargetCliOptions {
  local?: boolean;
  localDir?: string;
  kubeconfig?: string;
  project?: string;
  mesh?: string;
  cluster?: string;
  endpoint?: string;
  computeEndpoint?: string;
  output: 'text' | 'json';
}

export interface Target {
  local: boolean;
  kubeconfig: string;
  project: string;
  mesh: string;
  cluster: string;
  endpoint?: string;
  computeEndpoint?: string;
  /** Local stack only. */
  watcherHealth?: string;
  pubsubAdmin?: string;
}

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('--local', 'the local stack: read .gamma-csm/local/endpoints.json (see --local-dir)')
    .option('--local-dir <dir>', 'directory holding .gamma-csm/local (default: the current directory)')
    .option('--kubeconfig <file>', 'the cluster this kubeconfig points at')
    .option('--project <id>', 'Google Cloud project (default: $GOOGLE_CLOUD_PROJECT)')
    .option('--mesh <id>', 'Mesh id (default: gamma-mesh)')
    .option('--cluster <id>', 'cluster id: part of every name and ownership label (default: default)')
    .option('--endpoint <url>', 'Network Services root URL (an emulator; no auth is sent)')
    .option('--compute-endpoint <url>', 'Compute root URL (an emulator; no auth is sent)')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'),
    );
}

interface Endpoints {
  kubeconfig: string;
  netsvc: string;
  compute: string;
  project: string;
  mesh: string;
  cluster: string;
  watcherHealth?: string;
  pubsubAdmin?: string;
}

function readEndpoints(dir: string): Endpoints {
  const file = path.join(dir, '.gamma-csm', 'local', 'endpoints.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`${file} not found: start the local stack (npm start) or pass --local-dir DIR`);
  }
  try {
    return JSON.parse(text) as Endpoints;
  } catch (e) {
    throw new CliError(
      `${file} is not JSON (${(e as Error).message}); restart the local stack to rewrite it`,
    );
  }
}

/** Flags win over endpoints.json; without --local every source must be given. */
export function resolveTarget(o: TargetCliOptions, needs = { cluster: true }): Target {
  if (o.local) {
    const e = readEndpoints(path.resolve(o.localDir ?? process.cwd()));
    return {
      local: true,
      kubeconfig: o.kubeconfig ?? e.kubeconfig,
      project: o.project ?? e.project,
      mesh: o.mesh ?? e.mesh,
      cluster: o.cluster ?? e.cluster,
      endpoint: o.endpoint ?? e.netsvc,
      computeEndpoint: o.computeEndpoint ?? e.compute,
      watcherHealth: e.watcherHealth,
      pubsubAdmin: e.pubsubAdmin,
    };
  }
  if (!o.kubeconfig && needs.cluster) throw new CliError('give --local or --kubeconfig FILE');
  const project = o.project ?? process.env.GOOGLE_CLOUD_PROJECT;
  if (!project) throw new CliError('no project: pass --project or set GOOGLE_CLOUD_PROJECT');
  return {
    local: false,
    kubeconfig: o.kubeconfig ?? '',
    project,
    mesh: o.mesh ?? 'gamma-mesh',
    cluster: o.cluster ?? 'default',
    endpoint: o.endpoint,
    computeEndpoint: o.computeEndpoint,
  };
}

/** The options `gamma-csm plan --kubeconfig` would run with for this target (its defaults). */
export function planOptions(t: Target): PlanCliOptions {
  return {
    kubeconfig: t.kubeconfig,
    endpoint: t.endpoint,
    computeEndpoint: t.computeEndpoint,
    project: t.project,
    location: 'global',
    mesh: t.mesh,
    cluster: t.cluster,
    clusterDomain: 'cluster.local',
    namespace: 'default',
    maxDeleteFraction: 0.5,
    maxDeleteAbsolute: 5,
    output: 'text',
    backendServices: 'provision',
    // As `plan` defaults them: from the environment the functions read.
    crossNamespaceBackends:
      process.env.GAMMA_CROSS_NAMESPACE_BACKENDS === 'referencegrant' ? 'referencegrant' : 'allow',
  };
}
