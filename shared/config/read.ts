// A small environment reader that collects every problem instead of stopping at the first one.

export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The trimmed value, or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const v = this.env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  problem(name: string, message: string): undefined {
    this.problems.push(`${name}: ${message}`);
    return undefined;
  }

  required(name: string, value: string | undefined, why: string): string | undefined {
    if (value === undefined) this.problem(name, `is required ${why}`);
    return value;
  }

  matching(name: string, pattern: RegExp, description: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined || pattern.test(v)) return v;
    return this.problem(name, `must be ${description}, got ${JSON.stringify(v)}`);
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    this.problem(name, `must be true or false, got ${JSON.stringify(this.raw(name))}`);
    return fallback;
  }

  number(name: string, fallback: number, opts: { min: number; max: number; integer?: boolean }): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    const kind = opts.integer ? 'an integer' : 'a number';
    if (
      !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) ||
      !Number.isFinite(n) ||
      (opts.integer && !Number.isInteger(n))
    ) {
      this.problem(name, `must be ${kind}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    if (n < opts.min || n > opts.max) {
      this.problem(name, `must be ${kind} between ${opts.min} and ${opts.max}, got ${v}`);
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.problem(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return fallback;
  }
}
