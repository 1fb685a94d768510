// Refreshes the vendored subset of the Compute v1 discovery document (infra/local/discovery/compute-v1.json):
//   tsx scripts/refresh-compute-discovery.ts --json compute-api.json --repo OWNER/NAME --path PATH --commit SHA
//   tsx scripts/refresh-compute-discovery.ts --go DIR --repo OWNER/NAME --path DIR_IN_REPO --commit SHA --module VERSION
// The whole document is over 4 MiB; gamma-csm keeps only the methods the Compute emulator serves
// (and firewalls) and the schemas reachable from them and from BackendService, HealthCheck,
// NetworkEndpointGroup, Operation and Firewall, without descriptions. `--json` takes Google's
// document (e.g. googleapis/google-api-go-client compute/v1/compute-api.json); `--go` takes the
// directory of the Go client generated from it (compute*-gen.go) when the JSON cannot be had (see
// compute-discovery-from-go.ts for what that form loses). No network access here.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { DiscoveryDoc, SchemaDef } from '../infra/local/discovery/validate.ts';
import { discoveryFromGo } from './compute-discovery-from-go.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = path.join(ROOT, 'infra/local/discovery/compute-v1.json');
const SOURCE = path.join(ROOT, 'infra/local/discovery/compute-v1.source.json');

export const ROOT_SCHEMAS = [
  'BackendService',
  'HealthCheck',
  'NetworkEndpointGroup',
  'Operation',
  'Firewall',
];
export const METHODS = [
  ...['insert', 'get', 'list', 'patch', 'update', 'delete', 'getHealth'].map(
    (m) => `compute.backendServices.${m}`,
  ),
  ...['insert', 'get', 'list', 'patch', 'update', 'delete'].map((m) => `compute.healthChecks.${m}`),
  ...['insert', 'get', 'list', 'patch', 'update', 'delete'].map((m) => `compute.firewalls.${m}`),
  'compute.globalOperations.get',
  'compute.globalOperations.wait',
  'compute.networkEndpointGroups.get',
  'compute.networkEndpointGroups.list',
  'compute.networkEndpointGroups.listNetworkEndpoints',
];

interface Method {
  id: string;
  httpMethod: string;
  path: string;
  parameters?: Record<string, { type?: string; location?: string }>;
  request?: { $ref: string };
}

function methodsOf(doc: DiscoveryDoc): Method[] {
  const out: Method[] = [];
  const walk = (r: { methods?: Record<string, unknown>; resources?: Record<string, unknown> }) => {
    for (const m of Object.values(r.methods ?? {})) out.push(m as Method);
    for (const sub of Object.values(r.resources ?? {})) walk(sub as typeof r);
  };
  walk({ resources: doc.resources as Record<string, unknown> });
  return out;
}

/** Only what the validator reads: types, formats, enums, output-only flags; no descriptions. */
function strip(def: SchemaDef, described?: string): SchemaDef {
  const out: SchemaDef = {};
  if (def.$ref) out.$ref = def.$ref;
  if (def.type) out.type = def.type;
  if (def.format) out.format = def.format;
  if (def.enum) out.enum = def.enum;
  const text = described ?? (def as { description?: string }).description ?? '';
  if (def.readOnly || /\[Output Only\]|^Output only\./.test(text)) out.readOnly = true;
  if (def.items) out.items = strip(def.items);
  if (def.additionalProperties) out.additionalProperties = strip(def.additionalProperties);
  if (def.properties)
    out.properties = Object.fromEntries(Object.entries(def.properties).map(([k, v]) => [k, strip(v)]));
  return out;
}

/** The named schemas reachable from `roots`. */
function reachable(doc: DiscoveryDoc, roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (def: SchemaDef | undefined) => {
    if (!def) return;
    if (def.$ref && !seen.has(def.$ref)) {
      const target = doc.schemas[def.$ref];
      if (!target) throw new Error(`schema ${def.$ref} is referenced but not defined`);
      seen.add(def.$ref);
      visit(target);
    }
    visit(def.items);
    visit(def.additionalProperties);
    for (const p of Object.values(def.properties ?? {})) visit(p);
  };
  for (const r of roots) visit({ $ref: r });
  return [...seen].sort();
}

/** The vendored subset of a full compute:v1 document. */
export function subsetOf(doc: DiscoveryDoc): DiscoveryDoc {
  const byId = new Map(methodsOf(doc).map((m) => [m.id, m]));
  const resources: DiscoveryDoc['resources'] = {};
  const requests: string[] = [];
  for (const id of METHODS) {
    const m = byId.get(id);
    if (!m) throw new Error(`the document has no method ${id}`);
    const [, coll, name] = id.split('.');
    const parameters = Object.fromEntries(
      Object.entries(m.parameters ?? {}).map(([k, p]) => [k, { type: p.type, location: p.location }]),
    );
    const kept: Method = { id, httpMethod: m.httpMethod, path: m.path, parameters };
    if (m.request) {
      kept.request = { $ref: m.request.$ref };
      requests.push(m.request.$ref);
    }
    ((resources[coll] ??= {}).methods ??= {})[name] = kept;
  }
  const schemas = Object.fromEntries(
    reachable(doc, [...ROOT_SCHEMAS, ...requests]).map((n) => [n, { id: n, ...strip(doc.schemas[n]) }]),
  );
  const parameters = Object.fromEntries(
    Object.entries(doc.parameters).map(([k, p]) => [
      k,
      { type: (p as { type?: string }).type, location: 'query' },
    ]),
  );
  return { id: doc.id, revision: doc.revision, parameters, schemas, resources };
}

function main(): void {
  const program = new Command()
    .name('refresh-compute-discovery')
    .option('--json <file>', "Google's compute v1 discovery document")
    .option('--go <dir>', 'a directory holding the generated Go client compute*-gen.go')
    .requiredOption('--repo <owner/name>', 'repository the copy came from')
    .requiredOption('--path <path>', 'path of the copy in that repository')
    .requiredOption('--commit <sha>', 'commit of that repository the copy is from')
    .option('--module <version>', 'google.golang.org/api version of the Go client (with --go)')
    .parse();
  const o = program.opts<{
    json?: string;
    go?: string;
    repo: string;
    path: string;
    commit: string;
    module?: string;
  }>();
  if (!/^[0-9a-f]{40}$/.test(o.commit)) throw new Error('--commit must be a 40-digit commit id');
  if (Boolean(o.json) === Boolean(o.go)) throw new Error('give exactly one of --json and --go');
  let full: DiscoveryDoc;
  if (o.json) {
    full = JSON.parse(readFileSync(o.json, 'utf8')) as DiscoveryDoc;
    if (full.id !== 'compute:v1') throw new Error(`${o.json} is not the compute:v1 discovery document`);
  } else {
    const dir = o.go as string;
    const files = readdirSync(dir)
      .filter((f) => /^compute\d*-gen\.go$/.test(f))
      .sort();
    if (!files.length) throw new Error(`${dir} holds no compute*-gen.go`);
    full = discoveryFromGo(files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n'), METHODS);
  }
  const subset = subsetOf(full);
  writeFileSync(TARGET, `${JSON.stringify(subset)}\n`);
  const source = {
    repo: o.repo,
    path: o.path,
    commit: o.commit,
    form: o.json ? 'discovery document' : 'generated Go client',
    ...(o.module ? { module: `google.golang.org/api ${o.module}` } : {}),
    revision: full.revision,
    schemas: Object.keys(subset.schemas).length,
    methods: METHODS.length,
  };
  writeFileSync(SOURCE, `${JSON.stringify(source, null, 2)}\n`);
  process.stdout.write(`compute v1 discovery subset: ${source.schemas} schemas, ${source.methods} methods\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
