// RequestRedirect -> Redirect (docs/support-matrix.md).
// statusCode (default 302) -> responseCode enum. scheme https -> httpsRedirect; scheme http cannot be
// forced by Network Services, but mesh clients reach Services over plain http (the sidecar adds mTLS
// transparently), so "http" keeps the request's scheme, which is http: equivalent in the mesh.
// Port: explicit port -> portRedirect; no port but a scheme -> that scheme's well-known port (80/443);
// neither -> the port the client called (the Service port plays the Gateway listener's role). Sent as
// portRedirect unless a plain-http redirect goes from port 80 to port 80 (the data plane drops
// default ports from Location).
// hostname -> hostRedirect; path ReplaceFullPath -> pathRedirect; ReplacePrefixMatch -> prefixRewrite.
import type { HTTPRouteFilter } from '../../gamma/types.ts';
import type { ArmKind } from '../match.ts';
import type { NsRedirect, Result } from '../model.ts';
import { fail, ok } from '../model.ts';
import { asNumber, isObj } from '../util.ts';
import { pathChangeForArm } from './path-modifier.ts';

const RESPONSE_CODES: Record<number, string> = {
  301: 'MOVED_PERMANENTLY_DEFAULT',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

export function convertRedirect(
  filter: HTTPRouteFilter['requestRedirect'],
  arm: ArmKind,
  servicePort: number,
): Result<NsRedirect> {
  const spec = isObj(filter) ? filter : {};
  const redirect: NsRedirect = {};
  if (spec.hostname !== undefined) {
    if (typeof spec.hostname !== 'string') return fail('RequestRedirect hostname must be a string');
    redirect.hostRedirect = spec.hostname;
  }
  if (spec.path !== undefined) {
    const change = pathChangeForArm(spec.path, arm, 'RequestRedirect');
    if (!change.ok) return change;
    if (change.value.kind === 'full') redirect.pathRedirect = change.value.path;
    else redirect.prefixRewrite = change.value.path;
  }
  if (spec.scheme !== undefined && spec.scheme !== 'http' && spec.scheme !== 'https') {
    return fail(`RequestRedirect scheme ${JSON.stringify(spec.scheme)} is not supported (http, https)`);
  }
  if (spec.scheme === 'https') redirect.httpsRedirect = true;
  const port =
    asNumber(spec.port) ?? (spec.scheme === 'https' ? 443 : spec.scheme === 'http' ? 80 : servicePort);
  // Omitted only when nothing changes: a plain-http redirect from Service port 80 to port 80 (no ":80"
  // in Location). From any other Service port an explicit portRedirect is needed, even to 80, and so
  // is https to port 80, since 80 is not https's default port.
  if (!(port === 80 && servicePort === 80 && !redirect.httpsRedirect)) redirect.portRedirect = port;
  const status = asNumber(spec.statusCode) ?? 302;
  const code = RESPONSE_CODES[status];
  if (!code) return fail(`RequestRedirect statusCode ${status} is not supported (301, 302, 303, 307, 308)`);
  redirect.responseCode = code;
  return ok(redirect);
}
