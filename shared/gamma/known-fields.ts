// The field names the HTTPRoute, GRPCRoute, TCPRoute and TLSRoute CRDs define (standard + experimental channel, v1.6.1).
// The API server prunes or, under kubectl's strict field validation, rejects anything else; offline
// input gets no such check, and a typo such as `matchs` would silently turn a rule into a match-all.
// So an unknown field is an error naming it. `true` accepts any value (leaves, opaque blocks).
import type { RouteKind } from './types.ts';
import type { Errors } from './checks.ts';
import { at } from './checks.ts';
import { isPlainObject } from './parse.ts';

type FieldTree = true | { readonly [field: string]: FieldTree };

const HEADER: FieldTree = { name: true, value: true };
const HEADER_MATCH: FieldTree = { type: true, name: true, value: true };
const HEADER_MODIFIER: FieldTree = { set: HEADER, add: HEADER, remove: true };
const OBJECT_REF: FieldTree = { group: true, kind: true, name: true, namespace: true, port: true };
const PATH_MODIFIER: FieldTree = { type: true, replaceFullPath: true, replacePrefixMatch: true };
const MIRROR: FieldTree = {
  backendRef: OBJECT_REF,
  percent: true,
  fraction: { numerator: true, denominator: true },
};
const SESSION_PERSISTENCE: FieldTree = {
  sessionName: true,
  absoluteTimeout: true,
  idleTimeout: true,
  type: true,
  cookieConfig: { lifetimeType: true },
};
const PARENT_REF: FieldTree = {
  group: true,
  kind: true,
  namespace: true,
  name: true,
  sectionName: true,
  port: true,
};

const COMMON_FILTER = {
  type: true,
  requestHeaderModifier: HEADER_MODIFIER,
  responseHeaderModifier: HEADER_MODIFIER,
  requestMirror: MIRROR,
  extensionRef: { group: true, kind: true, name: true },
} as const;

const HTTP_FILTER: FieldTree = {
  ...COMMON_FILTER,
  requestRedirect: { scheme: true, hostname: true, path: PATH_MODIFIER, port: true, statusCode: true },
  urlRewrite: { hostname: true, path: PATH_MODIFIER },
  cors: {
    allowOrigins: true,
    allowCredentials: true,
    allowMethods: true,
    allowHeaders: true,
    exposeHeaders: true,
    maxAge: true,
  },
  externalAuth: true, // experimental; translate rejects it visibly
};
const GRPC_FILTER: FieldTree = COMMON_FILTER;

const HTTP_ROUTE_SPEC: FieldTree = {
  parentRefs: PARENT_REF,
  hostnames: true,
  useDefaultGateways: true,
  rules: {
    name: true,
    matches: {
      path: { type: true, value: true },
      headers: HEADER_MATCH,
      queryParams: HEADER_MATCH,
      method: true,
    },
    filters: HTTP_FILTER,
    backendRefs: { ...OBJECT_REF, weight: true, filters: HTTP_FILTER },
    timeouts: { request: true, backendRequest: true },
    retry: { codes: true, attempts: true, backoff: true },
    sessionPersistence: SESSION_PERSISTENCE,
  },
};

const GRPC_ROUTE_SPEC: FieldTree = {
  parentRefs: PARENT_REF,
  hostnames: true,
  useDefaultGateways: true,
  rules: {
    name: true,
    matches: { method: { type: true, service: true, method: true }, headers: HEADER_MATCH },
    filters: GRPC_FILTER,
    backendRefs: { ...OBJECT_REF, weight: true, filters: GRPC_FILTER },
    sessionPersistence: SESSION_PERSISTENCE,
  },
};

const STREAM_RULE: FieldTree = { name: true, backendRefs: { ...OBJECT_REF, weight: true } };
const TCP_ROUTE_SPEC: FieldTree = { parentRefs: PARENT_REF, useDefaultGateways: true, rules: STREAM_RULE };
const TLS_ROUTE_SPEC: FieldTree = {
  parentRefs: PARENT_REF,
  hostnames: true,
  useDefaultGateways: true,
  rules: STREAM_RULE,
};

const SPECS: Record<RouteKind, FieldTree> = {
  HTTPRoute: HTTP_ROUTE_SPEC,
  GRPCRoute: GRPC_ROUTE_SPEC,
  TCPRoute: TCP_ROUTE_SPEC,
  TLSRoute: TLS_ROUTE_SPEC,
};

/**
 * Records `unknown field "x"` for every field the route kind's CRD does not define. Callers run it
 * once the schema checks pass, so a wrong type is reported once, not also as unknown fields below it.
 */
export function checkKnownFields(errs: Errors, kind: RouteKind, spec: unknown): void {
  walk(errs, spec, SPECS[kind], 'spec');
}

function walk(errs: Errors, value: unknown, tree: FieldTree, path: string): void {
  if (tree === true) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(errs, item, tree, at(path, i)));
    return;
  }
  if (!isPlainObject(value)) return; // wrong types are reported by the schema checks
  for (const [field, child] of Object.entries(value)) {
    const sub = Object.hasOwn(tree, field) ? tree[field] : undefined;
    if (sub === undefined) errs.add(at(path, field), `unknown field ${JSON.stringify(field)}`);
    else walk(errs, child, sub, at(path, field));
  }
}
