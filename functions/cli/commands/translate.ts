// `gamma-csm translate`: manifests on disk -> the Desired contract (docs/architecture.md §3.2, docs/cli.md). Offline and
// pure apart from reading files: load -> buildSnapshot -> translate -> print. Any load or
// validation error prints every error to stderr and exits 1 with nothing on stdout.
import { Option } from 'commander';
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { buildSnapshot, loadManifestPaths } from '../../../shared/gamma/index.ts';
import type { KubeObject } from '../../../shared/gamma/index.ts';
import type { Desired, TranslateOptions } from '../../../shared/translate/types.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../../shared/translate/types.ts';
import { CliError } from '../errors.ts';
import { desiredCompute } from '../../../shared/compute/desired.ts';
import { ownerRecord } from '../../../shared/compute/ownership.ts';
import type { ComputeHealthCheck, DesiredCompute } from '../../../shared/compute/types.ts';

export const OUTPUT_FORMATS = ['json', 'yaml', 'text'] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

interface TranslateFlags {
  filename: string[];
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
  program
    .command('translate')
    .description('Translate GAMMA HTTPRoute/GRPCRoute manifests into Network Services resources (offline)')
    .requiredOption(
      '-f, --filename <path...>',
      'manifest files or directories (.yaml .yml .json); - for stdin',
    )
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
    )
    .action(async (flags: TranslateFlags) => {
      process.stdout.write(await runTranslate(flags));
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
async function runTranslate(flags: TranslateFlags): Promise<string> {
  const loaded = await loadManifestPaths(flags.filename);
  const built = buildSnapshot(loaded.objects, { defaultNamespace: flags.namespace });
  const errors = [...loaded.errors, ...built.errors];
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`${e.message}\n`);
    throw new CliError(
      `${errors.length} error${errors.length === 1 ? '' : 's'} in the input; nothing was translated`,
    );
  }
  const { translate } = await import('../../../shared/translate/index.ts');
  const options = translateOptions(flags);
  const desired = translate(built.snapshot, options);
  if (flags.backendServices === 'off') return render(desired, built.ignored, flags.output);
  const compute = desiredCompute(built.snapshot.services, desired.backends, options);
  return render({ ...desired, ...compute }, built.ignored, flags.output);
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
  };
}

export function render(desired: Translation, ignored: KubeObject[], format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(desired, null, 2)}\n`;
  if (format === 'yaml') return toYaml(desired, { aliasDuplicateObjects: false });
  return renderText(desired, ignored);
}

// ---- -o text: what a person scans ----

type Json = Record<string, unknown>;

export function renderText(desired: Translation, ignored: KubeObject[]): string {
  const backendNames = new Map(
    desired.backends.map((b) => [b.serviceName, `${b.namespace}/${b.service}:${b.port}`]),
  );
  const lines: string[] = [`Mesh ${desired.mesh.name ?? '(unnamed)'}`];
  for (const route of desired.httpRoutes)
    lines.push('', ...routeLines('HttpRoute', route as Json, backendNames, httpMatch));
  for (const route of desired.grpcRoutes)
    lines.push('', ...routeLines('GrpcRoute', route as Json, backendNames, grpcMatch));
  if (desired.httpRoutes.length + desired.grpcRoutes.length === 0)
    lines.push('', 'no Network Services routes');
  if (desired.backendServices) lines.push('', ...backendServiceLines(desired));
  lines.push('', ...statusLines(desired));
  lines.push('', ignoredLine(ignored));
  return `${lines.join('\n')}\n`;
}

function routeLines(
  kind: string,
  route: Json,
  backends: Map<string, string>,
  match: (m: Json) => string,
): string[] {
  const lines = [`${kind} ${lastSegment(String(route.name ?? ''))}`];
  if (route.description) lines.push(`  source: ${route.description}`);
  lines.push(`  hostnames: ${asList(route.hostnames).join(', ') || '(none)'}`);
  asList(route.rules).forEach((rule, i) => {
    const r = rule as Json;
    const matches = asList(r.matches).map((m) => match(m as Json));
    const when = matches.length === 0 ? 'any request' : matches.join(' OR ');
    lines.push(`  rule ${i + 1}: ${when} -> ${action(r.action as Json | undefined, backends)}`);
  });
  return lines;
}

function httpMatch(m: Json): string {
  const parts: string[] = [];
  if (m.fullPathMatch !== undefined) parts.push(`path = ${m.fullPathMatch}`);
  if (m.prefixMatch !== undefined) parts.push(`path prefix ${m.prefixMatch}`);
  if (m.regexMatch !== undefined) parts.push(`path ~ ${m.regexMatch}`);
  if (m.ignoreCase) parts.push('(ignore case)');
  for (const h of asList(m.headers)) parts.push(`header ${valueMatch((h as Json).header, h as Json)}`);
  for (const q of asList(m.queryParameters))
    parts.push(`query ${valueMatch((q as Json).queryParameter, q as Json)}`);
  return parts.length > 0 ? parts.join(' AND ') : 'any request';
}

function valueMatch(name: unknown, m: Json): string {
  if (m.exactMatch !== undefined) return `${name} = ${m.exactMatch}`;
  if (m.regexMatch !== undefined) return `${name} ~ ${m.regexMatch}`;
  if (m.prefixMatch !== undefined) return `${name} prefix ${m.prefixMatch}`;
  if (m.suffixMatch !== undefined) return `${name} suffix ${m.suffixMatch}`;
  if (m.presentMatch !== undefined) return `${name} present`;
  return `${name} ${JSON.stringify(m)}`;
}

function grpcMatch(m: Json): string {
  const parts: string[] = [];
  const method = m.method as Json | undefined;
  if (method) {
    const op = method.type === 'REGULAR_EXPRESSION' ? '~' : '=';
    parts.push(`method ${op} ${method.grpcService ?? '*'}/${method.grpcMethod ?? '*'}`);
  }
  for (const h of asList(m.headers)) {
    const header = h as Json;
    parts.push(`header ${header.key} ${header.type === 'REGULAR_EXPRESSION' ? '~' : '='} ${header.value}`);
  }
  return parts.length > 0 ? parts.join(' AND ') : 'any request';
}

function action(a: Json | undefined, backends: Map<string, string>): string {
  if (!a) return '(no action)';
  const parts: string[] = [];
  const destinations = asList(a.destinations).map((d) => {
    const dest = d as Json;
    const name = String(dest.serviceName ?? '');
    const label = backends.get(name) ?? lastSegment(name);
    return dest.weight !== undefined ? `${label} (weight ${dest.weight})` : label;
  });
  if (destinations.length > 0) parts.push(destinations.join(', '));
  if (a.redirect) parts.push(`redirect ${JSON.stringify(a.redirect)}`);
  const abort = (a.faultInjectionPolicy as Json | undefined)?.abort as Json | undefined;
  if (abort) parts.push(`abort ${abort.httpStatus} for ${abort.percentage ?? 100}%`);
  const others = Object.keys(a).filter(
    (k) => !['destinations', 'redirect', 'faultInjectionPolicy'].includes(k),
  );
  if (others.length > 0) parts.push(`with ${others.sort().join(', ')}`);
  return parts.join('; ') || '(empty action)';
}

/** One block per backend service: what it serves, protocol, health check and a line per zonal NEG. */
function backendServiceLines(desired: Translation): string[] {
  const services = desired.backendServices ?? [];
  if (services.length === 0) return ['no backend services to provision'];
  const checks = new Map((desired.healthChecks ?? []).map((h) => [h.name ?? '', h]));
  const lines: string[] = [];
  for (const bs of services) {
    const owner = ownerRecord(bs);
    const check = checks.get(lastSegment(bs.healthChecks?.[0] ?? ''));
    const probe = check ? healthCheckText(check) : '(none)';
    lines.push(`BackendService ${bs.name} <- Service ${owner?.service}:${owner?.port}`);
    lines.push(`  ${bs.protocol}, ${bs.loadBalancingScheme}, health check ${check?.name ?? '?'} (${probe})`);
    const backends = bs.backends ?? [];
    if (backends.length === 0)
      lines.push(
        `  no backends yet: one per zone appears once GKE's NEG controller writes cloud.google.com/neg-status`,
      );
    for (const b of backends)
      lines.push(
        `  backend ${b.group?.replace(/^.*\/zones\//, 'zone ')} (RATE, ${b.maxRatePerEndpoint}/s per endpoint)`,
      );
  }
  return lines;
}

function healthCheckText(check: ComputeHealthCheck): string {
  const probe = (check.httpHealthCheck ??
    check.http2HealthCheck ??
    check.grpcHealthCheck ??
    check.tcpHealthCheck) as Json;
  const detail = probe?.requestPath ?? probe?.grpcServiceName;
  return `${check.type} on the serving port${detail ? ` ${detail}` : ''}`;
}

function statusLines(desired: Desired): string[] {
  const lines = ['Route status:'];
  if (desired.statuses.length === 0) lines.push('  (no routes)');
  for (const s of desired.statuses) {
    for (const p of s.parents) {
      const ref = p.parentRef;
      const parent = `${ref.kind ?? 'Gateway'} ${ref.namespace ?? s.namespace}/${ref.name}${ref.port ? `:${ref.port}` : ''}`;
      const conditions = p.conditions.map((c) => `${c.type}=${c.status}`).join(' ');
      lines.push(`  ${s.kind} ${s.namespace}/${s.name} -> ${parent}: ${conditions}`);
      for (const c of p.conditions.filter((x) => x.status !== 'True' || x.type === 'PartiallyInvalid')) {
        const label = c.status === 'False' ? 'rejected' : 'partially rejected';
        lines.push(`    ${label}: ${c.type}=${c.status} ${c.reason}: ${c.message}`);
      }
    }
    for (const w of s.warnings ?? []) lines.push(`    warning: ${w}`);
  }
  return lines;
}

function ignoredLine(ignored: KubeObject[]): string {
  if (ignored.length === 0) return 'ignored 0 objects';
  const kinds = [...new Set(ignored.map((o) => String(o.kind)))].sort();
  return `ignored ${ignored.length} object${ignored.length === 1 ? '' : 's'} (kinds ${kinds.join(', ')})`;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
