// Request plumbing for the stand-in, pure or nearly: resource paths, discovery documents, bodies,
// continue tokens.
import type http from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType } from './errors.ts';
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

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
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
