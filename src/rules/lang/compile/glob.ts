/**
 * Globs and pmatch prepared once at load. Globs are matched by hand rather than turned into RegExps: a pattern with
 * several `*` becomes a backtracking RegExp whose cost can explode on long values; this loop is O(n·m) at worst.
 * A pattern without `?`, `[` or `\` whose only `*` stand at its ends is a plain string test (equality, prefix,
 * suffix, substring): exactly what the loop decides for it, without walking it per value.
 */

/** Characters that make a glob more than literal text: `*`, `?`, `[` (a class, or itself when unclosed), `\`. */
const GLOB_SPECIAL = /[*?[\\]/;

/** Whole-string glob with `*`, `?` and `[...]` (ranges, `!`/`^` negation), like fnmatch without flags. */
export function globMatch(pattern: string, text: string): boolean {
  return globMatchRange(pattern, text, 0, text.length);
}

/** globMatch on `text.slice(from, to)`, without the slice (pmatch matches components in place). */
export function globMatchRange(pattern: string, text: string, from: number, to: number): boolean {
  let p = 0;
  let t = from;
  let starP = -1;
  let starT = from;
  while (t < to) {
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

/** A glob as a test of whole strings; the same answers as globMatch(pattern, ·). */
export function compileGlob(pattern: string): (text: string) => boolean {
  if (!GLOB_SPECIAL.test(pattern)) return (text) => text === pattern;
  const inner = pattern.slice(1, -1);
  const starts = pattern.startsWith('*');
  const ends = pattern.length > 1 && pattern.endsWith('*');
  // `*` alone, `*abc`, `abc*`, `*abc*`: one star at either end and nothing special between.
  if (starts && !ends && !GLOB_SPECIAL.test(pattern.slice(1))) {
    const suffix = pattern.slice(1);
    return (text) => text.endsWith(suffix);
  }
  if (!starts && ends && !GLOB_SPECIAL.test(pattern.slice(0, -1))) {
    const prefix = pattern.slice(0, -1);
    return (text) => text.startsWith(prefix);
  }
  if (starts && ends && !GLOB_SPECIAL.test(inner)) return (text) => text.includes(inner);
  const range = compileGlobRange(pattern);
  return (text) => range(text, 0, text.length);
}

/** globMatchRange(pattern, ·, ·, ·), prepared once: the same answers. */
export function compileGlobRange(pattern: string): (text: string, from: number, to: number) => boolean {
  // `*` and then no other `*`: each element of the rest (a character, `?`, a class, an escape) matches exactly one
  // character, so the rest can only match the last `length` characters. It is tried there once, where the loop
  // would try it at every start (`*-prod`, `*-[0-9][0-9]`: the commonest globs).
  if (pattern.startsWith('*') && !pattern.includes('*', 1)) {
    const rest = pattern.slice(1);
    const length = elementCount(rest);
    return (text, from, to) => to - from >= length && globMatchRange(rest, text, to - length, to);
  }
  return (text, from, to) => globMatchRange(pattern, text, from, to);
}

/** The characters a glob without `*` matches: one per element, as globMatchRange reads them. */
function elementCount(pattern: string): number {
  let n = 0;
  for (let p = 0; p < pattern.length; n++) {
    const c = pattern.charAt(p);
    if (c === '[') p = matchClass(pattern, p, '')?.next ?? p + 1;
    else if (c === '\\' && p + 1 < pattern.length) p += 2;
    else p++;
  }
  return n;
}

/** One component of a pmatch prefix: literal text, or a glob (one shape for both: the loop's reads stay monomorphic). */
interface Component {
  readonly text: string;
  /** The glob's prepared matcher; undefined for literal text. */
  readonly glob: ((text: string, from: number, to: number) => boolean) | undefined;
}

/**
 * Falco's pmatch: `value` is under one of the prefixes, on path-component boundaries (`/etc/hello` matches
 * `/etc/hello/x` but not `/etc/hello_world`); a component of a prefix may be a glob. The prefixes are split once;
 * a value's components are found with indexOf and compared in place (no split, no substrings per value).
 */
export function compilePmatch(prefixes: readonly string[]): (value: string) => boolean {
  const compiled = prefixes.map((p): readonly Component[] => {
    const parts = p.split('/');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts.map((c): Component => ({ text: c, glob: GLOB_SPECIAL.test(c) ? compileGlobRange(c) : undefined }));
  });
  return (value) => {
    for (let i = 0; i < compiled.length; i++) if (underPrefix(compiled[i] as readonly Component[], value)) return true;
    return false;
  };
}

/**
 * value.split('/') has at least as many parts as `prefix` and each of the first ones matches its component.
 * A part runs from `start` to the next `/` (or the end); past the last part `start` exceeds the value's length.
 */
function underPrefix(prefix: readonly Component[], value: string): boolean {
  let start = 0;
  for (let i = 0; i < prefix.length; i++) {
    if (start > value.length) return false;
    let end = value.indexOf('/', start);
    if (end < 0) end = value.length;
    const c = prefix[i] as Component;
    if (c.glob !== undefined) {
      if (!c.glob(value, start, end)) return false;
    } else if (end - start !== c.text.length || !value.startsWith(c.text, start)) return false;
    start = end + 1;
  }
  return true;
}
