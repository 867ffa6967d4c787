import { RE2JS } from 're2js';

/**
 * Matchers for glob, pmatch and regex. Globs are matched by hand rather than turned into RegExps: a pattern with
 * several `*` becomes a backtracking RegExp whose cost can explode on long values; this loop is O(n·m) at worst.
 */

/** Whole-string glob with `*`, `?` and `[...]` (ranges, `!`/`^` negation), like fnmatch without flags. */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length) {
      const c = pattern.charAt(p);
      if (c === '*') {
        starP = p++;
        starT = t;
        continue;
      }
      if (c === '?') {
        p++;
        t++;
        continue;
      }
      if (c === '[') {
        const cls = matchClass(pattern, p, text.charAt(t));
        if (cls !== undefined) {
          if (cls.matched) {
            p = cls.next;
            t++;
            continue;
          }
        } else if (text.charAt(t) === '[') {
          p++;
          t++;
          continue;
        }
      } else if (c === '\\' && p + 1 < pattern.length) {
        if (pattern.charAt(p + 1) === text.charAt(t)) {
          p += 2;
          t++;
          continue;
        }
      } else if (c === text.charAt(t)) {
        p++;
        t++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP + 1;
    t = ++starT;
  }
  while (pattern.charAt(p) === '*') p++;
  return p === pattern.length;
}

/** A `[...]` class at `start`; undefined when it is not closed (then `[` is literal). */
function matchClass(pattern: string, start: number, ch: string): { matched: boolean; next: number } | undefined {
  let i = start + 1;
  const negate = pattern.charAt(i) === '!' || pattern.charAt(i) === '^';
  if (negate) i++;
  let matched = false;
  let first = true;
  while (i < pattern.length && (first || pattern.charAt(i) !== ']')) {
    first = false;
    const lo = pattern.charAt(i);
    if (pattern.charAt(i + 1) === '-' && i + 2 < pattern.length && pattern.charAt(i + 2) !== ']') {
      const hi = pattern.charAt(i + 2);
      if (ch >= lo && ch <= hi) matched = true;
      i += 3;
    } else {
      if (ch === lo) matched = true;
      i++;
    }
  }
  if (i >= pattern.length) return undefined;
  return { matched: matched !== negate, next: i + 1 };
}

/**
 * Falco's pmatch: `value` is under one of the prefixes, on path-component boundaries (`/etc/hello` matches
 * `/etc/hello/x` but not `/etc/hello_world`); a component of a prefix may be a glob.
 */
export function compilePmatch(prefixes: readonly string[]): (value: string) => boolean {
  const split = prefixes.map((p) => {
    const parts = p.split('/');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts;
  });
  return (value) => {
    const parts = value.split('/');
    return split.some(
      (prefix) => prefix.length <= parts.length && prefix.every((c, i) => globMatch(c, parts[i] ?? '')),
    );
  };
}

export const MAX_REGEX_LENGTH = 1000;

/** A compiled `regex` operand. */
export interface Regex {
  /** The whole value matches, as RE2::FullMatch in Falco. */
  test(text: string): boolean;
  /** Instructions of the RE2 program: matching reads each character once and keeps at most this many states. */
  readonly size: number;
}

/**
 * RE2 syntax and semantics, as Falco: matching runs in time linear in the value whatever the pattern, so no rule
 * and no record can stall the daemon (JavaScript's backtracking engine took 12 s for `(a|a)*b` on 28 characters).
 * RE2 refuses what would need backtracking — lookaround, backreferences — at load, with its reason.
 */
export function compileRegex(pattern: string): Regex | string {
  if (pattern.length > MAX_REGEX_LENGTH) return `regex longer than ${MAX_REGEX_LENGTH} characters`;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e: unknown) {
    if (/\(\?<?[=!]/.test(pattern)) return 'lookaround assertions are not supported (Falco uses RE2)';
    if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not supported (Falco uses RE2)';
    const detail = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
    return `invalid regex (RE2 syntax): ${detail}`;
  }
  return { test: (text) => re.matches(text), size: Number(re.re2Input.numberOfInstructions()) };
}

/** The RHS of bcontains/bstartswith: hex digits, two per byte. */
export function parseHex(text: string): Uint8Array | string {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return `'${text}' is not a hex byte string`;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function bytesIndexOf(hay: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return 0;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
