// OpenAPI v3 documents for the served kinds, and the unknown-field check behind `fieldValidation`.
// kubectl apply (validation on by default) reads /openapi/v3, finds each kind's PATCH operation in its
// group-version document and, because it lists the `fieldValidation` parameter, leaves validation to
// the server (it sends fieldValidation=Strict). The schemas are hand-written and minimal (no CRDs are
// vendored in the repository): the fields gamma-csm and the examples use are spelled out; deeper
// Gateway API structures (matches, filters, retry, status) are kept open. See infra/local/k8s/README.md.
import type { ResourceDef } from './resources.ts';
import { RESOURCES } from './resources.ts';

export interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  required?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const open: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const strMap: Schema = { type: 'object', additionalProperties: str };
const arr = (items: Schema): Schema => ({ type: 'array', items });
const obj = (properties: Record<string, Schema>, required?: string[]): Schema => ({
  type: 'object',
  properties,
  ...(required ? { required } : {}),
});

const objectMeta = obj({
  name: str,
  generateName: str,
  namespace: str,
  selfLink: str,
  uid: str,
  resourceVersion: str,
  generation: int,
  creationTimestamp: str,
  deletionTimestamp: str,
  deletionGracePeriodSeconds: int,
  labels: strMap,
  annotations: strMap,
  ownerReferences: arr(open),
  finalizers: arr(str),
  managedFields: arr(open),
});

const servicePort = obj(
  {
    name: str,
    protocol: str,
    appProtocol: str,
    port: int,
    targetPort: { 'x-kubernetes-int-or-string': true },
    nodePort: int,
  },
  ['port'],
);

const serviceSpec = obj({
  ports: arr(servicePort),
  selector: strMap,
  clusterIP: str,
  clusterIPs: arr(str),
  type: str,
  externalIPs: arr(str),
  sessionAffinity: str,
  loadBalancerIP: str,
  loadBalancerSourceRanges: arr(str),
  externalName: str,
  externalTrafficPolicy: str,
  healthCheckNodePort: int,
  publishNotReadyAddresses: bool,
  sessionAffinityConfig: open,
  ipFamilies: arr(str),
  ipFamilyPolicy: str,
  allocateLoadBalancerNodePorts: bool,
  loadBalancerClass: str,
  internalTrafficPolicy: str,
  trafficDistribution: str,
});

const parentRef = obj({ group: str, kind: str, namespace: str, name: str, sectionName: str, port: int }, [
  'name',
]);
const backendRefFields = { group: str, kind: str, name: str, namespace: str, port: int, weight: int };
const backendRef = obj({ ...backendRefFields, filters: arr(open) });
const routeRule = (extra: Record<string, Schema>) =>
  obj({
    name: str,
    matches: arr(open),
    filters: arr(open),
    backendRefs: arr(backendRef),
    sessionPersistence: open,
    ...extra,
  });
const routeSpec = (extra: Record<string, Schema>) =>
  obj({ parentRefs: arr(parentRef), hostnames: arr(str), rules: arr(routeRule(extra)) });

// TCPRoute, TLSRoute and UDPRoute rules have no matches or filters: a rule is a name and weighted backends.
const streamRule = obj({ name: str, backendRefs: arr(obj(backendRefFields)) });
const streamSpec = (extra: Record<string, Schema>) =>
  obj({ parentRefs: arr(parentRef), useDefaultGateways: str, rules: arr(streamRule), ...extra });

const SPECS: Record<string, { spec: Schema; status: Schema }> = {
  Namespace: { spec: obj({ finalizers: arr(str) }), status: open },
  Service: { spec: serviceSpec, status: open },
  HTTPRoute: {
    spec: routeSpec({ timeouts: obj({ request: str, backendRequest: str }), retry: open }),
    status: open,
  },
  GRPCRoute: { spec: routeSpec({}), status: open },
  TCPRoute: { spec: streamSpec({}), status: open },
  TLSRoute: { spec: streamSpec({ hostnames: arr(str) }), status: open },
  UDPRoute: { spec: streamSpec({}), status: open },
  ReferenceGrant: {
    spec: obj({
      from: arr(obj({ group: str, kind: str, namespace: str }, ['group', 'kind', 'namespace'])),
      to: arr(obj({ group: str, kind: str, name: str }, ['group', 'kind'])),
    }),
    status: open,
  },
};

const schemaName = (def: ResourceDef, version: string) =>
  def.group
    ? `${def.group.split('.').reverse().join('.')}.${version}.${def.kind}`
    : `io.k8s.api.core.v1.${def.kind}`;

/** The schema of one kind in one version (the same for every version served). */
export function schemaOf(def: ResourceDef, version: string): Schema {
  // A kind served without a schema here still gets one that accepts any spec.
  const { spec, status } = SPECS[def.kind] ?? { spec: open, status: open };
  return {
    ...obj({ apiVersion: str, kind: str, metadata: objectMeta, spec, status }),
    'x-kubernetes-group-version-kind': [{ group: def.group, version, kind: def.kind }],
  };
}

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const d of RESOURCES)
    for (const v of d.versions) seen.set(gvPath(d.group, v), { group: d.group, version: v });
  return [...seen.values()];
}

/** `/openapi/v3`: one entry per group-version, as the real server's index. */
export function openApiIndex(): Record<string, unknown> {
  const paths = Object.fromEntries(
    groupVersions().map(({ group, version }) => [
      gvPath(group, version),
      { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${group || 'core'}-${version}` },
    ]),
  );
  return { paths };
}

const param = (name: string) => ({ name, in: 'query', schema: { type: 'string' } });
const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation'].map(param);

/** One group-version document: item paths with their operations, and the kinds' schemas. */
export function openApiDocument(segs: string[]): Record<string, unknown> | undefined {
  const gv = groupVersions().find(({ group, version }) => gvPath(group, version) === segs.join('/'));
  if (!gv) return undefined;
  const defs = RESOURCES.filter((d) => d.group === gv.group && d.versions.includes(gv.version));
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, Schema> = {};
  for (const def of defs) {
    const gvk = { group: def.group, version: gv.version, kind: def.kind };
    const ref = { $ref: `#/components/schemas/${schemaName(def, gv.version)}` };
    const op = (verb: string, params = WRITE_PARAMS) => ({
      operationId: `${verb}${def.kind}`,
      'x-kubernetes-action': verb,
      'x-kubernetes-group-version-kind': gvk,
      parameters: params,
      responses: { '200': { content: { 'application/json': { schema: ref } } } },
    });
    const base = `/${gvPath(gv.group, gv.version)}${def.namespaced ? '/namespaces/{namespace}' : ''}/${def.plural}`;
    paths[base] = { get: op('list', []), post: op('post') };
    paths[`${base}/{name}`] = {
      get: op('get', []),
      put: op('put'),
      patch: op('patch'),
      delete: op('delete', []),
    };
    schemas[schemaName(def, gv.version)] = schemaOf(def, gv.version);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: gvPath(gv.group, gv.version) },
    paths,
    components: { schemas },
  };
}

/**
 * Paths of fields the schema does not know, in the server's spelling (`spec.foo`, `spec.rules[0].bar`).
 * Keys starting with `$` are strategic-merge directives, not fields.
 */
export function unknownFields(schema: Schema, value: unknown, at = ''): string[] {
  if (value === null || typeof value !== 'object' || schema['x-kubernetes-preserve-unknown-fields'])
    return [];
  if (Array.isArray(value))
    return schema.items
      ? value.flatMap((v, i) => unknownFields(schema.items as Schema, v, `${at}[${i}]`))
      : [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.startsWith('$')) continue;
    const path = at ? `${at}.${k}` : k;
    const sub = schema.properties?.[k] ?? schema.additionalProperties;
    if (!sub) {
      if (schema.properties) out.push(path);
      continue;
    }
    out.push(...unknownFields(sub, v, path));
  }
  return out;
}

/**
 * The `fieldValidation` query parameter: Strict refuses unknown fields (400, the real server's
 * message), Warn returns them as Warning headers, Ignore (and no parameter) accepts them.
 */
export function checkFields(
  def: ResourceDef,
  version: string,
  body: unknown,
  directive: string | null,
): { error?: string; warnings: string[] } {
  if (directive !== 'Strict' && directive !== 'Warn') return { warnings: [] };
  const unknown = unknownFields(schemaOf(def, version), body);
  if (!unknown.length) return { warnings: [] };
  if (directive === 'Strict')
    return {
      error: `strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
      warnings: [],
    };
  return { warnings: unknown.map((f) => `unknown field "${f}"`) };
}
