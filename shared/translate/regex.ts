// RE2 validation (Network Services evaluates every regex with RE2). Never JavaScript RegExp: its
// dialect differs (lookbehind, backreferences) and it can backtrack exponentially.
import { RE2JS } from 're2js';
import { errorMessage } from './util.ts';

/** Longer patterns are refused outright: Gateway API values are capped at 1024 (paths) to 4096. */
export const MAX_REGEX_LENGTH = 1024;
/** Guards against hostile patterns: counted repeats expand the program before its size can be checked. */
export const MAX_REPEAT_TOTAL = 1000;
export const MAX_PROGRAM_SIZE = 10_000;

/** Escapes RE2 metacharacters so the text matches itself literally. */
export function escapeRe2(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function repeatTotal(pattern: string): number {
  let total = 0;
  for (const m of pattern.matchAll(/\{(\d+)(?:,(\d*))?\}/g))
    total += Math.max(Number(m[1]), Number(m[2] || 0));
  return total;
}

// Compiling is the expensive part of a translate and the same patterns come back on every reconcile,
// so verdicts (a pure function of the pattern) are remembered, up to a bound on entries and on the
// characters they hold (patterns are up to 1024 characters). The bound is well above the patterns of
// a 50k-route cluster: a smaller one was emptied during every translate of it, recompiling them all.
const MAX_CACHED_VERDICTS = 100_000;
const MAX_CACHED_CHARS = 4_000_000;
const verdicts = new Map<string, string | undefined>();
let cachedChars = 0;

export function re2Error(pattern: string): string | undefined {
  if (verdicts.has(pattern)) return verdicts.get(pattern);
  const verdict = checkRe2(pattern);
  if (verdicts.size >= MAX_CACHED_VERDICTS || cachedChars + pattern.length > MAX_CACHED_CHARS) {
    verdicts.clear();
    cachedChars = 0;
  }
  verdicts.set(pattern, verdict);
  cachedChars += pattern.length;
  return verdict;
}

function checkRe2(pattern: string): string | undefined {
  if (pattern.length === 0) return 'empty regular expression';
  if (pattern.length > MAX_REGEX_LENGTH)
    return `regular expression longer than ${MAX_REGEX_LENGTH} characters`;
  if (repeatTotal(pattern) > MAX_REPEAT_TOTAL)
    return `regular expression repeat counts add up to more than ${MAX_REPEAT_TOTAL}`;
  try {
    const size = RE2JS.compile(pattern).programSize();
    if (size > MAX_PROGRAM_SIZE)
      return `regular expression too complex (program size ${size} > ${MAX_PROGRAM_SIZE})`;
    return undefined;
  } catch (err) {
    return `invalid RE2 regular expression ${JSON.stringify(pattern.slice(0, 80))}: ${errorMessage(err)}`;
  }
}

export function quoteRe2(literal: string): string {
  return RE2JS.quote(literal);
}
