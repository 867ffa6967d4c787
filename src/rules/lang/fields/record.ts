import { field, isJsonObject, type JsonObject, type JsonValue } from '../../../model/json.ts';

/** Like fastjson's GetStringBytes: the value at the path only when it is a string. */
export function str(rec: JsonObject, ...path: readonly string[]): string | undefined {
  const v = at(rec, path);
  return typeof v === 'string' ? v : undefined;
}

export function at(rec: JsonObject, path: readonly string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = rec;
  for (const key of path) {
    if (!isJsonObject(cur)) return undefined;
    cur = field(cur, key);
  }
  return cur;
}

/**
 * The plugin's `string(jdata.Get(path).GetStringBytes())`: no value when the path is absent, the string when it is
 * one, and an empty string for any other JSON value (null, a number, an object): present, but not text.
 */
export function plain(rec: JsonObject, ...path: readonly string[]): string | undefined {
  const v = at(rec, path);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : '';
}

/** fastjson's Value.Bool() as the plugin uses it: only JSON `true` is true (a "true" string is not). */
export function flag(rec: JsonObject, key: string): string | undefined {
  const v = at(rec, [key]);
  return v === undefined ? undefined : v === true ? 'true' : 'false';
}
