// URLRewrite -> urlRewrite {hostRewrite, pathPrefixRewrite}.
// ReplacePrefixMatch maps per arm (see path-modifier.ts). ReplaceFullPath has no Network Services
// field, but pathPrefixRewrite replaces "the matching portion" of the path, which is the whole path
// for a fullPathMatch (Exact) and for a regexMatch (RegularExpression, and PathPrefix, which the rule
// compiler turns into a segment-wise regexMatch for this filter; match.ts). Documented semantics,
// not verified on a live project (docs/api-fidelity.md).
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
    if (change.value.kind === 'full' && arm === 'prefix') {
      return fail(
        'URLRewrite ReplaceFullPath needs the whole path matched (Network Services rewrites the matched prefix)',
      );
    }
    rewrite.pathPrefixRewrite = change.value.path;
  }
  return ok(rewrite);
}
