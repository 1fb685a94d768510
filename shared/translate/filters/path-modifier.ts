// HTTPPathModifier (shared by RequestRedirect and URLRewrite) for one match arm.
// ReplacePrefixMatch replaces the matched PathPrefix per segment. Network Services replaces the
// literal matched string, so the value depends on the arm: for the `fullPathMatch /p` arm the whole
// path is the prefix (replacement R, or "/" when R is empty or "/"); for the `prefixMatch /p/` arm the
// matched text ends with "/", so the replacement gets one too (R without trailing "/" plus "/").
// That reproduces every row of the Gateway API table (/foo/bar + /xyz -> /xyz/bar, /foo + "" -> /).
// ReplaceFullPath is a pathRedirect for redirects; for rewrites it is a pathPrefixRewrite on an arm
// that matches the whole path (fullPathMatch or regexMatch; see rewrite.ts).
import type { HTTPPathModifier } from '../../gamma/types.ts';
import type { ArmKind } from '../match.ts';
import type { Result } from '../model.ts';
import { fail, ok } from '../model.ts';

export function prefixReplacement(replacement: string, arm: ArmKind): string {
  const trimmed = replacement.replace(/\/+$/, '');
  if (arm === 'full') return trimmed === '' ? '/' : trimmed;
  return `${trimmed}/`;
}

export type PathChange = { kind: 'full'; path: string } | { kind: 'prefix'; path: string };

export function pathChangeForArm(modifier: HTTPPathModifier, arm: ArmKind, what: string): Result<PathChange> {
  if (modifier.type === 'ReplaceFullPath') {
    if (typeof modifier.replaceFullPath !== 'string')
      return fail(`${what}: ReplaceFullPath needs replaceFullPath`);
    return ok({ kind: 'full', path: modifier.replaceFullPath });
  }
  if (modifier.type === 'ReplacePrefixMatch') {
    if (typeof modifier.replacePrefixMatch !== 'string')
      return fail(`${what}: ReplacePrefixMatch needs replacePrefixMatch`);
    if (arm === 'other') return fail(`${what}: ReplacePrefixMatch needs a PathPrefix match`);
    return ok({ kind: 'prefix', path: prefixReplacement(modifier.replacePrefixMatch, arm) });
  }
  return fail(
    `${what}: path type ${JSON.stringify(modifier.type)} is not supported (ReplaceFullPath, ReplacePrefixMatch)`,
  );
}
