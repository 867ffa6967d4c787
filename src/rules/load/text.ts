import type { LineCounter, Scalar } from 'yaml';

/** A place in a rules file, 1-based. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/**
 * A piece of text from a YAML scalar that knows where each of its characters came from, so an error found at
 * offset N of a condition (after YAML folded lines or unescaped quotes) points at the right line and column.
 */
export interface SourceText {
  readonly text: string;
  posAt(offset: number): SourcePos;
}

export function scalarText(file: string, source: string, counter: LineCounter, node: Scalar): SourceText {
  const text = String(node.value);
  const [start = 0, end = start] = node.range ?? [];
  const offsets = alignOffsets(source, start, end, text);
  return {
    text,
    posAt(offset) {
      const at = offsets[Math.min(Math.max(offset, 0), offsets.length - 1)] ?? start;
      const { line, col } = counter.linePos(at);
      return { file, line, col };
    },
  };
}

/** Falco appends with a single space; an appended condition keeps the positions of both pieces. */
export function concatText(a: SourceText, b: SourceText): SourceText {
  const cut = a.text.length + 1;
  return {
    text: `${a.text} ${b.text}`,
    posAt: (offset) => (offset < cut ? a.posAt(offset) : b.posAt(offset - cut)),
  };
}

/** For text built by the loader (exceptions): every offset is the place of the YAML node it was built from. */
export function fixedText(text: string, pos: SourcePos): SourceText {
  return { text, posAt: () => pos };
}

/**
 * Source offset of every value character (and one past the end). The value's characters appear in the source in
 * order; folding turns line breaks and indentation into one space, and quotes add escapes, so we walk both.
 */
function alignOffsets(source: string, start: number, end: number, value: string): number[] {
  const offsets: number[] = [];
  let j = start;
  // Skip the opening quote or block indicator line.
  const first = source[j];
  const doubleQuoted = first === '"';
  if (first === '"' || first === "'") j++;
  else if (first === '|' || first === '>') {
    while (j < end && source[j] !== '\n') j++;
  }
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (doubleQuoted && source[j] === '\\') {
      const escape = escapeAt(source, j);
      if (escape.produces === 0) {
        // An escaped line break: the break and the next line's indentation produce nothing.
        j += escape.length;
        while (j < end && /[ \t]/.test(source[j] ?? '')) j++;
        i--;
        continue;
      }
      for (let k = 0; k < escape.produces && i + k < value.length; k++) offsets.push(j);
      i += escape.produces - 1;
      j += escape.length;
      continue;
    }
    if (/\s/.test(c)) {
      offsets.push(j);
      if (source[j] === '\n' || source[j] === '\r') {
        // A folded line break: the break and the next line's indentation became this one space.
        while (j < end && /\s/.test(source[j] ?? '')) j++;
      } else if (/\s/.test(source[j] ?? '')) {
        j++;
      }
      continue;
    }
    // The character is at j, or a little further after trailing blanks YAML dropped before a line break. Never
    // search far: a character we cannot place keeps the last known place instead of dragging every later one.
    const k = source.slice(j, Math.min(end, j + MAX_SKIP)).indexOf(c);
    if (k >= 0) j += k;
    offsets.push(Math.min(j, Math.max(end - 1, start)));
    if (j < end) j++;
  }
  offsets.push(Math.min(j, end));
  return offsets;
}

const MAX_SKIP = 256;

/** A YAML double-quoted escape at `at` (a backslash): its length in the source and how many UTF-16 units it makes. */
function escapeAt(source: string, at: number): { length: number; produces: number } {
  const kind = source[at + 1] ?? '';
  if (kind === '\n') return { length: 2, produces: 0 };
  if (kind === '\r') return { length: source[at + 2] === '\n' ? 3 : 2, produces: 0 };
  if (kind === 'x') return { length: 4, produces: 1 };
  if (kind === 'u') return { length: 6, produces: 1 };
  if (kind === 'U') {
    const code = Number.parseInt(source.slice(at + 2, at + 10), 16);
    return { length: 10, produces: code > 0xffff ? 2 : 1 };
  }
  return { length: 2, produces: 1 };
}
