// Request plumbing for the stand-in, pure or nearly: resource paths, discovery documents, bodies,
// continue tokens.
import type http from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, unsupportedMediaType } from './errors.ts';
import { JSON_CONTENT_TYPE, readRequestBody } from '../http-body.ts';
import { ProtobufKindError, decodeProtobuf } from './protobuf.ts';
import { openApiDocument, openApiIndex } from './openapi.ts';
import type { KubeObj, ResourceDef } from './resources.ts';
import {
  apiGroup,
  apiGroupList,
  apiVersionOf,
  coreApiVersions,
  findResource,
  resourceList,
  versionInfo,
} from './resources.ts';

export interface ResourceRef {
  def: ResourceDef;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const CORE_PREFIX = ['api', 'v1'];

export function parseResourcePath(segs: string[]): ResourceRef | undefined {
  let group = '';
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs[1] === 'v1') {
    version = 'v1';
    rest = segs.slice(CORE_PREFIX.length);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const def = findResource(group, version, rest[0]);
  if (!def || rest.length > 3 || (rest[2] !== undefined && rest[2] !== 'status')) return undefined;
  if (def.namespaced === false && namespace !== undefined) return undefined;
  return { def, version, namespace, name: rest[1], subresource: rest[2] };
}

export function discovery(segs: string[]): unknown {
  const p = segs.join('/');
  if (p === 'version') return versionInfo();
  if (p === 'api') return coreApiVersions();
  if (p === 'api/v1') return resourceList('', 'v1');
  if (p === 'apis') return apiGroupList();
  if (segs[0] === 'apis' && segs.length === 2) return apiGroup(segs[1]);
  if (segs[0] === 'apis' && segs.length === 3) return resourceList(segs[1], segs[2]);
  if (['healthz', 'readyz', 'livez'].includes(p)) return 'ok';
  // kubectl apply reads these to decide where validation happens (openapi.ts).
  if (segs[0] === 'openapi' && segs[1] === 'v3')
    return segs.length === 2 ? openApiIndex() : openApiDocument(segs.slice(2));
  return undefined;
}

/** The API server's limit on a request body (3 MiB); larger ones get 413. */
export const MAX_BODY_BYTES = 3 << 20;

// Exactly the types kubectl and client-node send: JSON, YAML or protobuf (kubectl's built-in kinds,
// decoded for Namespace and Service by protobuf.ts) objects for create and replace, and the four
// patch types. Browser-sendable types (text/plain, forms, none) are refused, so a web page cannot
// write to the stand-in (docs/security.md §5).
const OBJECT_TYPES = [
  JSON_CONTENT_TYPE,
  /^application\/yaml\s*(;|$)/i,
  /^application\/vnd\.kubernetes\.protobuf\s*(;|$)/i,
];
const PATCH_TYPES = [
  /^application\/(json-patch\+json|merge-patch\+json|strategic-merge-patch\+json|apply-patch\+yaml)\s*(;|$)/i,
];

/** A write's body, bounded and of a type the real API server takes for `method`; else 413 or 415. */
export async function readBody(req: http.IncomingMessage, method: 'POST' | 'PUT' | 'PATCH'): Promise<Buffer> {
  const patch = method === 'PATCH';
  const read = await readRequestBody(req, {
    maxBytes: MAX_BODY_BYTES,
    accept: patch ? PATCH_TYPES : OBJECT_TYPES,
    requireType: true,
  });
  if (read.ok) return read.bytes;
  if (read.status === 413) throw new ApiError(413, 'RequestEntityTooLarge', read.message);
  throw unsupportedMediaType(read.contentType ?? '(none)', patch);
}

export function parseBody(raw: Buffer, contentType: string): unknown {
  if (contentType.split(';')[0].trim() === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeProtobuf(raw);
    } catch (e) {
      if (e instanceof ProtobufKindError) throw unsupportedMediaType(contentType, e.message);
      throw e;
    }
  }
  const text = raw.toString('utf8');
  if (!text.trim()) throw badRequest('the request body is empty');
  try {
    return contentType.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(`the request body could not be decoded: ${(e as Error).message}`);
  }
}

export const withVersion = (def: ResourceDef, version: string, obj: KubeObj): KubeObj => ({
  ...obj,
  apiVersion: apiVersionOf(def, version),
});

export interface ContinueToken {
  rv: number;
  after: string;
  page: number;
}

export function decodeContinue(token: string): ContinueToken {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
  } catch {
    throw badRequest('continue key is not valid');
  }
}
