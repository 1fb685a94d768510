// Zonal GCE_VM_IP_PORT network endpoint groups: created and removed in-process (the Kubernetes
// stand-in's NEG controller, tests, the admin surface), read through the API, and the references
// backend services hold to them and to health checks.
import { type ApiResult, badRequest, invalid, notFound } from './errors.ts';
import { decodePageToken, matchesFilter, pageOf, pageSize, parseFilter } from './listing.ts';
import {
  type ComputeState,
  findNeg,
  HEALTH_STATES,
  type HealthState,
  type NegEndpoint,
  negKey,
  negSelfLink,
  newId,
  type Obj,
  selfLinkOf,
  type StoredNeg,
  timestamp,
} from './store.ts';
import { NAME_RE, parseNegUrl } from './validate.ts';

export interface NegSpec {
  /** Absent: the NEG is visible in every project. */
  project?: string;
  zone: string;
  name: string;
  endpoints?: NegEndpoint[];
}

export type NegDeletion =
  { deleted: true } | { deleted: false; reason: 'notFound' | 'inUse'; message: string; usedBy: string[] };

/** Backend services (`projects/P/global/backendServices/N`) whose healthChecks name `key`. */
export function findUsersOfHealthCheck(state: ComputeState, key: string): string[] {
  const link = selfLinkOf(key);
  return [...state.resources.backendServices.entries()]
    .filter(([, b]) => Array.isArray(b.healthChecks) && b.healthChecks.includes(link))
    .map(([k]) => k)
    .sort();
}

/** Backend services with a backend on the NEG; a project-less NEG is used from any project. */
export function backendServiceUsers(
  state: ComputeState,
  project: string,
  zone: string,
  name: string,
): string[] {
  return [...state.resources.backendServices.entries()]
    .filter(([, b]) =>
      ((b.backends as Obj[] | undefined) ?? []).some((be) => {
        const g = typeof be.group === 'string' ? parseNegUrl(be.group) : undefined;
        return g && g.zone === zone && g.name === name && (project === '*' || g.project === project);
      }),
    )
    .map(([k]) => k)
    .sort();
}

function specProblems(spec: NegSpec): string | undefined {
  if (!spec || typeof spec.zone !== 'string' || !NAME_RE.test(spec.zone))
    return `NEG zone must be a zone name like us-central1-a, got ${JSON.stringify(spec?.zone)}`;
  if (typeof spec.name !== 'string' || spec.name.length > 63 || !NAME_RE.test(spec.name))
    return `NEG name must match [a-z]([-a-z0-9]*[a-z0-9])? (at most 63 characters), got ${JSON.stringify(spec.name)}`;
  for (const e of spec.endpoints ?? []) {
    if (typeof e.ipAddress !== 'string' || !Number.isInteger(e.port) || e.port < 1 || e.port > 65535)
      return `NEG ${spec.zone}/${spec.name}: every endpoint needs ipAddress and a port from 1 to 65535, got ${JSON.stringify(e)}`;
    if (e.healthState !== undefined && !HEALTH_STATES.includes(e.healthState))
      return `NEG ${spec.zone}/${spec.name}: healthState must be one of ${HEALTH_STATES.join(', ')}`;
  }
  return undefined;
}

/** Creates the NEG or replaces its endpoints (an absent list keeps them). Throws on a malformed spec. */
export function putNeg(state: ComputeState, spec: NegSpec): StoredNeg {
  const problem = specProblems(spec);
  if (problem) throw new Error(problem);
  const project = spec.project ?? '*';
  const key = negKey(project, spec.zone, spec.name);
  const existing = state.negs.get(key);
  const neg: StoredNeg = existing
    ? { ...existing, endpoints: spec.endpoints ? structuredClone(spec.endpoints) : existing.endpoints }
    : {
        project,
        zone: spec.zone,
        name: spec.name,
        id: newId(),
        creationTimestamp: timestamp(),
        endpoints: structuredClone(spec.endpoints ?? []),
      };
  state.negs.set(key, neg);
  return structuredClone(neg);
}

/** Deletes a NEG unless a backend service still uses it (Compute refuses that, and so do we). */
export function deleteNeg(state: ComputeState, zone: string, name: string, project = '*'): NegDeletion {
  const key = negKey(project, zone, name);
  if (!state.negs.has(key))
    return { deleted: false, reason: 'notFound', message: `NEG ${zone}/${name} does not exist`, usedBy: [] };
  const usedBy = backendServiceUsers(state, project, zone, name);
  if (usedBy.length) {
    const p = project === '*' ? 'PROJECT' : project;
    const message = `The network_endpoint_group resource 'projects/${p}/zones/${zone}/networkEndpointGroups/${name}' is already being used by '${usedBy[0]}'`;
    return { deleted: false, reason: 'inUse', message, usedBy };
  }
  state.negs.delete(key);
  return { deleted: true };
}

/** Sets what getHealth reports for one endpoint; false when there is no such NEG or endpoint. */
export function setEndpointHealth(
  state: ComputeState,
  where: {
    project?: string;
    zone: string;
    name: string;
    ipAddress: string;
    port: number;
    healthState: HealthState;
  },
): boolean {
  if (!HEALTH_STATES.includes(where.healthState)) return false;
  const neg = state.negs.get(negKey(where.project ?? '*', where.zone, where.name));
  const ep = neg?.endpoints.find((e) => e.ipAddress === where.ipAddress && e.port === where.port);
  if (!ep) return false;
  ep.healthState = where.healthState;
  return true;
}

export function negBody(neg: StoredNeg, project: string): Obj {
  return {
    kind: 'compute#networkEndpointGroup',
    id: neg.id,
    creationTimestamp: neg.creationTimestamp,
    name: neg.name,
    networkEndpointType: 'GCE_VM_IP_PORT',
    size: neg.endpoints.length,
    zone: selfLinkOf(`projects/${project}/zones/${neg.zone}`),
    network: selfLinkOf(`projects/${project}/global/networks/default`),
    selfLink: negSelfLink(project, neg.zone, neg.name),
  };
}

export function getNeg(state: ComputeState, project: string, zone: string, name: string): ApiResult {
  const neg = findNeg(state, project, zone, name);
  if (!neg) return notFound(`projects/${project}/zones/${zone}/networkEndpointGroups/${name}`);
  return { status: 200, body: negBody(neg, project) };
}

export function listNegs(
  state: ComputeState,
  project: string,
  zone: string,
  query: URLSearchParams,
): ApiResult {
  const size = pageSize(query.get('maxResults'));
  if (size === undefined)
    return invalid([
      `Invalid value for field 'maxResults': '${query.get('maxResults')}'. Must be from 0 to 500.`,
    ]);
  const clauses = parseFilter(query.get('filter'));
  if (typeof clauses === 'string') return invalid([clauses]);
  const token = query.get('pageToken');
  const after = token ? decodePageToken(token) : undefined;
  if (token && after === undefined) return invalid([`Invalid value for field 'pageToken': '${token}'.`]);
  const all = [...state.negs.values()]
    .filter(
      (n) =>
        n.zone === zone &&
        (n.project === project || (n.project === '*' && !state.negs.has(negKey(project, zone, n.name)))),
    )
    .map((n) => negBody(n, project))
    .filter((b) => matchesFilter(b, clauses))
    .sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));
  const { items, nextPageToken } = pageOf(all, size, after);
  const path = `projects/${project}/zones/${zone}/networkEndpointGroups`;
  const body: Obj = { kind: 'compute#networkEndpointGroupList', id: path, selfLink: selfLinkOf(path) };
  if (items.length) body.items = items;
  if (nextPageToken) body.nextPageToken = nextPageToken;
  return { status: 200, body };
}

/** POST …/networkEndpointGroups/N/listNetworkEndpoints. */
export function listNetworkEndpoints(
  state: ComputeState,
  project: string,
  zone: string,
  name: string,
): ApiResult {
  const neg = findNeg(state, project, zone, name);
  if (!neg) return notFound(`projects/${project}/zones/${zone}/networkEndpointGroups/${name}`);
  const items = neg.endpoints.map((e) => ({ networkEndpoint: { ipAddress: e.ipAddress, port: e.port } }));
  return {
    status: 200,
    body: { kind: 'compute#networkEndpointGroupsListNetworkEndpoints', ...(items.length ? { items } : {}) },
  };
}

/** POST …/backendServices/N/getHealth {group}: one entry per endpoint of that backend's NEG. */
export function getHealth(state: ComputeState, project: string, bsName: string, body: Obj): ApiResult {
  const key = `projects/${project}/global/backendServices/${bsName}`;
  const bs = state.resources.backendServices.get(key);
  if (!bs) return notFound(key);
  const group = typeof body.group === 'string' ? body.group : '';
  const isBackend = ((bs.backends as Obj[] | undefined) ?? []).some((b) => b.group === group);
  const ref = parseNegUrl(group);
  if (!ref || !isBackend)
    return badRequest(
      `Invalid value for field 'resourceGroupReference.group': '${group}'. Not a backend of ${key}.`,
    );
  const neg = findNeg(state, ref.project, ref.zone, ref.name);
  if (!neg) return notFound(`projects/${ref.project}/zones/${ref.zone}/networkEndpointGroups/${ref.name}`);
  const healthStatus = neg.endpoints.map((e) => ({
    ipAddress: e.ipAddress,
    port: e.port,
    healthState: e.healthState ?? 'HEALTHY',
  }));
  return {
    status: 200,
    body: { kind: 'compute#backendServiceGroupHealth', ...(healthStatus.length ? { healthStatus } : {}) },
  };
}
