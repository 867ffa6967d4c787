import { RE2JS } from 're2js';
import { hasLiterals, requiredLiterals } from './regex-literals.ts';

// Matchers for glob and pmatch live in glob.ts; regex (RE2) and byte strings here.
export { compilePmatch, globMatch } from './glob.ts';

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
  const size = Number(re.re2Input.numberOfInstructions());
  // A value without the text every match contains is refused before RE2 runs (regex-literals.ts).
  const lits = requiredLiterals(pattern);
  if (lits === undefined) return { test: (text) => re.matches(text), size };
  return { test: (text) => hasLiterals(lits, text) && re.matches(text), size };
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
