// The two settings that decide what a route may reach (docs/security.md §2), as CLI flags for
// `translate` and `plan`, defaulting to the environment the functions read
// (GAMMA_CROSS_NAMESPACE_BACKENDS, GAMMA_BACKEND_SERVICE_OVERRIDES), so offline output matches them.
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { parseBackendServiceOverrides } from '../../shared/config/index.ts';
import type { CrossNamespaceBackends, TranslateOptions } from '../../shared/translate/types.ts';
import { CliError } from '../errors.ts';

export interface AccessFlags {
  crossNamespaceBackends: CrossNamespaceBackends;
  /** Absent: GAMMA_BACKEND_SERVICE_OVERRIDES, read when the command runs. */
  backendServiceOverrides?: string[];
}

function parseOverrides(text: string): string[] {
  const parsed = parseBackendServiceOverrides(text);
  if ('error' in parsed) throw new InvalidArgumentError(parsed.error);
  return parsed.entries;
}

export function addAccessOptions(cmd: Command, env: NodeJS.ProcessEnv = process.env): Command {
  const mode = env.GAMMA_CROSS_NAMESPACE_BACKENDS;
  return cmd
    .addOption(
      new Option(
        '--cross-namespace-backends <mode>',
        'allow: backendRefs may name Services of any namespace (GEP-1294); referencegrant: a ReferenceGrant in the target namespace must allow it',
      )
        .choices(['allow', 'referencegrant'])
        .default(mode === 'referencegrant' ? 'referencegrant' : 'allow'),
    )
    .addOption(
      new Option(
        '--backend-service-overrides <list>',
        'backend services (ids or full names, * suffix wildcard) the gamma-csm.dev/backend-service.<port> annotation may name',
      ).argParser(parseOverrides),
    );
}

/** The translate options the flags set (only what differs from translate's defaults). */
export function accessOptions(
  flags: AccessFlags,
  env: NodeJS.ProcessEnv = process.env,
): Partial<TranslateOptions> {
  let overrides = flags.backendServiceOverrides ?? [];
  const fromEnv = env.GAMMA_BACKEND_SERVICE_OVERRIDES;
  if (flags.backendServiceOverrides === undefined && fromEnv !== undefined) {
    const parsed = parseBackendServiceOverrides(fromEnv);
    if ('error' in parsed) throw new CliError(`GAMMA_BACKEND_SERVICE_OVERRIDES: ${parsed.error}`);
    overrides = parsed.entries;
  }
  return {
    ...(flags.crossNamespaceBackends === 'referencegrant'
      ? { crossNamespaceBackends: 'referencegrant' as const }
      : {}),
    ...(overrides.length ? { backendServiceOverrides: overrides } : {}),
  };
}
