/**
 * Where JSON text stops being valid, as a 1-based line and column. V8's messages carry a position only for some
 * errors ("Unexpected token '}', ..." has none), and a user needs the place, so we find it ourselves: a small
 * iterative scanner (no recursion, so deep nesting cannot overflow the stack) that checks syntax only.
 */
export function locateJsonError(text: string): { line: number; column: number } {
  const offset = firstErrorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function firstErrorOffset(s: string): number {
  let i = 0;
  // What may come next: a value, or (inside containers) a separator or a closer.
  const stack: ('{' | '[')[] = [];
  let expect: 'value' | 'key' | 'after-value' | 'colon' = 'value';
  const ws = (): void => {
    while (i < s.length && ' \t\n\r'.includes(s[i] ?? '')) i++;
  };
  for (;;) {
    ws();
    if (i >= s.length) return stack.length === 0 && expect === 'after-value' ? s.length : i;
    const c = s[i] ?? '';
    if (expect === 'value' || expect === 'key') {
      if (expect === 'key' && c === '}' && s[i - 1] !== ',') {
        stack.pop();
        i++;
        expect = 'after-value';
        continue;
      }
      if (expect === 'value' && c === ']' && stack[stack.length - 1] === '[' && prevNonWs(s, i) === '[') {
        stack.pop();
        i++;
        expect = 'after-value';
        continue;
      }
      if (c === '"') {
        const end = stringEnd(s, i);
        if (end < 0) return i;
        i = end;
        expect = expect === 'key' ? 'colon' : 'after-value';
        continue;
      }
      if (expect === 'key') return i;
      if (c === '{') {
        stack.push('{');
        i++;
        expect = 'key';
        continue;
      }
      if (c === '[') {
        stack.push('[');
        i++;
        expect = 'value';
        continue;
      }
      const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(s.slice(i, i + 400));
      if (m === null) return i;
      i += m[0].length;
      expect = 'after-value';
      continue;
    }
    if (expect === 'colon') {
      if (c !== ':') return i;
      i++;
      expect = 'value';
      continue;
    }
    // after-value
    const top = stack[stack.length - 1];
    if (top === undefined) return i;
    if (c === ',') {
      i++;
      expect = top === '{' ? 'key' : 'value';
      continue;
    }
    if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
      stack.pop();
      i++;
      continue;
    }
    return i;
  }
}

function prevNonWs(s: string, i: number): string {
  let j = i - 1;
  while (j >= 0 && ' \t\n\r'.includes(s[j] ?? '')) j--;
  return s[j] ?? '';
}

/** Index after the closing quote, or -1. */
function stringEnd(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
    else if (c === '\n') return -1;
  }
  return -1;
}
