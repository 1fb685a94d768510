// RequestHeaderModifier / ResponseHeaderModifier -> HeaderModifier {set, add, remove}.
// Gateway API `add` appends (the backend sees "old,new"), `set` overwrites, `remove` deletes by
// name; Network Services has the same three operations. Names are kept as written (HTTP header names
// are case-insensitive on the wire).
import type { HeaderModifier } from '../../gamma/types.ts';
import type { NsHeaderModifier } from '../model.ts';
import { isObj } from '../util.ts';

export function convertHeaderModifier(modifier: HeaderModifier | undefined): NsHeaderModifier | undefined {
  if (!isObj(modifier)) return undefined;
  const set = headerMap(modifier.set);
  const add = headerMap(modifier.add);
  const remove = headerNames(modifier.remove);
  if (!set && !add && !remove) return undefined;
  const out: NsHeaderModifier = {};
  if (set) out.set = set;
  if (add) out.add = add;
  if (remove) out.remove = remove;
  return out;
}

/** name -> value of the well-formed entries; undefined when there are none (one call per filter). */
function headerMap(list: unknown): Record<string, string> | undefined {
  if (!Array.isArray(list)) return undefined;
  let map: Record<string, string> | undefined;
  for (let i = 0; i < list.length; i++) {
    const h: unknown = list[i];
    if (isObj(h) && typeof h.name === 'string' && typeof h.value === 'string') (map ??= {})[h.name] = h.value;
  }
  return map && Object.keys(map).length ? map : undefined;
}

/** The string entries, copied at their final size; undefined when there are none. */
function headerNames(list: unknown): string[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const names = list.every((n) => typeof n === 'string')
    ? (list.slice() as string[])
    : list.filter((n): n is string => typeof n === 'string');
  return names.length ? names : undefined;
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
