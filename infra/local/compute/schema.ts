// The Compute emulator's first line of checks: the request against the vendored subset of Google's
// Compute v1 discovery document (infra/local/discovery/README.md), as Google's front end checks it
// before Compute sees it: unknown fields at any depth and unknown query parameters, enum values,
// integer ranges; output-only fields are ignored. The hand-written checks (validate.ts) run after.
import { checkBody, checkQuery, COMPUTE_V1, loadDiscovery } from '../discovery/validate.ts';
import type { FieldViolation } from '../discovery/validate.ts';
import { computeError, type ApiResult } from './errors.ts';

const GLOBAL =
  /^\/compute\/v1\/projects\/[^/]+\/global\/(backendServices|healthChecks|operations|firewalls)(\/[^/]+(?:\/([A-Za-z]+))?)?$/;
const ZONAL =
  /^\/compute\/v1\/projects\/[^/]+\/zones\/[^/]+\/networkEndpointGroups(\/[^/]+(?:\/([A-Za-z]+))?)?$/;
const COLLECTION: Record<string, string> = { operations: 'globalOperations' };

function methodName(verb: string, hasName: boolean, action: string | undefined): string | undefined {
  if (action) return verb === 'POST' ? action : undefined;
  if (verb === 'GET') return hasName ? 'get' : 'list';
  if (verb === 'POST') return hasName ? undefined : 'insert';
  if (verb === 'PATCH') return hasName ? 'patch' : undefined;
  if (verb === 'PUT') return hasName ? 'update' : undefined;
  if (verb === 'DELETE') return hasName ? 'delete' : undefined;
  return undefined;
}

/** Violations of a request (query, then body); [] for paths and methods the subset lacks. */
export function computeSchemaViolations(verb: string, url: URL, body: unknown): FieldViolation[] {
  const g = GLOBAL.exec(url.pathname);
  const z = g ? undefined : ZONAL.exec(url.pathname);
  const coll = g ? (COLLECTION[g[1]] ?? g[1]) : z ? 'networkEndpointGroups' : undefined;
  if (!coll) return [];
  const [hasName, action] = g ? [Boolean(g[2]), g[3]] : [Boolean(z?.[1]), z?.[2]];
  const doc = loadDiscovery(COMPUTE_V1);
  const name = methodName(verb, hasName, action);
  const method = name ? doc.resources[coll]?.methods?.[name] : undefined;
  if (!method) return [];
  const out = checkQuery(doc, method, url.searchParams);
  // Compute names the request body `resource` ("Required field 'resource' not specified").
  if (method.request) out.push(...checkBody(doc, method.request.$ref, body, 'resource'));
  return out;
}

/** 400 in Compute's error shape, one `errors[]` entry per violation. */
export function schemaError(violations: FieldViolation[]): ApiResult {
  return computeError(
    400,
    'invalid',
    violations[0].description,
    violations.slice(1).map((v) => v.description),
  );
}
