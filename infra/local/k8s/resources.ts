// The kinds the stand-in serves and the discovery documents kubectl and client-node read about them.
// Pure data: no I/O here.

import type { ObjectMeta } from '../../../shared/gamma/types.ts';
import { GATEWAY_GROUP } from '../../../shared/gamma/types.ts';

export { GATEWAY_GROUP };

export interface ResourceDef {
  group: string; // '' for core
  versions: string[]; // first is the storage/preferred version
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Has a /status subresource (status ignored on main-resource writes). */
  hasStatus: boolean;
  /** Extra table columns: name and how to read the cell from an object. */
  columns?: { name: string; cell(obj: KubeObj): string }[];
}

/** Object metadata as the stand-in stores it: the Gateway API types' metadata plus managedFields. */
export interface Meta extends ObjectMeta {
  managedFields?: ManagedField[];
}

export interface ManagedField {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
}

export interface KubeObj {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec?: unknown;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

const routeHostnames = (obj: KubeObj): string => {
  const hostnames = (obj.spec as { hostnames?: string[] } | undefined)?.hostnames ?? [];
  return hostnames.length ? hostnames.join(',') : '';
};

interface SvcSpec {
  type?: string;
  clusterIP?: string;
  externalName?: string;
  externalIPs?: string[];
  ports?: { port?: number; nodePort?: number; protocol?: string }[];
}
const svcSpec = (obj: KubeObj) => (obj.spec ?? {}) as SvcSpec;

/** kubectl's EXTERNAL-IP: the external name, external IPs, load balancer ingress, else <none>/<pending>. */
function externalIp(obj: KubeObj): string {
  const spec = svcSpec(obj);
  if (spec.type === 'ExternalName') return spec.externalName ?? '<none>';
  const ingress = (obj.status?.loadBalancer as { ingress?: { ip?: string; hostname?: string }[] } | undefined)
    ?.ingress;
  const ips = [...(spec.externalIPs ?? []), ...(ingress ?? []).map((i) => i.ip ?? i.hostname ?? '')];
  if (ips.length) return ips.join(',');
  return spec.type === 'LoadBalancer' ? '<pending>' : '<none>';
}

function ports(obj: KubeObj): string {
  const list = svcSpec(obj).ports ?? [];
  if (!list.length) return '<none>';
  return list.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

export const RESOURCES: ResourceDef[] = [
  {
    group: '',
    versions: ['v1'],
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    hasStatus: true,
    columns: [
      { name: 'Status', cell: (o) => String((o.status as { phase?: string } | undefined)?.phase ?? '') },
    ],
  },
  {
    group: '',
    versions: ['v1'],
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    hasStatus: true,
    // kubectl's usual Service columns (its built-in printer's names).
    columns: [
      { name: 'Type', cell: (o) => svcSpec(o).type ?? 'ClusterIP' },
      { name: 'Cluster-IP', cell: (o) => svcSpec(o).clusterIP ?? '<none>' },
      { name: 'External-IP', cell: externalIp },
      { name: 'Port(s)', cell: ports },
    ],
  },
  {
    group: GATEWAY_GROUP,
    versions: ['v1', 'v1beta1'],
    plural: 'httproutes',
    singular: 'httproute',
    kind: 'HTTPRoute',
    namespaced: true,
    hasStatus: true,
    columns: [{ name: 'Hostnames', cell: routeHostnames }],
  },
  {
    group: GATEWAY_GROUP,
    versions: ['v1'],
    plural: 'grpcroutes',
    singular: 'grpcroute',
    kind: 'GRPCRoute',
    namespaced: true,
    hasStatus: true,
    columns: [{ name: 'Hostnames', cell: routeHostnames }],
  },
  // TCPRoute and TLSRoute: the versions the Gateway API v1.6 experimental CRDs serve (v1 stored,
  // the older ones deprecated but served); their only printer column is Age.
  {
    group: GATEWAY_GROUP,
    versions: ['v1', 'v1alpha2'],
    plural: 'tcproutes',
    singular: 'tcproute',
    kind: 'TCPRoute',
    namespaced: true,
    hasStatus: true,
  },
  {
    group: GATEWAY_GROUP,
    versions: ['v1', 'v1alpha3', 'v1alpha2'],
    plural: 'tlsroutes',
    singular: 'tlsroute',
    kind: 'TLSRoute',
    namespaced: true,
    hasStatus: true,
  },
  {
    // Experimental, v1alpha2 only: watched and read to reject it in status (translate/udp.ts).
    group: GATEWAY_GROUP,
    versions: ['v1alpha2'],
    plural: 'udproutes',
    singular: 'udproute',
    kind: 'UDPRoute',
    namespaced: true,
    hasStatus: true,
  },
  {
    // Read by gamma-csm with GAMMA_CROSS_NAMESPACE_BACKENDS=referencegrant (docs/security.md §2).
    group: GATEWAY_GROUP,
    versions: ['v1beta1', 'v1'],
    plural: 'referencegrants',
    singular: 'referencegrant',
    kind: 'ReferenceGrant',
    namespaced: true,
    shortNames: ['refgrant'],
    hasStatus: false,
  },
];

export function apiVersionOf(def: ResourceDef, version: string): string {
  return def.group ? `${def.group}/${version}` : version;
}

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((d) => d.group === group && d.plural === plural && d.versions.includes(version));
}

export function qualifiedName(def: ResourceDef): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

// ---- discovery (legacy form; kubectl falls back to it when aggregated discovery is not offered) ----

function apiResource(def: ResourceDef): Record<string, unknown>[] {
  const main = {
    name: def.plural,
    singularName: def.singular,
    namespaced: def.namespaced,
    kind: def.kind,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    ...(def.shortNames ? { shortNames: def.shortNames } : {}),
    ...(def.group ? { categories: ['gateway-api'] } : {}),
  };
  const status = def.hasStatus
    ? [
        {
          name: `${def.plural}/status`,
          singularName: '',
          namespaced: def.namespaced,
          kind: def.kind,
          verbs: ['get', 'patch', 'update'],
        },
      ]
    : [];
  return [main, ...status];
}

export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const defs = RESOURCES.filter((d) => d.group === group && d.versions.includes(version));
  if (!defs.length) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: defs.flatMap(apiResource),
  };
}

/** Kubernetes version priority: GA, then beta, then alpha; a higher number first within each. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string) => {
    const m = /^v(\d+)(?:(beta|alpha)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    return [m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [x, y] = [rank(a), rank(b)];
  return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
}

function groupVersions(group: string): string[] {
  const versions = new Set<string>();
  for (const d of RESOURCES.filter((r) => r.group === group)) d.versions.forEach((v) => versions.add(v));
  return [...versions].sort(compareVersions);
}

export function apiGroup(group: string): Record<string, unknown> | undefined {
  const versions = groupVersions(group);
  if (!group || !versions.length) return undefined;
  const list = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(): Record<string, unknown> {
  const groups = [...new Set(RESOURCES.map((d) => d.group).filter(Boolean))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => apiGroup(g)) };
}

export function coreApiVersions(): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
  };
}

export function versionInfo(): Record<string, unknown> {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-gamma-csm-standin',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

// ---- tables (`kubectl get` asks for as=Table) ----

export function humanAge(since: string | undefined, now: number): string {
  if (!since) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function toTable(def: ResourceDef, items: KubeObj[], resourceVersion: string, now: number) {
  const extra = def.columns ?? [];
  const columnDefinitions = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name of the object', priority: 0 },
    ...extra.map((c) => ({ name: c.name, type: 'string', format: '', description: c.name, priority: 0 })),
    { name: 'Age', type: 'string', format: '', description: 'Time since creation', priority: 0 },
  ];
  const rows = items.map((obj) => ({
    cells: [
      obj.metadata.name,
      ...extra.map((c) => c.cell(obj)),
      humanAge(obj.metadata.creationTimestamp, now),
    ],
    object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata },
  }));
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions,
    rows,
  };
}
