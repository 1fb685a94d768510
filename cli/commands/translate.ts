// `gamma-csm translate`: manifests on disk -> the Desired contract (docs/architecture.md §3.2, docs/cli.md). Offline and
// pure apart from reading files: load -> buildSnapshot -> translate -> print. Any load or
// validation error prints every error to stderr and exits 1 with nothing on stdout. Warnings about
// the input (older API versions, duplicates, routes skipped for their parentRefs) go to stderr and
// into the output (`warnings`, `ignored`), never only to one of them (docs/cli.md).
import { Option } from 'commander';
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { buildSnapshot, loadManifestPaths } from '../../shared/gamma/index.ts';
import type { BuildSnapshotResult, IgnoredObject, ManifestError } from '../../shared/gamma/index.ts';
import type { Desired, TranslateOptions } from '../../shared/translate/types.ts';
import { noServiceParentReason } from '../../shared/translate/parents.ts';
import { renderText } from './translate-text.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../shared/translate/types.ts';
import { CliError } from '../errors.ts';
import { type AccessFlags, accessOptions, addAccessOptions } from './access-options.ts';
import { desiredCompute } from '../../shared/compute/desired.ts';
import type { DesiredCompute } from '../../shared/compute/types.ts';

export const OUTPUT_FORMATS = ['json', 'yaml', 'text'] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

interface TranslateFlags extends AccessFlags {
  filename: string[];
  recursive?: boolean;
  project: string;
  location: string;
  mesh: string;
  cluster: string;
  controllerName: string;
  clusterDomain: string;
  namespace: string;
  output: OutputFormat;
  backendServices: 'provision' | 'off';
}

/** translate's output plus the Compute bodies of the backend services its routes name. */
export type Translation = Desired & Partial<DesiredCompute>;

export function registerTranslate(program: Command): void {
  const cmd = program
    .command('translate')
    .description('Translate GAMMA HTTPRoute/GRPCRoute manifests into Network Services resources (offline)')
    .requiredOption(
      '-f, --filename <path...>',
      'manifest files or directories (.yaml .yml .json); - for stdin',
    )
    .option('-R, --recursive', "read directories' subdirectories too (as kubectl -R)")
    .addOption(projectOption())
    .option('--location <location>', 'Network Services location', 'global')
    .option('--mesh <id>', 'Mesh id', 'gamma-mesh')
    .option('--cluster <id>', 'cluster id used in resource names and labels', 'default')
    .option('--controller-name <name>', 'controllerName written in route status', DEFAULT_CONTROLLER_NAME)
    .option('--cluster-domain <domain>', 'Kubernetes cluster DNS domain', 'cluster.local')
    .option('-n, --namespace <ns>', 'namespace for objects that name none', 'default')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('json'))
    .addOption(
      new Option(
        '--backend-services <mode>',
        'provision: also print the health checks and backend services gamma-csm would create from GKE NEGs, and require NEGs; off: routes only',
      )
        .choices(['provision', 'off'])
        .default('provision'),
    );
  addAccessOptions(cmd).action(async (flags: TranslateFlags) => {
    const out = await runTranslate(flags);
    for (const w of out.stderrWarnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(out.text);
  });
}

function projectOption(): Option {
  const fromEnv = process.env.GOOGLE_CLOUD_PROJECT;
  const option = new Option('--project <id>', 'Google Cloud project');
  return fromEnv
    ? option.default(fromEnv, `"${fromEnv}" from $GOOGLE_CLOUD_PROJECT`)
    : option.default('my-project');
}

/** Everything but the printing, so the text is built before anything reaches stdout. */
async function runTranslate(flags: TranslateFlags): Promise<{ text: string; stderrWarnings: string[] }> {
  const loaded = await loadManifestPaths(flags.filename, { recursive: Boolean(flags.recursive) });
  const built = buildSnapshot(loaded.objects, { defaultNamespace: flags.namespace });
  const errors = [...loaded.errors, ...built.errors];
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`${e.message}\n`);
    throw new CliError(
      `${errors.length} error${errors.length === 1 ? '' : 's'} in the input; nothing was translated`,
    );
  }
  const { translate } = await import('../../shared/translate/index.ts');
  const options = translateOptions(flags);
  const routes = translate(built.snapshot, options);
  const desired: Translation =
    flags.backendServices === 'off'
      ? routes
      : { ...routes, ...desiredCompute(built.snapshot.services, routes.backends, options) };
  const report = inputReport(built, desired, loaded.warnings);
  // -o text shows route warnings itself; the machine formats keep them in statuses, so say so here.
  const routeWarnings =
    flags.output === 'text'
      ? []
      : desired.statuses.flatMap((s) =>
          (s.warnings ?? []).map((w) => `${s.kind} ${s.namespace}/${s.name}: ${w}`),
        );
  return {
    text: render(desired, report, flags.output),
    stderrWarnings: [...report.warnings, ...routeWarnings],
  };
}

export interface InputReport {
  /** Input-level warnings: older API versions, identical duplicates, Service parents skipped for their group. */
  warnings: string[];
  /** Every object translate did not turn into status or routes, with why. */
  ignored: IgnoredObject[];
}

/** The ignored objects and input warnings of a run: buildSnapshot's, plus routes with no Service parent. */
export function inputReport(
  built: BuildSnapshotResult,
  desired: Desired,
  loadWarnings: ManifestError[] = [],
): InputReport {
  const warnings = [...loadWarnings, ...built.warnings].map((w) => w.message);
  const { snapshot } = built;
  if (
    snapshot.services.length +
      snapshot.httpRoutes.length +
      snapshot.grpcRoutes.length +
      (snapshot.tcpRoutes?.length ?? 0) +
      (snapshot.tlsRoutes?.length ?? 0) +
      built.ignored.length ===
    0
  )
    warnings.push('the input holds no objects');
  const ignored = [...built.ignored];
  const withStatus = new Set(desired.statuses.map((s) => `${s.kind}/${s.namespace}/${s.name}`));
  const routes = [
    ...snapshot.httpRoutes,
    ...snapshot.grpcRoutes,
    ...(snapshot.tcpRoutes ?? []),
    ...(snapshot.tlsRoutes ?? []),
  ];
  for (const route of routes) {
    const { namespace = 'default', name } = route.metadata;
    if (withStatus.has(`${route.kind}/${namespace}/${name}`)) continue;
    const reason = noServiceParentReason(route);
    if (!reason) continue;
    ignored.push({ apiVersion: route.apiVersion, kind: route.kind, namespace, name, reason });
    if (reason.includes('add group: ""')) warnings.push(`${route.kind} ${namespace}/${name}: ${reason}`);
  }
  return { warnings, ignored };
}

function translateOptions(flags: TranslateFlags): TranslateOptions {
  return {
    project: flags.project,
    location: flags.location,
    mesh: flags.mesh,
    clusterId: flags.cluster,
    controllerName: flags.controllerName,
    clusterDomain: flags.clusterDomain,
    // Offline no NEG controller has run: the annotation asking for NEGs is what a manifest can show.
    ...(flags.backendServices === 'off' ? {} : { negCheck: 'requested' as const }),
    ...accessOptions(flags),
  };
}

export function render(desired: Translation, report: InputReport, format: OutputFormat): string {
  // The Desired contract, then what the run left out and why (same keys in JSON and YAML).
  const full = { ...desired, warnings: report.warnings, ignored: report.ignored };
  if (format === 'json') return `${JSON.stringify(full, null, 2)}\n`;
  if (format === 'yaml') return toYaml(full, { aliasDuplicateObjects: false });
  return renderText(desired, report.ignored, report.warnings);
}

export { renderText };
