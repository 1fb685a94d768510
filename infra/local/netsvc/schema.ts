// The emulator's first line of checks: the request against the vendored discovery document, as
// Google's front end checks it before Network Services sees it (docs/api-fidelity.md). The
// hand-written checks (validate.ts) run after, on requests that pass.
import { checkBody, checkQuery, loadDiscovery, methodOf, snakeCase } from '../discovery/validate.ts';
import type { FieldViolation } from '../discovery/validate.ts';

/** The discovery method an emulator route serves. */
function methodName(httpMethod: string, hasId: boolean): string | undefined {
  if (httpMethod === 'GET') return hasId ? 'get' : 'list';
  if (httpMethod === 'POST') return hasId ? undefined : 'create';
  if (httpMethod === 'PATCH') return hasId ? 'patch' : undefined;
  if (httpMethod === 'DELETE') return hasId ? 'delete' : undefined;
  return undefined;
}

/** Violations of the request (query, then body), or [] (also for methods the document lacks). */
export function schemaViolations(
  collection: string,
  httpMethod: string,
  hasId: boolean,
  query: URLSearchParams,
  body: unknown,
): FieldViolation[] {
  const doc = loadDiscovery();
  const name = methodName(httpMethod, hasId);
  const method = name ? methodOf(doc, collection, name) : undefined;
  if (!method) return [];
  const out = checkQuery(doc, method, query);
  if (method.request) {
    const schema = method.request.$ref;
    out.push(...checkBody(doc, schema, body, snakeCase(schema).replace(/^_/, '')));
  }
  return out;
}
