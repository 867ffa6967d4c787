import { field, isJsonObject, type JsonValue } from '../../../model/json.ts';

/** RFC 6901 pointer → reference tokens, or a message when it is malformed. */
export function parsePointer(pointer: string): readonly string[] | string {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return `invalid JSON pointer '${pointer}': it must start with '/'`;
  const tokens: string[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    if (/~[^01]|~$/.test(raw)) return `invalid JSON pointer '${pointer}': '~' must be followed by 0 or 1`;
    tokens.push(raw.replaceAll('~1', '/').replaceAll('~0', '~'));
  }
  return tokens;
}

/** Walks own properties only, so `__proto__` or `constructor` in a pointer find nothing unless the JSON has them. */
export function resolvePointer(doc: JsonValue, tokens: readonly string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = doc;
  for (const t of tokens) {
    if (cur === undefined) return undefined;
    if (Array.isArray(cur)) {
      if (!/^(?:0|[1-9][0-9]*)$/.test(t)) return undefined;
      cur = (cur as readonly JsonValue[])[Number(t)];
    } else if (isJsonObject(cur)) {
      cur = field(cur, t);
    } else {
      return undefined;
    }
  }
  return cur;
}

/** The json plugin's rendering: strings unquoted, everything else compact JSON. */
export function jsonText(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
