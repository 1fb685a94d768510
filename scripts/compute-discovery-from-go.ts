// Builds the discovery-document form of the Compute v1 schemas and methods from the Go client that
// Google generates from that document (google.golang.org/api/compute/v1/compute*-gen.go), for when
// the JSON itself cannot be had: current copies are over 4 MiB. What the Go code keeps: every field's
// JSON name, its type (objects, lists, maps, strings, booleans, numbers; `,string` marks int64 and
// uint64), enum values ("Possible values:" comments), output-only fields ("[Output Only]" in the
// description), each method's HTTP verb, path, request type and query parameters. What it loses:
// int32 and uint32 are both `int64` in Go (written here as int32), float and double are both
// `float64` (written as double), and the document's revision. infra/local/discovery/README.md.
import type { DiscoveryDoc, SchemaDef } from '../infra/local/discovery/validate.ts';

interface GoMethod {
  id: string;
  httpMethod: string;
  path: string;
  request?: { $ref: string };
  parameters: Record<string, { type: string; location: string }>;
}

/** Query parameters every Google API takes (the Go client sets them through CallOptions). */
const GLOBAL_PARAMS = [
  '$.xgafv',
  'access_token',
  'alt',
  'callback',
  'fields',
  'key',
  'oauth_token',
  'prettyPrint',
  'quotaUser',
  'uploadType',
  'upload_protocol',
  'userIp',
];

const FIELD = /^\t(\w+)\s+(\S+)\s+`json:"([^",]+)((?:,[a-z]+)*)"`/;

/** Every struct of the Go sources as a discovery schema. */
export function goSchemas(source: string): Record<string, SchemaDef> {
  const out: Record<string, SchemaDef> = {};
  const struct = /^type (\w+) struct \{\n([\s\S]*?)^\}/gm;
  for (const m of source.matchAll(struct)) {
    const properties: Record<string, SchemaDef> = {};
    let comment: string[] = [];
    for (const line of m[2].split('\n')) {
      if (/^\t\/\//.test(line)) {
        comment.push(line.replace(/^\t\/\/ ?/, ''));
        continue;
      }
      const f = FIELD.exec(line);
      if (f && f[3] !== '-') properties[f[3]] = fieldDef(f[2], f[4].includes(',string'), comment);
      comment = [];
    }
    out[m[1]] = { id: m[1], type: 'object', properties };
  }
  return out;
}

function fieldDef(goType: string, asString: boolean, comment: string[]): SchemaDef {
  const def = typeDef(goType, asString);
  const text = comment.join(' ');
  if (/\[Output Only\]|^\w+: Output only\./.test(text)) def.readOnly = true;
  const at = comment.findIndex((l) => l.trim() === 'Possible values:');
  if (at >= 0) {
    const values = comment
      .slice(at + 1)
      .map((l) => /^ {2}"([^"]+)"/.exec(l)?.[1])
      .filter((v): v is string => v !== undefined);
    const target = def.type === 'array' ? (def.items ?? {}) : def;
    if (values.length) target.enum = values;
  }
  return def;
}

function typeDef(goType: string, asString: boolean): SchemaDef {
  if (goType.startsWith('[]')) return { type: 'array', items: typeDef(goType.slice(2), asString) };
  if (goType.startsWith('map[string]'))
    return { type: 'object', additionalProperties: typeDef(goType.slice(11), false) };
  if (goType.startsWith('*')) return { $ref: goType.slice(1) };
  if (goType === 'string') return { type: 'string' };
  if (goType === 'bool') return { type: 'boolean' };
  if (goType === 'float64') return { type: 'number', format: 'double' };
  if (goType === 'int64')
    return asString ? { type: 'string', format: 'int64' } : { type: 'integer', format: 'int32' };
  if (goType === 'uint64')
    return asString ? { type: 'string', format: 'uint64' } : { type: 'integer', format: 'uint32' };
  if (goType === 'googleapi.RawMessage' || goType === 'interface{}' || goType === 'any')
    return { type: 'any' };
  return { $ref: goType };
}

/** The methods with these ids (`compute.backendServices.insert`, ...) as the Go client calls them. */
export function goMethods(source: string, ids: string[]): Record<string, GoMethod> {
  const out: Record<string, GoMethod> = {};
  for (const id of ids) {
    const rpc = source.indexOf(`"rpcName", "${id}", "request"`);
    if (rpc < 0) throw new Error(`the Go sources have no method ${id}`);
    const fn = source.lastIndexOf('\nfunc (c *', rpc);
    const call = /^\nfunc \(c \*(\w+)\) doRequest/.exec(source.slice(fn, fn + 200))?.[1];
    const body = source.slice(fn, rpc);
    const path = /ResolveRelative\(c\.s\.BasePath, "([^"]+)"\)/.exec(body)?.[1];
    const verb = /http\.NewRequest\("(\w+)"/.exec(body)?.[1];
    if (!call || !path || !verb) throw new Error(`cannot read the Go client's ${id}`);
    const method: GoMethod = { id, httpMethod: verb, path, parameters: {} };
    const buffer = /JSONBuffer\(c\.(\w+)\)/.exec(body)?.[1];
    if (buffer) {
      const struct = new RegExp(`^type ${call} struct \\{([\\s\\S]*?)^\\}`, 'm').exec(source)?.[1] ?? '';
      const type = new RegExp(`^\\s+${buffer}\\s+\\*(\\w+)`, 'm').exec(struct)?.[1];
      if (!type) throw new Error(`cannot find the request type of ${id}`);
      method.request = { $ref: type };
    }
    for (const p of path.matchAll(/\{(\w+)\}/g))
      method.parameters[p[1]] = { type: 'string', location: 'path' };
    const setter = new RegExp(
      `^func \\(c \\*${call}\\) \\w+\\([^)]*\\) \\*${call} \\{\\n\\s+c\\.urlParams_\\.Set(?:Multi)?\\("(\\w+)"`,
      'gm',
    );
    for (const s of source.matchAll(setter))
      if (s[1] !== 'fields') method.parameters[s[1]] = { type: 'string', location: 'query' };
    out[id] = method;
  }
  return out;
}

/** A discovery document (compute:v1) holding every Go struct and the methods `ids`. */
export function discoveryFromGo(source: string, ids: string[]): DiscoveryDoc {
  const resources: DiscoveryDoc['resources'] = {};
  for (const [id, m] of Object.entries(goMethods(source, ids))) {
    const [, coll, name] = id.split('.');
    ((resources[coll] ??= {}).methods ??= {})[name] = m;
  }
  const parameters = Object.fromEntries(GLOBAL_PARAMS.map((p) => [p, { type: 'string', location: 'query' }]));
  return { id: 'compute:v1', revision: 'unknown', parameters, schemas: goSchemas(source), resources };
}
