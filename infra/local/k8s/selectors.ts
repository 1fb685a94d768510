// Label and field selectors in the API server's string syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
// `a notin (x)`, `a`, `!a`, comma-separated (AND).

export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export class SelectorError extends Error {}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

function parseRequirement(text: string): Requirement {
  const set = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (set) {
    const values = set[3]
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    return { key: set[1], op: set[2] as 'in' | 'notin', values };
  }
  const cmp = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(text);
  if (cmp) return { key: cmp[1], op: cmp[2] === '!=' ? 'neq' : 'eq', value: cmp[3] };
  const exists = /^(!?)\s*([^\s!=(),]+)$/.exec(text);
  if (exists) return { key: exists[2], op: exists[1] ? 'notexists' : 'exists' };
  throw new SelectorError(`unable to parse requirement: "${text}"`);
}

export function parseSelector(selector: string | null | undefined): Requirement[] {
  if (!selector) return [];
  return splitTopLevel(selector).map(parseRequirement);
}

export function matches(reqs: Requirement[], labels: Record<string, string | undefined>): boolean {
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key) && labels[r.key] !== undefined;
    const v = labels[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.value;
      case 'neq':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v as string);
      case 'notin':
        return !has || !r.values.includes(v as string);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
    }
  });
}

/** Field selectors: only `metadata.name` and `metadata.namespace` (what kubectl and informers use). */
export function fieldsOf(obj: { metadata: { name: string; namespace?: string } }): Record<string, string> {
  return { 'metadata.name': obj.metadata.name, 'metadata.namespace': obj.metadata.namespace ?? '' };
}
