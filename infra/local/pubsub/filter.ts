import { invalid } from './errors.ts';

/**
 * Subscription filters, the attribute language of https://cloud.google.com/pubsub/docs/subscription-message-filter:
 * `attributes:k`, `attributes.k = "v"`, `attributes.k != "v"`, `hasPrefix(attributes.k, "p")`,
 * `NOT x` / `-x`, `AND` / `OR` (not mixed without parentheses) and parentheses.
 */
export type AttributeFilter = (attributes: Record<string, string>) => boolean;

const MAX_FILTER_BYTES = 256;
const TOKEN = /\s*(?:(\(|\)|,|!=|=|:|\.|-)|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*))/y;

interface Token {
  kind: 'punct' | 'string' | 'word';
  text: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (!match)
      throw invalid(`Invalid filter expression: unexpected character at offset ${at} in "${source}".`);
    if (match[1] !== undefined) tokens.push({ kind: 'punct', text: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', text: match[2].replace(/\\(.)/g, '$1') });
    else tokens.push({ kind: 'word', text: match[3] });
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): AttributeFilter {
    const filter = this.expression();
    if (this.i < this.tokens.length) this.fail(`unexpected "${this.tokens[this.i].text}"`);
    return filter;
  }

  private fail(why: string): never {
    throw invalid(`Invalid filter expression "${this.source}": ${why}.`);
  }

  private peek(text: string): boolean {
    return this.tokens[this.i]?.text === text && this.tokens[this.i]?.kind !== 'string';
  }

  private expect(text: string): void {
    if (!this.peek(text)) this.fail(`expected "${text}"`);
    this.i++;
  }

  private value(): string {
    const token = this.tokens[this.i++];
    if (token?.kind !== 'string') this.fail('expected a quoted string');
    return token.text;
  }

  private key(): string {
    const token = this.tokens[this.i++];
    if (!token || token.kind === 'punct') this.fail('expected an attribute key');
    return token.text;
  }

  private expression(): AttributeFilter {
    const terms = [this.term()];
    const op = this.peek('AND') ? 'AND' : this.peek('OR') ? 'OR' : undefined;
    while (op && this.peek(op)) {
      this.i++;
      terms.push(this.term());
    }
    if (this.peek('AND') || this.peek('OR')) this.fail('AND and OR cannot be mixed without parentheses');
    if (op === 'OR') return (a) => terms.some((f) => f(a));
    return (a) => terms.every((f) => f(a));
  }

  private term(): AttributeFilter {
    if (this.peek('NOT') || this.peek('-')) {
      this.i++;
      const inner = this.term();
      return (a) => !inner(a);
    }
    if (this.peek('(')) {
      this.i++;
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (this.peek('hasPrefix')) {
      this.i++;
      this.expect('(');
      this.expect('attributes');
      this.expect('.');
      const key = this.key();
      this.expect(',');
      const prefix = this.value();
      this.expect(')');
      return (a) => a[key]?.startsWith(prefix) ?? false;
    }
    this.expect('attributes');
    if (this.peek(':')) {
      this.i++;
      const key = this.key();
      return (a) => key in a;
    }
    this.expect('.');
    const key = this.key();
    const negate = this.peek('!=');
    if (!negate) this.expect('=');
    else this.i++;
    const value = this.value();
    return negate ? (a) => a[key] !== value : (a) => a[key] === value;
  }
}

/** Compiles a filter; the empty filter matches everything. Throws INVALID_ARGUMENT naming the problem. */
export function compileFilter(source: string): AttributeFilter {
  if (!source.trim()) return () => true;
  if (Buffer.byteLength(source) > MAX_FILTER_BYTES) {
    throw invalid(`Invalid filter expression: longer than ${MAX_FILTER_BYTES} bytes.`);
  }
  return new Parser(tokenize(source), source).parse();
}
