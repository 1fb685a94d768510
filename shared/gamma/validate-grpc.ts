// GRPCRoute spec: schema limits and the CEL rules of the v1.6.1 CRD, plus experimental sessionPersistence.
import type { Errors, Obj } from './checks.ts';
import { at, list, object, string } from './checks.ts';
import {
  filterBody,
  checkNotRepeated,
  validateCommonRouteSpec,
  sectionNameRule,
  validateBackendObjectRef,
  validateExtensionRef,
  validateHeaderMatches,
  validateHeaderModifier,
  validateMirror,
  validateSessionPersistence,
} from './validate-common.ts';

const FILTER_FIELDS: Record<string, string> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  ExtensionRef: 'extensionRef',
};
export const GRPC_SERVICE = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
export const GRPC_METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;

export function validateGrpcRouteSpec(errs: Errors, spec: Obj, path: string): void {
  validateCommonRouteSpec(errs, spec, path).forEach((r, i) =>
    validateRule(errs, r, at(at(path, 'rules'), i)),
  );
}

function validateRule(errs: Errors, value: unknown, path: string): void {
  const rule = object(errs, value, path, true);
  if (!rule) return;
  string(errs, rule.name, at(path, 'name'), sectionNameRule);
  const matchesPath = at(path, 'matches');
  list(errs, rule.matches, matchesPath, { max: 8 }).forEach((m, i) =>
    validateMatch(errs, m, at(matchesPath, i)),
  );
  validateFilters(errs, rule.filters, at(path, 'filters'));
  const refsPath = at(path, 'backendRefs');
  list(errs, rule.backendRefs, refsPath, { max: 16 }).forEach((b, i) => {
    const ref = object(errs, b, at(refsPath, i), true);
    if (!ref) return;
    validateBackendObjectRef(errs, ref, at(refsPath, i), true);
    validateFilters(errs, ref.filters, at(at(refsPath, i), 'filters'));
  });
  validateSessionPersistence(errs, rule.sessionPersistence, at(path, 'sessionPersistence'));
}

function validateMatch(errs: Errors, value: unknown, path: string): void {
  const match = object(errs, value, path, true);
  if (!match) return;
  const method = object(errs, match.method, at(path, 'method'));
  if (method) validateMethodMatch(errs, method, at(path, 'method'));
  validateHeaderMatches(errs, match.headers, at(path, 'headers'), 4096);
}

function validateMethodMatch(errs: Errors, m: Obj, path: string): void {
  const type = string(errs, m.type, at(path, 'type'), { enum: ['Exact', 'RegularExpression'] });
  const service = string(errs, m.service, at(path, 'service'), { max: 1024 });
  const method = string(errs, m.method, at(path, 'method'), { max: 1024 });
  if (m.type !== undefined && m.service === undefined && m.method === undefined) {
    errs.add(path, "One or both of 'service' or 'method' must be specified");
  }
  if (type !== undefined && type !== 'Exact') return;
  if (service !== undefined && !GRPC_SERVICE.test(service)) {
    errs.add(
      at(path, 'service'),
      'service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)',
    );
  }
  if (method !== undefined && !GRPC_METHOD.test(method)) {
    errs.add(
      at(path, 'method'),
      'method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)',
    );
  }
}

function validateFilters(errs: Errors, value: unknown, path: string): void {
  const types = list(errs, value, path, { max: 16 }).map((f, i) => validateFilter(errs, f, at(path, i)));
  checkNotRepeated(errs, types, path, ['RequestHeaderModifier', 'ResponseHeaderModifier']);
}

function validateFilter(errs: Errors, value: unknown, path: string): string | undefined {
  const checked = filterBody(errs, value, path, FILTER_FIELDS);
  if (!checked?.body) return checked?.type;
  const { type } = checked;
  const { value: body, path: p } = checked.body;
  if (type === 'RequestMirror') validateMirror(errs, body, p);
  else if (type === 'ExtensionRef') validateExtensionRef(errs, body, p);
  else validateHeaderModifier(errs, body, p);
  return type;
}
