// RequestHeaderModifier / ResponseHeaderModifier -> HeaderModifier {set, add, remove}.
// Gateway API `add` appends (the backend sees "old,new"), `set` overwrites, `remove` deletes by
// name; Network Services has the same three operations. Names are kept as written (HTTP header names
// are case-insensitive on the wire).
import type { HeaderModifier } from '../../gamma/types.ts';
import type { NsHeaderModifier } from '../model.ts';
import { asArray, isObj } from '../util.ts';

export function convertHeaderModifier(modifier: HeaderModifier | undefined): NsHeaderModifier | undefined {
  if (!isObj(modifier)) return undefined;
  const out: NsHeaderModifier = {};
  const toMap = (list: unknown) => {
    const map: Record<string, string> = {};
    for (const h of asArray(list))
      if (isObj(h) && typeof h.name === 'string' && typeof h.value === 'string') map[h.name] = h.value;
    return map;
  };
  const set = toMap(modifier.set);
  const add = toMap(modifier.add);
  const remove = asArray(modifier.remove).filter((n): n is string => typeof n === 'string');
  if (Object.keys(set).length) out.set = set;
  if (Object.keys(add).length) out.add = add;
  if (remove.length) out.remove = remove;
  return Object.keys(out).length ? out : undefined;
}

/** Lowercased header names a modifier touches (to detect rule/backend conflicts). */
export function modifiedHeaderNames(modifier: NsHeaderModifier | undefined): Set<string> {
  const names = new Set<string>();
  if (!modifier) return names;
  for (const name of [
    ...Object.keys(modifier.set ?? {}),
    ...Object.keys(modifier.add ?? {}),
    ...(modifier.remove ?? []),
  ]) {
    names.add(name.toLowerCase());
  }
  return names;
}
