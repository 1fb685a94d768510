// GKE standalone NEGs as a Service reports them (docs/backends.md §1): the `cloud.google.com/neg`
// annotation asks GKE's NEG controller for one zonal NEG per exposed Service port, and the controller
// answers in `cloud.google.com/neg-status`:
//   {"network_endpoint_groups": {"<service port>": "<NEG name>"}, "zones": ["us-central1-a", ...]}
// Pure functions of the Service: every caller (translate's backend resolution, the desired Compute
// stage, the doctor) reads the annotations through here.
import type { Service } from '../gamma/types.ts';
import type { Problem } from '../translate/model.ts';
import { MAX_NEG_BACKENDS, NEG_ANNOTATION, NEG_STATUS_ANNOTATION } from './types.ts';

export interface PortNegs {
  /** The NEG's name (the same in every zone). */
  name: string;
  /** Zones the controller reports, sorted and de-duplicated. */
  zones: string[];
}

export type PortNegsResult = { ok: true; negs: PortNegs } | { ok: false; problem: Problem };

const ZONE = /^[a-z]+-[a-z]+[0-9]+-[a-z]$/;
const NEG_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

function serviceLabel(service: Service): string {
  return `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
}

function annotation(service: Service, key: string): string | undefined {
  const value = service.metadata.annotations?.[key];
  return typeof value === 'string' ? value : undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The Service ports the `cloud.google.com/neg` annotation exposes, or undefined without a readable one. */
export function exposedPorts(service: Service): Set<number> | undefined {
  const raw = annotation(service, NEG_ANNOTATION);
  if (raw === undefined) return undefined;
  const value = parseJsonObject(raw);
  const ports = value?.exposed_ports;
  if (ports === null || typeof ports !== 'object' || Array.isArray(ports)) return new Set();
  return new Set(
    Object.keys(ports)
      .map(Number)
      .filter((p) => Number.isInteger(p)),
  );
}

/** True when the `cloud.google.com/neg` annotation asks for the port's NEGs. */
export function negsRequested(service: Service, port: number): boolean {
  return exposedPorts(service)?.has(port) === true;
}

/**
 * The value of `cloud.google.com/neg` that also exposes `port`, keeping what the user wrote
 * (the exact text a status message tells them to set).
 */
export function negAnnotationWith(service: Service, port: number): string {
  const raw = annotation(service, NEG_ANNOTATION);
  const value = (raw !== undefined ? parseJsonObject(raw) : undefined) ?? {};
  const current = value.exposed_ports;
  const exposed =
    current !== null && typeof current === 'object' && !Array.isArray(current)
      ? { ...(current as Record<string, unknown>) }
      : {};
  if (!(String(port) in exposed)) exposed[String(port)] = {};
  return JSON.stringify({ ...value, exposed_ports: exposed });
}

function missingNeg(service: Service, port: number, why: string): PortNegsResult {
  const label = serviceLabel(service);
  return {
    ok: false,
    problem: {
      reason: 'BackendNotFound',
      message: `Service ${label} port ${port} ${why}; add the annotation ${NEG_ANNOTATION}: '${negAnnotationWith(service, port)}' to Service ${label} so GKE creates its network endpoint groups (docs/backends.md)`,
    },
  };
}

/**
 * The zonal NEGs behind one Service port, or why there are none: no annotation asking for them,
 * the controller has not reported them yet, or a malformed status.
 */
export function portNegs(service: Service, port: number): PortNegsResult {
  const label = serviceLabel(service);
  const statusText = annotation(service, NEG_STATUS_ANNOTATION);
  const exposed = exposedPorts(service);
  if (statusText === undefined) {
    if (!exposed?.has(port)) return missingNeg(service, port, 'has no GKE network endpoint group');
    return waiting(label, port);
  }
  const status = parseJsonObject(statusText);
  const byPort = status?.network_endpoint_groups;
  if (!status || (byPort !== undefined && (byPort === null || typeof byPort !== 'object')))
    return {
      ok: false,
      problem: {
        reason: 'BackendNotFound',
        message: `Service ${label}: annotation ${NEG_STATUS_ANNOTATION} is not the GKE NEG controller's JSON ({"network_endpoint_groups":{...},"zones":[...]}); remove it and let the controller rewrite it`,
      },
    };
  const name = (byPort as Record<string, unknown> | undefined)?.[String(port)];
  if (typeof name !== 'string' || !NEG_NAME.test(name)) {
    if (!exposed?.has(port)) return missingNeg(service, port, 'has no GKE network endpoint group');
    return waiting(label, port);
  }
  const rawZones = Array.isArray(status.zones) ? status.zones : [];
  const zones = [
    ...new Set(rawZones.filter((z): z is string => typeof z === 'string' && ZONE.test(z))),
  ].sort();
  if (zones.length === 0)
    return {
      ok: false,
      problem: {
        reason: 'BackendNotFound',
        message: `Service ${label} port ${port}: network endpoint group ${name} is in no zone yet (${NEG_STATUS_ANNOTATION} lists no zones; the cluster may have no nodes)`,
      },
    };
  if (zones.length > MAX_NEG_BACKENDS)
    return {
      ok: false,
      problem: {
        reason: 'BackendNotFound',
        message: `Service ${label} port ${port}: network endpoint group ${name} is in ${zones.length} zones, and a backend service takes at most ${MAX_NEG_BACKENDS} NEG backends (one per zone; Cloud Load Balancing limit); serve the port from clusters in fewer zones`,
      },
    };
  return { ok: true, negs: { name, zones } };
}

function waiting(label: string, port: number): PortNegsResult {
  return {
    ok: false,
    problem: {
      reason: 'BackendNotFound',
      message: `Service ${label} port ${port}: waiting for GKE's NEG controller to report the port's network endpoint group in ${NEG_STATUS_ANNOTATION} (it needs a VPC-native cluster)`,
    },
  };
}
