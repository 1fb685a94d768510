// Request checks driven by a Google discovery document: what Google's front end refuses before the
// service sees a request (docs/api-fidelity.md). Unknown fields at any depth and unknown query
// parameters, enum values, int32/uint32 ranges, floats, durations; output-only fields are ignored.
// Messages follow the front end's ("Invalid JSON payload received. Unknown name ...").
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SchemaDef {
  id?: string;
  type?: string;
  $ref?: string;
  format?: string;
  enum?: string[];
  readOnly?: boolean;
  properties?: Record<string, SchemaDef>;
  items?: SchemaDef;
  additionalProperties?: SchemaDef;
}

export interface MethodDef {
  id?: string;
  httpMethod: string;
  path: string;
  parameters?: Record<string, unknown>;
  request?: { $ref: string };
}

export interface ResourceDef {
  methods?: Record<string, MethodDef>;
  resources?: Record<string, ResourceDef>;
}

export interface DiscoveryDoc {
  id: string;
  revision: string;
  parameters: Record<string, unknown>;
  schemas: Record<string, SchemaDef>;
  resources: Record<string, ResourceDef>;
}

export interface FieldViolation {
  field: string;
  description: string;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const NETWORK_SERVICES_V1 = path.join(HERE, 'networkservices-v1.json');
/** A subset of Compute v1 (README.md; scripts/refresh-compute-discovery.ts). */
export const COMPUTE_V1 = path.join(HERE, 'compute-v1.json');

const loaded = new Map<string, DiscoveryDoc>();

/** The discovery document at `file` (default: the vendored Network Services v1), read once. */
export function loadDiscovery(file = NETWORK_SERVICES_V1): DiscoveryDoc {
  let doc = loaded.get(file);
  if (!doc) loaded.set(file, (doc = JSON.parse(readFileSync(file, 'utf8')) as DiscoveryDoc));
  return doc;
}

/** `projects.locations.<collection>.<method>` of the document, if it has one. */
export function methodOf(doc: DiscoveryDoc, collection: string, name: string): MethodDef | undefined {
  return doc.resources.projects?.resources?.locations?.resources?.[collection]?.methods?.[name];
}

/** The proto field name of a JSON name: `requestMirrorPolicy` -> `request_mirror_policy`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Field paths in messages: proto names for Network Services, JSON names for Compute ('resource.healthChecks'). */
function pathName(doc: DiscoveryDoc, name: string): string {
  return doc.id === 'networkservices:v1' ? snakeCase(name) : name;
}

/** Query parameters the method does not declare (nor the document's global ones). */
export function checkQuery(doc: DiscoveryDoc, method: MethodDef, query: URLSearchParams): FieldViolation[] {
  const known = new Set([...Object.keys(method.parameters ?? {}), ...Object.keys(doc.parameters)]);
  const out: FieldViolation[] = [];
  for (const key of new Set(query.keys())) {
    if (known.has(key)) continue;
    out.push({
      field: key,
      description: `Invalid JSON payload received. Unknown name "${key}": Cannot bind query parameter. Field '${key}' could not be found in request message.`,
    });
  }
  return out;
}

/** Checks `body` against schema `schemaName`; `root` names the request field (e.g. `http_route`). */
export function checkBody(
  doc: DiscoveryDoc,
  schemaName: string,
  body: unknown,
  root: string,
): FieldViolation[] {
  const out: FieldViolation[] = [];
  checkValue(doc, { $ref: schemaName }, body, root, out);
  return out;
}

const INT_RANGES: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  int64: [-(2 ** 63), 2 ** 63],
  uint64: [0, 2 ** 64],
};
const FLOAT_MAX = 3.4028234663852886e38;
const DURATION = /^-?\d+(\.\d{1,9})?s$/;
const NUMERIC = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
/** How the front end names a message type of the document's API (Compute's is not proto-named). */
function typePrefix(doc: DiscoveryDoc): string {
  return doc.id === 'networkservices:v1' ? 'type.googleapis.com/google.cloud.networkservices.v1.' : '';
}

function invalid(out: FieldViolation[], at: string, typeName: string, value: unknown): void {
  out.push({ field: at, description: `Invalid value at '${at}' (${typeName}), ${JSON.stringify(value)}` });
}

function checkValue(
  doc: DiscoveryDoc,
  schema: SchemaDef,
  value: unknown,
  at: string,
  out: FieldViolation[],
): void {
  if (value === null || value === undefined) return; // proto JSON: null is the default
  const def = schema.$ref ? doc.schemas[schema.$ref] : schema;
  if (!def) return;
  if (def.type === 'array') {
    if (!Array.isArray(value)) return invalid(out, at, typeNameOf(def.items ?? {}, doc), value);
    value.forEach((item, i) => checkValue(doc, def.items ?? {}, item, `${at}[${i}]`, out));
    return;
  }
  if (def.type === 'object') return checkObject(doc, def, schema.$ref, value, at, out);
  if (!scalarOk(def, value)) invalid(out, at, typeNameOf(def, doc), value);
}

function checkObject(
  doc: DiscoveryDoc,
  def: SchemaDef,
  ref: string | undefined,
  value: unknown,
  at: string,
  out: FieldViolation[],
): void {
  if (typeof value !== 'object' || Array.isArray(value))
    return invalid(out, at, ref ? typePrefix(doc) + ref : 'map', value);
  const entries = Object.entries(value as Record<string, unknown>);
  if (def.additionalProperties) {
    for (const [k, v] of entries)
      checkValue(doc, def.additionalProperties, v, `${at}[${JSON.stringify(k)}]`, out);
    return;
  }
  const props = def.properties ?? {};
  for (const [k, v] of entries) {
    const field = Object.hasOwn(props, k) ? props[k] : undefined;
    if (!field) {
      out.push({
        field: at,
        description: `Invalid JSON payload received. Unknown name "${k}" at '${at}': Cannot find field.`,
      });
    } else if (!field.readOnly) checkValue(doc, field, v, `${at}.${pathName(doc, k)}`, out);
  }
}

function scalarOk(def: SchemaDef, value: unknown): boolean {
  if (def.type === 'any') return true;
  if (def.type === 'boolean') return typeof value === 'boolean';
  if (
    def.type === 'integer' ||
    (def.type === 'string' && (def.format === 'int64' || def.format === 'uint64'))
  )
    return integerOk(def.format ?? 'int32', value);
  if (def.type === 'number') return numberOk(def.format, value);
  if (typeof value !== 'string') return false;
  if (def.enum) return def.enum.includes(value);
  if (def.format === 'google-duration') return DURATION.test(value);
  if (def.format === 'google-datetime') return !Number.isNaN(Date.parse(value));
  return true;
}

function integerOk(format: string, value: unknown): boolean {
  const n = typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) return false;
  const [lo, hi] = INT_RANGES[format] ?? INT_RANGES.int32;
  return n >= lo && n <= hi;
}

function numberOk(format: string | undefined, value: unknown): boolean {
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return true;
  const n = typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) return false;
  return format !== 'float' || Math.abs(n) <= FLOAT_MAX;
}

function typeNameOf(def: SchemaDef, doc: DiscoveryDoc): string {
  if (def.$ref) return typePrefix(doc) + def.$ref;
  const resolved = def;
  if (resolved.enum) return 'TYPE_ENUM';
  if (resolved.format === 'google-duration') return 'type.googleapis.com/google.protobuf.Duration';
  if (resolved.format === 'google-datetime') return 'type.googleapis.com/google.protobuf.Timestamp';
  if (resolved.format === 'float') return 'TYPE_FLOAT';
  if (resolved.format === 'double') return 'TYPE_DOUBLE';
  if (resolved.format) return `TYPE_${resolved.format.toUpperCase()}`;
  if (resolved.type === 'boolean') return 'TYPE_BOOL';
  if (resolved.type === 'object')
    return doc.schemas[resolved.id ?? ''] ? typePrefix(doc) + resolved.id : 'map';
  return 'TYPE_STRING';
}
