// URLRewrite -> urlRewrite {hostRewrite, pathPrefixRewrite}.
// ReplacePrefixMatch maps per arm (see path-modifier.ts). ReplaceFullPath has no Network Services
// field; on an Exact path arm it equals a prefix rewrite of the whole path, elsewhere it is rejected.
import type { HTTPRouteFilter } from '../../gamma/types.ts';
import type { ArmKind } from '../match.ts';
import type { NsHttpAction, Result } from '../model.ts';
import { fail, ok } from '../model.ts';
import { isObj } from '../util.ts';
import { pathChangeForArm } from './path-modifier.ts';

export type NsUrlRewrite = NonNullable<NsHttpAction['urlRewrite']>;

export function convertRewrite(filter: HTTPRouteFilter['urlRewrite'], arm: ArmKind): Result<NsUrlRewrite> {
  const spec = isObj(filter) ? filter : {};
  const rewrite: NsUrlRewrite = {};
  if (spec.hostname !== undefined) {
    if (typeof spec.hostname !== 'string') return fail('URLRewrite hostname must be a string');
    rewrite.hostRewrite = spec.hostname;
  }
  if (spec.path !== undefined) {
    const change = pathChangeForArm(spec.path, arm, 'URLRewrite');
    if (!change.ok) return change;
    if (change.value.kind === 'full' && arm !== 'full') {
      return fail(
        'URLRewrite ReplaceFullPath is only expressible on an Exact path match (Network Services can only rewrite the matched prefix)',
      );
    }
    rewrite.pathPrefixRewrite = change.value.path;
  }
  return ok(rewrite);
}
