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
  if (first === '"' || first === "'") j++;
  else if (first === '|' || first === '>') {
    while (j < end && source[j] !== '\n') j++;
  }
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
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
    while (j < end && source[j] !== c) j++;
    offsets.push(Math.min(j, Math.max(end - 1, start)));
    if (j < end) j++;
  }
  offsets.push(Math.min(j, end));
  return offsets;
}
