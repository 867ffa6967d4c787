/**
 * Where JSON text stops being valid: the 1-based line and column of the character where a parser must stop, and
 * why, in words that never repeat the text. V8's messages quote the input around the error (a state's or an S3
 * object's secrets) and carry a position only for some errors, so we find the place ourselves: a small iterative
 * scanner (no recursion, so deep nesting cannot overflow the stack) that checks syntax only and stops where V8 does.
 */
export interface JsonErrorAt {
  readonly line: number;
  readonly column: number;
  /** UTF-16 offset of the failing character (the text's length when it ends too early). */
  readonly offset: number;
  /** What was expected there; never contains input. */
  readonly reason: string;
}

export type JsonParsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: JsonErrorAt };

/** JSON.parse, with a located, input-free error instead of V8's exception. */
export function parseJson<T>(text: string): JsonParsed<T> {
  try {
    return { ok: true, value: JSON.parse(text) as T };
  } catch {
    return { ok: false, error: locateJsonError(text) };
  }
}

/** `expected … (line 3, column 1)`: the reason and the place, for a message. */
export function describeJsonError(e: JsonErrorAt): string {
  return `${e.reason} at line ${e.line}, column ${e.column}`;
}

/** The first error of `text`, which JSON.parse refused. Text it accepts gets the end of the text, as a fallback. */
export function locateJsonError(text: string): JsonErrorAt {
  const found = firstError(text) ?? { offset: text.length, reason: 'invalid JSON' };
  let line = 1;
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < found.offset; nl = text.indexOf('\n', nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  return { line, column: found.offset - lineStart + 1, offset: found.offset, reason: found.reason };
}

type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'after';
interface Failure {
  readonly offset: number;
  readonly reason: string;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const LITERALS: Readonly<Record<string, string>> = { t: 'true', f: 'false', n: 'null' };

/** The first place `s` is not JSON (RFC 8259, as V8 parses it), or undefined when it is JSON. */
function firstError(s: string): Failure | undefined {
  const stack: ('{' | '[')[] = [];
  let expect: Expect = 'value';
  let i = 0;
  for (;;) {
    while (i < s.length && WS.has(s.charCodeAt(i))) i++;
    if (i >= s.length) {
      return expect === 'after' && stack.length === 0 ? undefined : { offset: i, reason: 'unexpected end of input' };
    }
    const c = s.charAt(i);
    // Right after an opening bracket the matching closer is allowed; after a comma it is not.
    if ((expect === 'key-or-close' && c === '}') || (expect === 'value-or-close' && c === ']')) {
      stack.pop();
      i++;
      expect = 'after';
      continue;
    }
    const top = stack[stack.length - 1];
    switch (expect) {
      case 'after':
        if (top === undefined) return { offset: i, reason: 'unexpected character after the end of the JSON value' };
        if (c === ',') expect = top === '{' ? 'key' : 'value';
        else if ((c === '}' && top === '{') || (c === ']' && top === '[')) stack.pop();
        else
          return {
            offset: i,
            reason: `expected ',' or '${top === '{' ? '}' : ']'}' after ${top === '{' ? 'a property value' : 'an array element'}`,
          };
        i++;
        continue;
      case 'colon':
        if (c !== ':') return { offset: i, reason: "expected ':' after a property name" };
        i++;
        expect = 'value';
        continue;
      case 'key-or-close':
      case 'key': {
        if (c !== '"') return { offset: i, reason: 'expected a property name in double quotes' };
        const end = scanString(s, i);
        if (typeof end !== 'number') return end;
        i = end;
        expect = 'colon';
        continue;
      }
      case 'value-or-close':
      case 'value': {
        if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          expect = c === '{' ? 'key-or-close' : 'value-or-close';
          continue;
        }
        const end = c === '"' ? scanString(s, i) : c === '-' || isDigit(s, i) ? scanNumber(s, i) : scanLiteral(s, i);
        if (typeof end !== 'number') return end;
        i = end;
        expect = 'after';
        continue;
      }
    }
  }
}

/** Index after the closing quote of the string opening at `start`. */
function scanString(s: string, start: number): number | Failure {
  for (let i = start + 1; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return { offset: i, reason: 'control character in a string (escape it)' };
    if (code !== 0x5c) continue;
    i++;
    if (i >= s.length) break;
    const e = s.charAt(i);
    if (e === 'u') {
      for (let k = 1; k <= 4; k++) {
        if (!/[0-9a-fA-F]/.test(s.charAt(i + k))) {
          return i + k >= s.length ? unterminated(s) : { offset: i + k, reason: 'bad \\u escape in a string' };
        }
      }
      i += 4;
    } else if (!ESCAPES.has(e)) return { offset: i, reason: 'bad escape in a string' };
  }
  return unterminated(s);
}

function unterminated(s: string): Failure {
  return { offset: s.length, reason: 'unterminated string' };
}

function scanNumber(s: string, start: number): number | Failure {
  let i = start;
  if (s.charAt(i) === '-') i++;
  if (!isDigit(s, i)) return badNumber(s, i);
  if (s.charAt(i) === '0') i++;
  else while (isDigit(s, i)) i++;
  if (s.charAt(i) === '.') {
    i++;
    if (!isDigit(s, i)) return badNumber(s, i);
    while (isDigit(s, i)) i++;
  }
  if (s.charAt(i) === 'e' || s.charAt(i) === 'E') {
    i++;
    if (s.charAt(i) === '+' || s.charAt(i) === '-') i++;
    if (!isDigit(s, i)) return badNumber(s, i);
    while (isDigit(s, i)) i++;
  }
  return i;
}

function badNumber(s: string, i: number): Failure {
  return { offset: i, reason: i >= s.length ? 'unexpected end of input' : 'invalid number' };
}

function scanLiteral(s: string, start: number): number | Failure {
  const word = LITERALS[s.charAt(start)];
  if (word === undefined) return { offset: start, reason: 'unexpected character where a value should be' };
  for (let k = 1; k < word.length; k++) {
    if (start + k >= s.length) return { offset: start + k, reason: 'unexpected end of input' };
    if (s.charAt(start + k) !== word.charAt(k))
      return { offset: start + k, reason: `invalid literal (expected ${word})` };
  }
  return start + word.length;
}

function isDigit(s: string, i: number): boolean {
  const code = s.charCodeAt(i);
  return code >= 0x30 && code <= 0x39;
}
