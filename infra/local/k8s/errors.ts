// Status objects shaped like the real API server's, so client-node's ApiException (.code, .body) and
// kubectl's messages come out right.
import type { ResourceDef } from './resources.ts';
import { qualifiedName } from './resources.ts';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason: string; message: string; field?: string }[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

const detailsOf = (def: ResourceDef, name: string): StatusDetails => ({
  name,
  ...(def.group ? { group: def.group } : {}),
  kind: def.plural,
});

export const notFound = (def: ResourceDef, name: string) =>
  new ApiError(404, 'NotFound', `${qualifiedName(def)} "${name}" not found`, detailsOf(def, name));

export const namespaceNotFound = (ns: string) =>
  new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });

export const alreadyExists = (def: ResourceDef, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualifiedName(def)} "${name}" already exists`, detailsOf(def, name));

export const conflict = (
  def: ResourceDef,
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
) =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(def)} "${name}": ${why}`,
    detailsOf(def, name),
  );

export const invalid = (def: ResourceDef, name: string, causes: { field: string; message: string }[]) =>
  new ApiError(
    422,
    'Invalid',
    `${def.kind}.${def.group || 'core'} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    {
      ...detailsOf(def, name),
      kind: def.kind,
      causes: causes.map((c) => ({ reason: 'FieldValueInvalid', ...c })),
    },
  );

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);

export const expired = (message: string) => new ApiError(410, 'Expired', message);

export const methodNotAllowed = (method: string) =>
  new ApiError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method})`,
  );

export const unsupportedMediaType = (type: string, detail: string | boolean = true) =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    typeof detail === 'string'
      ? detail
      : `the body of the request was in an unknown format - accepted media types include: ${detail ? 'application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml' : 'application/json, application/yaml, application/vnd.kubernetes.protobuf'} (got ${type})`,
  );

export const pathNotFound = () =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource');

export const serviceUnavailable = () =>
  new ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', {
    retryAfterSeconds: 1,
  });

export const internalError = (message: string) =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
