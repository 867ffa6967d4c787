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

/** plain(rec, key) without the path array: the plain fields read one key or two per check. */
export function plain1(rec: JsonObject, key: string): string | undefined {
  if (!isJsonObject(rec) || !Object.hasOwn(rec, key)) return undefined;
  const v = rec[key];
  return typeof v === 'string' ? v : '';
}

/** plain(rec, parent, key) without the path array. */
export function plain2(rec: JsonObject, parent: string, key: string): string | undefined {
  const obj = isJsonObject(rec) ? field(rec, parent) : undefined;
  if (!isJsonObject(obj) || !Object.hasOwn(obj, key)) return undefined;
  const v = obj[key];
  return typeof v === 'string' ? v : '';
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
