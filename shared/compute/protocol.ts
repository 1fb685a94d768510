// What a Service port's backend service speaks, how it is health-checked and balanced
// (docs/backends.md §4, §5). Pure functions of the Service and the destination's transport alone:
// one backend service serves every route of its transport that sends to the port, whichever
// parent's sync writes it, so nothing here may depend on the routes (two parents would otherwise
// write different protocols to the same backend service). TCPRoute and TLSRoute destinations have
// backend services of their own (transport 'TCP', shared/translate/types.ts BackendMapping).
import type { Service, ServicePort } from '../gamma/types.ts';
import type { Problem } from '../translate/model.ts';
import {
  BACKEND_PROTOCOL_ANNOTATION_PREFIX,
  HEALTH_CHECK_ANNOTATION_PREFIX,
  MAX_RATE_ANNOTATION_PREFIX,
} from './types.ts';

export type BackendProtocol = 'HTTP' | 'HTTP2' | 'GRPC' | 'TCP';
export type HealthCheckType = 'TCP' | 'HTTP' | 'HTTP2' | 'GRPC';

export interface HealthCheckConfig {
  type: HealthCheckType;
  /** HTTP and HTTP2 checks: the request path. */
  requestPath?: string;
  /** GRPC checks: the grpc.health.v1 service name asked for. */
  grpcServiceName?: string;
}

/**
 * How each NEG backend is balanced, in Compute's own field names: RATE (requests per second) for
 * HTTP, HTTP/2 and gRPC; CONNECTION for TCP, which RATE does not support (docs/backends.md §3).
 */
export type Balancing =
  | { balancingMode: 'RATE'; maxRatePerEndpoint: number }
  | { balancingMode: 'CONNECTION'; maxConnectionsPerEndpoint: number };

export interface PortBackend {
  protocol: BackendProtocol;
  /** How the protocol was chosen, for `translate -o text` and the doctor. */
  protocolFrom: string;
  healthCheck: HealthCheckConfig;
  balancing: Balancing;
}

export type PortBackendResult = { ok: true; backend: PortBackend } | { ok: false; problem: Problem };

/**
 * Requests per second per endpoint at which RATE balancing counts a backend as full. It only
 * weighs zones against each other (no request is refused at it), so a generous value keeps traffic
 * local until a zone is really busy; Google's examples use 5, which spills over far too early.
 */
export const DEFAULT_MAX_RATE_PER_ENDPOINT = 100;

/** Concurrent connections per endpoint at which CONNECTION balancing counts a backend as full (a hint too). */
export const DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT = 1000;

/** GKE's own per-port protocol annotations (JSON map of port name or number to HTTP|HTTPS|HTTP2). */
const GKE_APP_PROTOCOLS = ['networking.gke.io/app-protocols', 'cloud.google.com/app-protocols'];

const APP_PROTOCOLS: Record<string, BackendProtocol> = {
  'kubernetes.io/h2c': 'HTTP2',
  grpc: 'HTTP2',
  http2: 'HTTP2',
  h2c: 'HTTP2',
  http: 'HTTP',
  'kubernetes.io/http': 'HTTP',
};

function label(service: Service): string {
  return `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
}

function unsupported(service: Service, port: number, message: string): PortBackendResult {
  return {
    ok: false,
    problem: {
      reason: 'UnsupportedProtocol',
      message: `Service ${label(service)} port ${port}: ${message}`,
    },
  };
}

function gkeAppProtocol(service: Service, servicePort: ServicePort): string | undefined {
  for (const key of GKE_APP_PROTOCOLS) {
    const raw = service.metadata.annotations?.[key];
    if (typeof raw !== 'string') continue;
    try {
      const map = JSON.parse(raw) as Record<string, unknown>;
      const value =
        map?.[String(servicePort.port)] ?? (servicePort.name ? map?.[servicePort.name] : undefined);
      if (typeof value === 'string') return value;
    } catch {
      // A malformed GKE annotation is GKE's to report; the port falls back to appProtocol.
    }
  }
  return undefined;
}

function chooseProtocol(
  service: Service,
  servicePort: ServicePort,
): { protocol: BackendProtocol; from: string } | { problem: string } {
  const port = servicePort.port;
  const override = service.metadata.annotations?.[`${BACKEND_PROTOCOL_ANNOTATION_PREFIX}${port}`];
  if (typeof override === 'string') {
    const value = override.toUpperCase();
    if (value === 'HTTP' || value === 'HTTP2' || value === 'GRPC')
      return { protocol: value, from: `annotation ${BACKEND_PROTOCOL_ANNOTATION_PREFIX}${port}` };
    return {
      problem: `annotation ${BACKEND_PROTOCOL_ANNOTATION_PREFIX}${port} is ${JSON.stringify(override)}; use HTTP, HTTP2 or GRPC`,
    };
  }
  const gke = gkeAppProtocol(service, servicePort);
  if (gke === 'HTTP' || gke === 'HTTP2') return { protocol: gke, from: 'GKE app-protocols annotation' };
  if (gke !== undefined)
    return {
      problem: `the GKE app-protocols annotation says ${JSON.stringify(gke)}; the mesh serves plaintext HTTP and HTTP/2 only (use HTTP or HTTP2)`,
    };
  const app = servicePort.appProtocol;
  if (app === undefined || app === '') return { protocol: 'HTTP', from: 'default (no appProtocol)' };
  const mapped = APP_PROTOCOLS[app.toLowerCase()];
  if (mapped) return { protocol: mapped, from: `appProtocol ${app}` };
  return {
    problem: `appProtocol ${JSON.stringify(app)} is not supported (the mesh's backend services speak HTTP, h2c or gRPC: use http, kubernetes.io/h2c or grpc, or annotate ${BACKEND_PROTOCOL_ANNOTATION_PREFIX}${port})`,
  };
}

const HEALTH_CHECK_SYNTAX = 'tcp, http[:/path], http2[:/path] or grpc[:service]';

/** `tcp`, `http:/healthz`, `http2`, `grpc:my.Service`: the health check override's syntax. */
export function parseHealthCheck(text: string): HealthCheckConfig | undefined {
  const at = text.indexOf(':');
  const kind = (at < 0 ? text : text.slice(0, at)).trim().toLowerCase();
  const arg = at < 0 ? undefined : text.slice(at + 1).trim();
  if (kind === 'tcp' && arg === undefined) return { type: 'TCP' };
  if (kind === 'http' || kind === 'http2') {
    const path = arg ?? '/';
    if (!/^\/[\x21-\x7e]{0,1023}$/.test(path)) return undefined;
    return { type: kind === 'http' ? 'HTTP' : 'HTTP2', requestPath: path };
  }
  if (kind === 'grpc') {
    if (arg === undefined || arg === '') return { type: 'GRPC' };
    return /^[A-Za-z0-9_.]{1,1024}$/.test(arg) ? { type: 'GRPC', grpcServiceName: arg } : undefined;
  }
  return undefined;
}

/** The health check override annotation of the port, or TCP; an invalid value is a problem. */
function chooseHealthCheck(service: Service, port: number): HealthCheckConfig | { problem: string } {
  const hcText = service.metadata.annotations?.[`${HEALTH_CHECK_ANNOTATION_PREFIX}${port}`];
  if (typeof hcText !== 'string') return { type: 'TCP' };
  return (
    parseHealthCheck(hcText) ?? {
      problem: `annotation ${HEALTH_CHECK_ANNOTATION_PREFIX}${port} is ${JSON.stringify(hcText)}; use ${HEALTH_CHECK_SYNTAX}`,
    }
  );
}

/** RATE with the port's max-rate annotation, or its default. */
function rateBalancing(service: Service, port: number): Balancing | { problem: string } {
  const rateText = service.metadata.annotations?.[`${MAX_RATE_ANNOTATION_PREFIX}${port}`];
  if (typeof rateText !== 'string')
    return { balancingMode: 'RATE', maxRatePerEndpoint: DEFAULT_MAX_RATE_PER_ENDPOINT };
  const rate = Number(rateText);
  if (!/^\d+(\.\d+)?$/.test(rateText.trim()) || !(rate > 0) || rate > 1e6)
    return {
      problem: `annotation ${MAX_RATE_ANNOTATION_PREFIX}${port} is ${JSON.stringify(rateText)}; use a number of requests per second above 0`,
    };
  return { balancingMode: 'RATE', maxRatePerEndpoint: rate };
}

/**
 * The backend of one Service port for destinations of `transport`: HTTP and gRPC routes' (absent)
 * get the protocol of the override annotation, then GKE's app-protocols annotation, then
 * `appProtocol`, and RATE balancing; TCPRoute and TLSRoute destinations ('TCP') get protocol TCP
 * whatever the port declares (a TLSRoute passes TLS through untouched) and CONNECTION balancing.
 * Health check: TCP unless overridden (NEG endpoints are ready pods already, and a TCP check never
 * fails a server for lacking a health endpoint).
 */
export function portBackend(service: Service, port: number, transport?: 'TCP'): PortBackendResult {
  const servicePort = (service.spec?.ports ?? []).find((p) => p && p.port === port);
  if (!servicePort) return unsupported(service, port, 'no such port');
  const chosen =
    transport === 'TCP'
      ? { protocol: 'TCP' as const, from: 'a TCPRoute or TLSRoute destination' }
      : chooseProtocol(service, servicePort);
  if ('problem' in chosen) return unsupported(service, port, chosen.problem);
  const healthCheck = chooseHealthCheck(service, port);
  if ('problem' in healthCheck) return unsupported(service, port, healthCheck.problem);
  const balancing: Balancing | { problem: string } =
    transport === 'TCP'
      ? { balancingMode: 'CONNECTION', maxConnectionsPerEndpoint: DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT }
      : rateBalancing(service, port);
  if ('problem' in balancing) return unsupported(service, port, balancing.problem);
  return {
    ok: true,
    backend: { protocol: chosen.protocol, protocolFrom: chosen.from, healthCheck, balancing },
  };
}
