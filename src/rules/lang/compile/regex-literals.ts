/**
 * Literal text that every full match of an RE2 pattern contains, found at load so that a value lacking it is refused
 * without running RE2 (a required prefix refuses most values at their first characters). Only a conservative subset
 * is read: the pattern's top level as a concatenation of atoms. Anything this reader does not fully understand —
 * a top-level `|`, any `(?…)` (flags such as `(?i)` change what a literal matches), an escape other than punctuation
 * or `\d \D \w \W \s \S \b \B \A \z`, a `{` that is not a repetition, a class holding `[`, a character outside
 * printable ASCII — gives no literals, and the value goes to RE2 as before. So the filter never refuses a value RE2
 * would accept: it only ever asks for text that a match must contain.
 */
export interface RequiredLiterals {
  /** The match starts with this ('' when none is known). */
  readonly prefix: string;
  /** The match ends with this ('' when none is known). */
  readonly suffix: string;
  /** The match contains each of these somewhere. */
  readonly inner: readonly string[];
}

const REPEAT = /^\{\d+(?:,\d*)?\}/;

/** The literals of a pattern RE2 compiled (call it only on valid patterns); undefined when none are known. */
export function requiredLiterals(pattern: string): RequiredLiterals | undefined {
  const runs: { text: string; atStart: boolean; atEnd: boolean }[] = [];
  let run = '';
  let runAtStart = false;
  /** An atom has been read before the current run's first character. */
  let consumed = false;
  /** The last atom was a literal character (a quantifier after it makes it optional: it leaves the run). */
  let lastLiteral = false;
  const flush = (): void => {
    if (run !== '') runs.push({ text: run, atStart: runAtStart, atEnd: false });
    run = '';
    lastLiteral = false;
    consumed = true;
  };
  const literal = (ch: string): void => {
    if (run === '') runAtStart = !consumed;
    run += ch;
    lastLiteral = true;
  };
  const quantifier = (): void => {
    if (lastLiteral) run = run.slice(0, -1);
    flush();
  };
  for (let i = 0; i < pattern.length;) {
    const ch = pattern.charAt(i);
    const code = pattern.charCodeAt(i);
    if (ch === '|') return undefined;
    if (ch === '(') {
      if (pattern.charAt(i + 1) === '?') return undefined;
      const close = groupEnd(pattern, i);
      if (close === undefined) return undefined;
      flush();
      i = close + 1;
    } else if (ch === '[') {
      const close = classEnd(pattern, i);
      if (close === undefined) return undefined;
      flush();
      i = close + 1;
    } else if (ch === '.' || ch === '^' || ch === '$') {
      flush();
      i++;
    } else if (ch === '*' || ch === '+' || ch === '?') {
      quantifier();
      i++;
    } else if (ch === '{') {
      const m = REPEAT.exec(pattern.slice(i));
      if (m === null) return undefined;
      quantifier();
      i += m[0].length;
    } else if (ch === '\\') {
      const next = pattern.charAt(i + 1);
      if (/^[!-/:-@[-`{-~]$/.test(next)) literal(next);
      else if (/^[dDwWsSbBAz]$/.test(next)) flush();
      else return undefined;
      i += 2;
    } else if (code >= 0x20 && code <= 0x7e) {
      literal(ch);
      i++;
    } else return undefined;
  }
  if (run !== '') runs.push({ text: run, atStart: runAtStart, atEnd: true });
  if (runs.length === 0) return undefined;
  const first = runs[0];
  const last = runs[runs.length - 1];
  const prefix = first?.atStart === true ? first.text : '';
  const suffix = last?.atEnd === true ? last.text : '';
  const inner = runs.filter((r) => !r.atStart && !r.atEnd).map((r) => r.text);
  return { prefix, suffix, inner };
}

/** The `)` closing the group opened at `open`, skipping escapes and classes; undefined when unbalanced. */
function groupEnd(pattern: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '\\') i++;
    else if (ch === '[') {
      const close = classEnd(pattern, i);
      if (close === undefined) return undefined;
      i = close;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return undefined;
}

/** The `]` closing the class opened at `open` (a `]` first in it is literal); undefined for `[` inside (`[:alpha:]`). */
function classEnd(pattern: string, open: number): number | undefined {
  let i = open + 1;
  if (pattern.charAt(i) === '^') i++;
  if (pattern.charAt(i) === ']') i++;
  for (; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '\\') i++;
    else if (ch === '[') return undefined;
    else if (ch === ']') return i;
  }
  return undefined;
}

/** Whether `text` has every literal (a value without them cannot fully match). */
export function hasLiterals(lits: RequiredLiterals, text: string): boolean {
  if (!text.startsWith(lits.prefix) || !text.endsWith(lits.suffix)) return false;
  const { inner } = lits;
  for (let i = 0; i < inner.length; i++) if (!text.includes(inner[i] as string)) return false;
  return true;
}
