import type { Pos } from './ast.ts';
import { ParseFailure } from './error.ts';

/**
 * Character-level scanning for the condition grammar. Falco's grammar is context sensitive (a bare value may hold
 * `/`, `:` and `*`, a field argument may hold almost anything), so the parser asks for the token it expects next
 * instead of consuming a pre-built token stream.
 */
export class Scanner {
  readonly text: string;
  offset = 0;
  /** Text of the last token read, for Falco's "unexpected token after 'X'" messages. */
  last = '';
  private readonly lineStarts: number[];

  constructor(text: string) {
    this.text = text;
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  posAt(offset: number): Pos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, col: offset - (this.lineStarts[lo] ?? 0) + 1 };
  }

  pos(): Pos {
    return this.posAt(this.offset);
  }

  fail(message: string, offset: number = this.offset): never {
    throw new ParseFailure({ message, pos: this.posAt(offset) });
  }

  atEnd(): boolean {
    return this.offset >= this.text.length;
  }

  peek(ahead = 0): string {
    return this.text.charAt(this.offset + ahead);
  }

  skipBlanks(): void {
    while (this.offset < this.text.length && isBlank(this.text.charAt(this.offset))) this.offset++;
  }

  /** Consumes `s` if the text continues with it. */
  eat(s: string): boolean {
    if (!this.text.startsWith(s, this.offset)) return false;
    this.offset += s.length;
    this.last = s;
    return true;
  }

  /**
   * A keyword (`and`, `not`, `exists`, `in`…) followed by a blank, `(` or (when allowed) the end, or a `)` that closes
   * the check (`(ct.user exists)`).
   */
  eatKeyword(word: string, allowParen: boolean, allowEnd = false, allowClose = false): boolean {
    if (!this.text.startsWith(word, this.offset)) return false;
    const next = this.text.charAt(this.offset + word.length);
    const ok =
      next === ''
        ? allowEnd
        : isBlank(next) || (allowParen && next === '(') || (allowClose && next === ')') || next === '"' || next === "'";
    if (!ok) return false;
    this.offset += word.length;
    this.last = word;
    return true;
  }

  /** `[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z0-9_]+)*`: a field name, or a macro name when it has no dot. */
  readName(): string | undefined {
    const m = NAME.exec(this.text.slice(this.offset, this.offset + 512));
    if (m === null) return undefined;
    this.offset += m[0].length;
    this.last = m[0];
    return m[0];
  }

  /** Falco's BareStr: `[^()"'\s=,]+`. */
  readBare(): string | undefined {
    const start = this.offset;
    while (this.offset < this.text.length && !BARE_STOP.has(this.text.charAt(this.offset)) && !isBlank(this.peek())) {
      this.offset++;
    }
    if (this.offset === start) return undefined;
    this.last = this.text.slice(start, this.offset);
    return this.last;
  }

  /** A quoted string at the cursor, with Falco's escapes (libs escaping.cpp `unescape_str`). */
  readQuoted(): string {
    const start = this.offset;
    const quote = this.text.charAt(start);
    let out = '';
    let i = start + 1;
    for (;;) {
      if (i >= this.text.length) this.fail('unterminated string', start);
      const c = this.text.charAt(i);
      if (c === quote) break;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = this.text.charAt(i + 1);
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === quote) {
        out += quote;
        i += 2;
      } else if (e === ' ') {
        // Falco tolerates `\ ` for legacy rules and keeps it as is.
        out += '\\ ';
        i += 2;
      } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(this.text.slice(i + 2, i + 4))) {
        out += String.fromCharCode(parseInt(this.text.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (e === '') {
        this.fail('unterminated string', start);
      } else {
        this.fail('unsupported string escape sequence', i);
      }
    }
    this.offset = i + 1;
    this.last = this.text.slice(start, this.offset);
    return out;
  }
}

const NAME = /^[a-zA-Z][a-zA-Z0-9_]*(?:\.[a-zA-Z0-9_]+)*/;
const BARE_STOP = new Set(['(', ')', '"', "'", '=', ',']);
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  '\\': '\\',
  '/': '/',
};

export function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
}
