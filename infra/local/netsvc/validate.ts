// Pure validation of Network Services v1 request bodies (the constraints the v1 API documents).
// Each check returns field violations; the server turns them into a 400 INVALID_ARGUMENT.
import {
  asObj,
  type Check,
  checkDestination,
  checkDuration,
  checkEnum,
  checkFault,
  checkHostnames,
  checkInt,
  checkLabels,
  checkNumber,
  checkRefs,
  checkRegex,
  checkRetryPolicy,
  checkSessionAffinity,
  checkString,
  checkWeights,
  eachOptional,
  eachRequired,
  exactlyOne,
  isHostname,
  isIpv4Cidr,
  type Obj,
  requireString,
  type ValidateOptions,
  type Violation,
} from './checks.ts';

export type { ValidateOptions, Violation } from './checks.ts';
export { durationSeconds, isHostname } from './checks.ts';

export type Kind = 'meshes' | 'httpRoutes' | 'grpcRoutes' | 'tcpRoutes' | 'tlsRoutes';
export const KINDS: readonly Kind[] = ['meshes', 'httpRoutes', 'grpcRoutes', 'tcpRoutes', 'tlsRoutes'];

export const RESOURCE_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const MESH_REF =
  /^(https:\/\/networkservices\.googleapis\.com\/v1[a-z0-9]*\/)?projects\/[^/]+\/locations\/[^/]+\/meshes\/[^/]+$/;
// TlsRoute targetProxies: projects/P/locations/L/targetTcpProxies/X (the discovery document).
const TARGET_TCP_PROXY_REF =
  /^(https:\/\/[a-z.]+\.googleapis\.com\/[a-z0-9]+\/)?projects\/[^/]+\/locations\/[^/]+\/targetTcpProxies\/[^/]+$/;
const HTTP_RETRY = ['5xx', 'gateway-error', 'reset', 'connect-failure', 'retriable-4xx', 'refused-stream'];
const GRPC_RETRY = [
  'connect-failure',
  'refused-stream',
  'cancelled',
  'deadline-exceeded',
  'resource-exhausted',
  'unavailable',
];
const REDIRECT_CODES = [
  'RESPONSE_CODE_UNSPECIFIED',
  'MOVED_PERMANENTLY_DEFAULT',
  'FOUND',
  'SEE_OTHER',
  'TEMPORARY_REDIRECT',
  'PERMANENT_REDIRECT',
];

/** Writable top-level fields per kind (output-only ones are dropped before validation). */
export const WRITABLE_FIELDS: Record<Kind, readonly string[]> = {
  meshes: ['labels', 'description', 'interceptionPort', 'envoyHeaders'],
  httpRoutes: ['description', 'hostnames', 'meshes', 'gateways', 'labels', 'rules'],
  grpcRoutes: ['labels', 'description', 'hostnames', 'rules', 'meshes', 'gateways'],
  tcpRoutes: ['description', 'rules', 'meshes', 'gateways', 'labels'],
  tlsRoutes: ['description', 'rules', 'meshes', 'gateways', 'labels', 'targetProxies'],
};
export const OUTPUT_ONLY_FIELDS = ['name', 'selfLink', 'createTime', 'updateTime'];

export function validateResourceId(kind: Kind, id: string | null | undefined): Violation[] {
  const param = idParam(kind);
  if (!id) return [{ field: param, description: `${param} is required` }];
  if (!RESOURCE_ID.test(id)) {
    return [
      {
        field: param,
        description: `${param} "${id}" must match ${RESOURCE_ID.source} (lower-case letters, digits, hyphens; 1-63 chars; starts with a letter)`,
      },
    ];
  }
  return [];
}

const ID_PARAMS: Record<Kind, string> = {
  meshes: 'meshId',
  httpRoutes: 'httpRouteId',
  grpcRoutes: 'grpcRouteId',
  tcpRoutes: 'tcpRouteId',
  tlsRoutes: 'tlsRouteId',
};

export function idParam(kind: Kind): string {
  return ID_PARAMS[kind];
}

/** Validates a whole resource body (after output-only fields were removed). */
export function validateResource(kind: Kind, body: Obj, o: ValidateOptions = {}): Violation[] {
  const v: Violation[] = [];
  for (const key of Object.keys(body)) {
    if (!WRITABLE_FIELDS[kind].includes(key)) v.push({ field: key, description: `unknown field "${key}"` });
  }
  checkString(v, 'description', body.description, 1024);
  checkLabels(v, 'labels', body.labels);
  if (kind !== 'meshes') checkRefs(v, 'meshes', body.meshes, MESH_REF, 'projects/*/locations/*/meshes/*');
  RESOURCE_CHECKS[kind](v, '', body, o);
  return v;
}

const RESOURCE_CHECKS: Record<Kind, Check> = {
  meshes: (v, _p, b) => {
    const body = b as Obj;
    if (body.interceptionPort !== undefined) checkInt(v, 'interceptionPort', body.interceptionPort, 1, 65535);
    checkEnum(v, 'envoyHeaders', body.envoyHeaders, ['ENVOY_HEADERS_UNSPECIFIED', 'NONE', 'DEBUG_HEADERS']);
  },
  httpRoutes: (v, _p, b, o) => {
    const body = b as Obj;
    checkHostnames(v, body.hostnames);
    eachRequired(v, 'rules', body.rules, checkHttpRule, o);
  },
  grpcRoutes: (v, _p, b, o) => {
    const body = b as Obj;
    checkHostnames(v, body.hostnames);
    eachRequired(v, 'rules', body.rules, checkGrpcRule, o);
  },
  tcpRoutes: (v, _p, b, o) => eachRequired(v, 'rules', (b as Obj).rules, checkTcpRule, o),
  tlsRoutes: (v, _p, b, o) => {
    const body = b as Obj;
    const form = 'projects/*/locations/*/targetTcpProxies/*';
    checkRefs(v, 'targetProxies', body.targetProxies, TARGET_TCP_PROXY_REF, form);
    eachRequired(v, 'rules', body.rules, checkTlsRule, o);
  },
};

// ---------- HttpRoute ----------

const checkHttpRule: Check = (v, p, rule, o) => {
  const r = asObj(v, p, rule);
  eachOptional(v, `${p}.matches`, r.matches, checkHttpMatch, o);
  if (r.action !== undefined) checkHttpAction(v, `${p}.action`, r.action, o);
};

const checkHttpMatch: Check = (v, p, match, o) => {
  const m = asObj(v, p, match);
  const paths = ['fullPathMatch', 'prefixMatch', 'regexMatch'].filter((k) => m[k] !== undefined);
  if (paths.length > 1) {
    v.push({
      field: p,
      description: `only one of fullPathMatch, prefixMatch, regexMatch may be set (got ${paths.join(', ')})`,
    });
  }
  if (!o.lenient) {
    for (const k of ['fullPathMatch', 'prefixMatch']) {
      if (typeof m[k] === 'string' && !(m[k] as string).startsWith('/')) {
        v.push({ field: `${p}.${k}`, description: `${k} must begin with "/"` });
      }
    }
  }
  checkRegex(v, `${p}.regexMatch`, m.regexMatch);
  eachOptional(v, `${p}.headers`, m.headers, checkHttpHeaderMatch, o);
  eachOptional(v, `${p}.queryParameters`, m.queryParameters, checkQueryMatch, o);
};

const checkHttpHeaderMatch: Check = (v, p, hm) => {
  const h = asObj(v, p, hm);
  requireString(v, `${p}.header`, h.header);
  exactlyOne(v, p, h, [
    'exactMatch',
    'regexMatch',
    'prefixMatch',
    'presentMatch',
    'suffixMatch',
    'rangeMatch',
  ]);
  checkRegex(v, `${p}.regexMatch`, h.regexMatch);
  if (h.rangeMatch !== undefined) {
    const rm = asObj(v, `${p}.rangeMatch`, h.rangeMatch);
    const start = Number(rm.start ?? 0);
    const end = Number(rm.end ?? 0);
    if (!(start < end))
      v.push({ field: `${p}.rangeMatch`, description: `start (${start}) must be below end (${end})` });
  }
};

const checkQueryMatch: Check = (v, p, qm) => {
  const q = asObj(v, p, qm);
  requireString(v, `${p}.queryParameter`, q.queryParameter);
  exactlyOne(v, p, q, ['exactMatch', 'regexMatch', 'presentMatch']);
  checkRegex(v, `${p}.regexMatch`, q.regexMatch);
};

function checkHttpAction(v: Violation[], p: string, action: unknown, o: ValidateOptions): void {
  const a = asObj(v, p, action);
  const dests = Array.isArray(a.destinations) ? a.destinations : [];
  eachOptional(v, `${p}.destinations`, a.destinations, checkDestination, o);
  checkWeights(v, `${p}.destinations`, dests);
  const outcomes = ['destinations', 'redirect', 'directResponse'].filter(
    (k) => a[k] !== undefined && !(Array.isArray(a[k]) && (a[k] as unknown[]).length === 0),
  );
  if (!o.lenient && outcomes.length > 1) {
    v.push({
      field: p,
      description: `only one of destinations, redirect, directResponse may be set (got ${outcomes.join(', ')})`,
    });
  }
  if (a.redirect !== undefined) checkRedirect(v, `${p}.redirect`, a.redirect);
  if (a.directResponse !== undefined) checkDirectResponse(v, `${p}.directResponse`, a.directResponse);
  checkFault(v, `${p}.faultInjectionPolicy`, a.faultInjectionPolicy);
  checkDuration(v, `${p}.timeout`, a.timeout);
  checkDuration(v, `${p}.idleTimeout`, a.idleTimeout);
  checkRetryPolicy(v, `${p}.retryPolicy`, a.retryPolicy, HTTP_RETRY, o);
  checkSessionAffinity(v, `${p}.statefulSessionAffinity`, a.statefulSessionAffinity);
  if (a.requestMirrorPolicy !== undefined) {
    const mp = asObj(v, `${p}.requestMirrorPolicy`, a.requestMirrorPolicy);
    if (mp.destination !== undefined)
      checkDestination(v, `${p}.requestMirrorPolicy.destination`, mp.destination, o);
    if (mp.mirrorPercent !== undefined)
      checkNumber(v, `${p}.requestMirrorPolicy.mirrorPercent`, mp.mirrorPercent, 0, 100);
  }
  if (a.corsPolicy !== undefined) {
    const cors = asObj(v, `${p}.corsPolicy`, a.corsPolicy);
    (Array.isArray(cors.allowOriginRegexes) ? cors.allowOriginRegexes : []).forEach((re, i) =>
      checkRegex(v, `${p}.corsPolicy.allowOriginRegexes[${i}]`, re),
    );
  }
}

function checkRedirect(v: Violation[], p: string, redirect: unknown): void {
  const r = asObj(v, p, redirect);
  if (r.pathRedirect !== undefined && r.prefixRewrite !== undefined) {
    v.push({ field: p, description: 'pathRedirect and prefixRewrite cannot both be set' });
  }
  checkEnum(v, `${p}.responseCode`, r.responseCode, REDIRECT_CODES);
  if (r.portRedirect !== undefined) checkInt(v, `${p}.portRedirect`, r.portRedirect, 1, 65535);
}

function checkDirectResponse(v: Violation[], p: string, dr: unknown): void {
  const d = asObj(v, p, dr);
  if (!(Number.isInteger(d.status) && (d.status as number) > 0)) {
    v.push({ field: `${p}.status`, description: 'status is required and must be a positive integer' });
  }
  if (d.stringBody !== undefined && d.bytesBody !== undefined) {
    v.push({ field: p, description: 'only one of stringBody, bytesBody may be set' });
  }
  checkString(v, `${p}.stringBody`, d.stringBody, 1024);
  if (typeof d.bytesBody === 'string' && Buffer.from(d.bytesBody, 'base64').length > 4096) {
    v.push({ field: `${p}.bytesBody`, description: 'bytesBody must be at most 4096 bytes' });
  }
}

// ---------- GrpcRoute ----------

const checkGrpcRule: Check = (v, p, rule, o) => {
  const r = asObj(v, p, rule);
  eachOptional(v, `${p}.matches`, r.matches, checkGrpcMatch, o);
  if (r.action === undefined) {
    v.push({ field: `${p}.action`, description: 'action is required' });
    return;
  }
  const a = asObj(v, `${p}.action`, r.action);
  eachOptional(v, `${p}.action.destinations`, a.destinations, checkDestination, o);
  checkWeights(v, `${p}.action.destinations`, Array.isArray(a.destinations) ? a.destinations : []);
  checkFault(v, `${p}.action.faultInjectionPolicy`, a.faultInjectionPolicy);
  checkDuration(v, `${p}.action.timeout`, a.timeout);
  checkDuration(v, `${p}.action.idleTimeout`, a.idleTimeout);
  checkRetryPolicy(v, `${p}.action.retryPolicy`, a.retryPolicy, GRPC_RETRY, o);
  checkSessionAffinity(v, `${p}.action.statefulSessionAffinity`, a.statefulSessionAffinity);
};

const checkGrpcMatch: Check = (v, p, match, o) => {
  const m = asObj(v, p, match);
  if (m.method !== undefined) {
    const mm = asObj(v, `${p}.method`, m.method);
    checkEnum(v, `${p}.method.type`, mm.type, ['TYPE_UNSPECIFIED', 'EXACT', 'REGULAR_EXPRESSION']);
    if (!o.lenient) {
      requireString(v, `${p}.method.grpcService`, mm.grpcService);
      requireString(v, `${p}.method.grpcMethod`, mm.grpcMethod);
      if (mm.type === 'REGULAR_EXPRESSION' && mm.caseSensitive !== undefined) {
        v.push({
          field: `${p}.method.caseSensitive`,
          description: 'caseSensitive must not be used with REGULAR_EXPRESSION',
        });
      }
    }
    if (mm.type === 'REGULAR_EXPRESSION') {
      checkRegex(v, `${p}.method.grpcService`, mm.grpcService);
      checkRegex(v, `${p}.method.grpcMethod`, mm.grpcMethod);
    }
  }
  eachOptional(
    v,
    `${p}.headers`,
    m.headers,
    (v2, p2, hm) => {
      const h = asObj(v2, p2, hm);
      checkEnum(v2, `${p2}.type`, h.type, ['TYPE_UNSPECIFIED', 'EXACT', 'REGULAR_EXPRESSION']);
      requireString(v2, `${p2}.key`, h.key);
      requireString(v2, `${p2}.value`, h.value);
      if (h.type === 'REGULAR_EXPRESSION') checkRegex(v2, `${p2}.value`, h.value);
    },
    o,
  );
};

// ---------- TcpRoute / TlsRoute ----------

/** address: an IPv4 address or CIDR (IPv6 is not supported); port: a decimal string (the discovery document). */
const checkTcpMatch: Check = (v, p, match) => {
  const m = asObj(v, p, match);
  if (typeof m.address !== 'string' || !isIpv4Cidr(m.address)) {
    v.push({
      field: `${p}.address`,
      description: `address is required and must be an IPv4 address or CIDR such as "10.0.0.12/32" (got ${JSON.stringify(m.address)})`,
    });
  }
  const port = m.port;
  if (typeof port !== 'string' || !/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    v.push({
      field: `${p}.port`,
      description: `port is required: a string holding a port number 1-65535 (got ${JSON.stringify(port)})`,
    });
  }
};

const checkTcpRule: Check = (v, p, rule, o) => {
  const r = asObj(v, p, rule);
  eachOptional(v, `${p}.matches`, r.matches, checkTcpMatch, o);
  if (r.action === undefined) return void v.push({ field: `${p}.action`, description: 'action is required' });
  const a = asObj(v, `${p}.action`, r.action);
  const hasDest = Array.isArray(a.destinations) && a.destinations.length > 0;
  if (hasDest === Boolean(a.originalDestination)) {
    v.push({
      field: `${p}.action`,
      description: 'exactly one of destinations or originalDestination must be set',
    });
  }
  eachOptional(v, `${p}.action.destinations`, a.destinations, checkDestination, o);
  checkWeights(v, `${p}.action.destinations`, hasDest ? (a.destinations as unknown[]) : []);
  checkDuration(v, `${p}.action.idleTimeout`, a.idleTimeout);
};

/**
 * sniHost and alpn: at least one of them; SNI hosts are names or `*.` wildcards (a partial wildcard
 * such as `*w.example.com` is invalid), ALPN values non-empty strings (the discovery document).
 */
const checkTlsMatch: Check = (v, p, match) => {
  const m = asObj(v, p, match);
  const hosts = Array.isArray(m.sniHost) ? (m.sniHost as unknown[]) : [];
  const protos = Array.isArray(m.alpn) ? (m.alpn as unknown[]) : [];
  if (hosts.length + protos.length === 0)
    v.push({ field: p, description: 'at least one of sniHost or alpn is required' });
  hosts.forEach((h, i) => {
    if (typeof h !== 'string' || !isHostname(h, false))
      v.push({ field: `${p}.sniHost[${i}]`, description: `invalid SNI host "${String(h)}"` });
  });
  protos.forEach((a, i) => {
    if (typeof a !== 'string' || a === '')
      v.push({ field: `${p}.alpn[${i}]`, description: 'ALPN values must be non-empty strings' });
  });
};

const checkTlsRule: Check = (v, p, rule, o) => {
  const r = asObj(v, p, rule);
  eachRequired(v, `${p}.matches`, r.matches, checkTlsMatch, o);
  const matches = Array.isArray(r.matches) ? (r.matches as Obj[]) : [];
  const count = (key: string) =>
    matches.reduce((n, m) => n + (m && Array.isArray(m[key]) ? (m[key] as unknown[]).length : 0), 0);
  const sni = count('sniHost');
  const alpn = count('alpn');
  if (sni > 100)
    v.push({ field: `${p}.matches`, description: `at most 100 sniHost values allowed, got ${sni}` });
  if (alpn > 5) v.push({ field: `${p}.matches`, description: `at most 5 alpn values allowed, got ${alpn}` });
  if (r.action === undefined) return void v.push({ field: `${p}.action`, description: 'action is required' });
  const a = asObj(v, `${p}.action`, r.action);
  eachRequired(v, `${p}.action.destinations`, a.destinations, checkDestination, o);
  checkWeights(v, `${p}.action.destinations`, Array.isArray(a.destinations) ? a.destinations : []);
  checkDuration(v, `${p}.action.idleTimeout`, a.idleTimeout);
};
