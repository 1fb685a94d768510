// CORS -> corsPolicy. Origins without wildcards go to allowOrigins; `*` alone stays `*`; origins with a
// `*` host wildcard (e.g. https://*.example.com) become RE2 allowOriginRegexes in which the wildcard
// matches one or more DNS label characters or dots. maxAge (default 5 s in Gateway API) is sent as
// a decimal seconds string, as the API does.
import type { HTTPRouteFilter } from '../../gamma/types.ts';
import type { NsCorsPolicy } from '../model.ts';
import { quoteRe2 } from '../regex.ts';
import { asArray, asNumber, isObj } from '../util.ts';

export function convertCors(filter: HTTPRouteFilter['cors']): NsCorsPolicy {
  const spec = isObj(filter) ? filter : {};
  const strings = (list: unknown) => asArray(list).filter((s): s is string => typeof s === 'string');
  const policy: NsCorsPolicy = {};
  const origins = strings(spec.allowOrigins);
  const exact = origins.filter((o) => o === '*' || !o.includes('*'));
  const wildcard = origins.filter((o) => o !== '*' && o.includes('*'));
  if (exact.length) policy.allowOrigins = exact;
  if (wildcard.length)
    policy.allowOriginRegexes = wildcard.map((o) => o.split('*').map(quoteRe2).join('[a-zA-Z0-9.-]+'));
  const methods = strings(spec.allowMethods);
  if (methods.length) policy.allowMethods = methods;
  const allowHeaders = strings(spec.allowHeaders);
  if (allowHeaders.length) policy.allowHeaders = allowHeaders;
  const exposeHeaders = strings(spec.exposeHeaders);
  if (exposeHeaders.length) policy.exposeHeaders = exposeHeaders;
  policy.maxAge = String(Math.floor(asNumber(spec.maxAge) ?? 5));
  if (spec.allowCredentials === true) policy.allowCredentials = true;
  return policy;
}
