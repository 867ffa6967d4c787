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

/**
 * Falco uses RE2, which has no lookaround and no backreferences; rejecting them keeps rules portable and keeps
 * out the constructs that make JavaScript's backtracking engine slow. The match is full and anchored, as in Falco.
 */
export function compileRegex(pattern: string): RegExp | string {
  if (pattern.length > MAX_REGEX_LENGTH) return `regex longer than ${MAX_REGEX_LENGTH} characters`;
  if (/\(\?<?[=!]/.test(pattern)) return 'lookaround assertions are not supported (Falco uses RE2)';
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not supported (Falco uses RE2)';
  if (hasNestedQuantifier(pattern)) {
    return 'a repeated group that itself repeats (like (a+)+) can make matching exponentially slow; RE2 has no such cost, JavaScript does: rewrite it';
  }
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    try {
      return new RegExp(`^(?:${pattern})$`);
    } catch (e) {
      return `invalid regex: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
}

/**
 * True for a quantified group whose body contains an unbounded quantifier — `(a+)+`, `(a*b?)*`, `(?:x+){2,}` — the
 * shape behind catastrophic backtracking. Escapes and character classes are skipped; a bounded `{n}` is harmless.
 */
function hasNestedQuantifier(pattern: string): boolean {
  const groups: boolean[] = []; // per open group: does its body repeat without bound?
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      continue;
    }
    if (c === '(') {
      groups.push(false);
      continue;
    }
    const unbounded = c === '*' || c === '+' || (c === '{' && /^\{\d*,\}/.test(pattern.slice(i)));
    if (c === ')') {
      const bodyRepeats = groups.pop() ?? false;
      const next = pattern[i + 1];
      const outerRepeats =
        next === '*' ||
        next === '+' ||
        (next === '{' && /^\{\d*,\d*\}/.test(pattern.slice(i + 1)) && !/^\{\d+\}/.test(pattern.slice(i + 1)));
      if (bodyRepeats && outerRepeats) return true;
      if (bodyRepeats && groups.length > 0) groups[groups.length - 1] = true;
      continue;
    }
    if (unbounded && groups.length > 0) groups[groups.length - 1] = true;
  }
  return false;
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
