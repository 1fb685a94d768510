// List semantics of Compute v1: the `filter` expressions gamma-csm uses, `maxResults` and page tokens.
import type { Obj } from './store.ts';

export interface Clause {
  field: string;
  /** eq/ne: the value is a regular expression matched against the whole field (Compute's own form);
   * =/!=: a literal (AIP-160 form). */
  op: 'eq' | 'ne' | '=' | '!=';
  value: string;
}

const CLAUSE = /^\s*([a-zA-Z][a-zA-Z0-9]*)\s+(eq|ne)\s+(?:'([^']*)'|"([^"]*)"|(\S+))\s*$/;
const AIP_CLAUSE = /^\s*([a-zA-Z][a-zA-Z0-9]*)\s*(=|!=)\s*(?:'([^']*)'|"([^"]*)"|(\S+))\s*$/;

/** Parses `name eq 'gamma-.*'`, `(a eq x) (b ne y)` or `name = "x"`; a string naming the problem otherwise. */
export function parseFilter(filter: string | null): Clause[] | string {
  if (filter === null || filter.trim() === '') return [];
  const text = filter.trim();
  const parts = text.startsWith('(') ? [...text.matchAll(/\(([^()]*)\)/g)].map((m) => m[1]) : [text];
  const rest = text.startsWith('(')
    ? text
        .replace(/\(([^()]*)\)/g, '')
        .replace(/\bAND\b/g, '')
        .trim()
    : '';
  if (parts.length === 0 || rest !== '') return `Invalid list filter expression '${filter}'.`;
  const clauses: Clause[] = [];
  for (const part of parts) {
    const m = CLAUSE.exec(part) ?? AIP_CLAUSE.exec(part);
    if (!m) return `Invalid list filter expression '${filter}'.`;
    const value = m[3] ?? m[4] ?? m[5];
    if (m[2] === 'eq' || m[2] === 'ne') {
      try {
        new RegExp(`^(?:${value})$`);
      } catch {
        return `Invalid regular expression '${value}' in list filter '${filter}'.`;
      }
    }
    clauses.push({ field: m[1], op: m[2] as Clause['op'], value });
  }
  return clauses;
}

export function matchesFilter(body: Obj, clauses: Clause[]): boolean {
  return clauses.every((c) => {
    const raw = body[c.field];
    const v = raw === undefined || raw === null ? '' : String(raw);
    if (c.op === '=') return v === c.value;
    if (c.op === '!=') return v !== c.value;
    const hit = new RegExp(`^(?:${c.value})$`).test(v);
    return c.op === 'eq' ? hit : !hit;
  });
}

export function encodePageToken(afterName: string): string {
  return Buffer.from(JSON.stringify({ a: afterName })).toString('base64url');
}

export function decodePageToken(token: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown };
    return typeof v.a === 'string' ? v.a : undefined;
  } catch {
    return undefined;
  }
}

/** `maxResults`: 0-500, default (and 0) 500; undefined result = the parameter is invalid. */
export function pageSize(raw: string | null): number | undefined {
  if (raw === null || raw === '') return 500;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 500) return undefined;
  return n === 0 ? 500 : n;
}

/** One page of name-sorted items after `after`. */
export function pageOf<T extends { name?: unknown }>(
  sorted: T[],
  size: number,
  after: string | undefined,
): { items: T[]; nextPageToken?: string } {
  const from = after === undefined ? sorted : sorted.filter((x) => String(x.name) > after);
  const items = from.slice(0, size);
  return from.length > size
    ? { items, nextPageToken: encodePageToken(String(items[items.length - 1].name)) }
    : { items };
}
