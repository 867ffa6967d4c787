import { field, isJsonObject, type JsonValue } from '../../../model/json.ts';

/**
 * A pointer to reference tokens as the json plugin reads it: one leading `/` is optional, tokens are split on `/`,
 * and `~1` then `~0` are replaced (any other `~` stays as it is; the plugin accepts it).
 */
export function parsePointer(pointer: string): readonly string[] {
  const body = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  return body.split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Walks own properties only, so `__proto__` or `constructor` in a pointer find nothing unless the JSON has them. */
export function resolvePointer(doc: JsonValue, tokens: readonly string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = doc;
  for (const t of tokens) {
    if (cur === undefined) return undefined;
    if (Array.isArray(cur)) {
      // fastjson indexes arrays with strconv.Atoi: an optional sign, decimal digits, leading zeros allowed.
      if (!/^[+-]?[0-9]+$/.test(t)) return undefined;
      const i = Number(t);
      cur = i < 0 ? undefined : (cur as readonly JsonValue[])[i];
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
