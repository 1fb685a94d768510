// validateObject: what the API server would refuse (CRD schema limits and CEL rules of the
// gateway-api v1.6.1 standard CRDs, plus the experimental fields we handle, and basic core/v1
// Service shape). Total: any JSON value in, a list of FieldErrors out, never a throw.
// Regex syntax is NOT checked here: the API server accepts any string (RE2 checks are translate's).
import type { FieldError } from './errors.ts';
import { MAX_NESTING_DEPTH, isPlainObject, nestingDepth } from './parse.ts';
import type { KubeObject } from './types.ts';
import { GATEWAY_GROUP } from './types.ts';
import type { Errors as ErrorsT, Obj } from './checks.ts';
import { DNS_LABEL, DNS_SUBDOMAIN, Errors, at, integer, list, object, string, unique } from './checks.ts';
import { validateHttpRouteSpec } from './validate-http.ts';
import { validateGrpcRouteSpec } from './validate-grpc.ts';
import { validateStreamRouteSpec } from './validate-stream.ts';
import { checkKnownFields } from './known-fields.ts';
import { validateReferenceGrant } from './validate-grant.ts';
import { isCertainlyValid } from './quick-check.ts';

export function validateObject(obj: KubeObject): FieldError[] {
  // Most routes are valid: a cheap allocation-free check proves it, the full walk names the errors.
  return isCertainlyValid(obj) ? [] : validateObjectFully(obj);
}

/** The full walk, without the quick check (tests compare the two; callers use validateObject). */
export function validateObjectFully(obj: KubeObject): FieldError[] {
  const errs = new Errors();
  try {
    validateAny(errs, obj);
  } catch (err) {
    // Defence in depth: a bug here must become an error value, not a crash of the caller.
    errs.add('', `internal validation error: ${err instanceof Error ? err.message : String(err)}`);
  }
  return errs.list;
}

function validateAny(errs: ErrorsT, obj: unknown): void {
  if (!isPlainObject(obj)) {
    errs.add('', 'must be a Kubernetes object');
    return;
  }
  // Objects from a live cluster skip parse's depth check; refuse them here so no later stage recurses deeply.
  if (nestingDepth(obj) > MAX_NESTING_DEPTH) {
    errs.add('', `nesting is too deep (more than ${MAX_NESTING_DEPTH} levels allowed)`);
    return;
  }
  validateMetadata(errs, obj);
  const group = typeof obj.apiVersion === 'string' ? obj.apiVersion.split('/')[0] : '';
  if (group === GATEWAY_GROUP && obj.kind === 'HTTPRoute') {
    const spec = object(errs, obj.spec, 'spec', true);
    if (spec) validateHttpRouteSpec(errs, spec, 'spec');
    if (errs.list.length === 0) checkKnownFields(errs, 'HTTPRoute', spec);
  } else if (group === GATEWAY_GROUP && obj.kind === 'GRPCRoute') {
    const spec = object(errs, obj.spec, 'spec', true);
    if (spec) validateGrpcRouteSpec(errs, spec, 'spec');
    if (errs.list.length === 0) checkKnownFields(errs, 'GRPCRoute', spec);
  } else if (group === GATEWAY_GROUP && (obj.kind === 'TCPRoute' || obj.kind === 'TLSRoute')) {
    const spec = object(errs, obj.spec, 'spec', true);
    const version = (obj.apiVersion as string).slice(GATEWAY_GROUP.length + 1);
    if (spec) validateStreamRouteSpec(errs, obj.kind, version, spec);
    if (errs.list.length === 0) checkKnownFields(errs, obj.kind, spec);
  } else if (group === GATEWAY_GROUP && obj.kind === 'ReferenceGrant') {
    validateReferenceGrant(errs, obj);
  } else if (obj.apiVersion === 'v1' && obj.kind === 'Service') {
    validateService(errs, obj);
  }
}

function validateMetadata(errs: ErrorsT, obj: Obj): void {
  string(errs, obj.apiVersion, 'apiVersion', { required: true, min: 1 });
  string(errs, obj.kind, 'kind', { required: true, min: 1 });
  const meta = object(errs, obj.metadata, 'metadata', true);
  if (!meta) return;
  const nameRule = { required: true, min: 1, max: obj.kind === 'Service' ? 63 : 253 };
  const pattern = obj.kind === 'Service' ? DNS_LABEL : DNS_SUBDOMAIN;
  string(errs, meta.name, 'metadata.name', {
    ...nameRule,
    pattern,
    patternName: 'a lowercase RFC 1123 name',
  });
  string(errs, meta.namespace, 'metadata.namespace', {
    min: 1,
    max: 63,
    pattern: DNS_LABEL,
    patternName: 'a lowercase RFC 1123 label',
  });
  integer(errs, meta.generation, 'metadata.generation', { min: 0 });
  string(errs, meta.creationTimestamp, 'metadata.creationTimestamp');
  stringMap(errs, meta.labels, 'metadata.labels');
  stringMap(errs, meta.annotations, 'metadata.annotations');
}

function stringMap(errs: ErrorsT, value: unknown, path: string): void {
  const map = object(errs, value, path);
  if (!map) return;
  for (const [key, v] of Object.entries(map)) {
    if (typeof v !== 'string') errs.add(at(path, key), 'must be a string');
  }
}

// ---- core/v1 Service ----

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

function validateService(errs: ErrorsT, svc: Obj): void {
  const spec = object(errs, svc.spec, 'spec', true);
  if (!spec) return;
  const type = string(errs, spec.type, 'spec.type', { enum: SERVICE_TYPES });
  if (type === 'ExternalName') {
    string(errs, spec.externalName, 'spec.externalName', { required: true, min: 1 });
  }
  // Like the API server: ports may be omitted only by ExternalName and headless (clusterIP: None) Services.
  const portsOptional = type === undefined || type === 'ExternalName' || spec.clusterIP === 'None';
  const ports = list(errs, spec.ports, 'spec.ports', { required: !portsOptional });
  const names = ports.map((p, i) => validateServicePort(errs, p, at('spec.ports', i), ports.length > 1));
  unique(errs, names, 'spec.ports', 'name');
}

function validateServicePort(
  errs: ErrorsT,
  value: unknown,
  path: string,
  nameRequired: boolean,
): string | undefined {
  const port = object(errs, value, path, true);
  if (!port) return undefined;
  integer(errs, port.port, at(path, 'port'), { required: true, min: 1, max: 65535 });
  string(errs, port.protocol, at(path, 'protocol'), { enum: PROTOCOLS });
  string(errs, port.appProtocol, at(path, 'appProtocol'));
  const target = port.targetPort;
  if (typeof target === 'number') integer(errs, target, at(path, 'targetPort'), { min: 1, max: 65535 });
  else string(errs, target, at(path, 'targetPort'), { min: 1, max: 15 });
  if (port.name === '' && !nameRequired) return undefined; // an unnamed single port
  return string(errs, port.name, at(path, 'name'), {
    required: nameRequired,
    max: 63,
    pattern: DNS_LABEL,
    patternName: 'a lowercase RFC 1123 label (required when a Service has several ports)',
  });
}
