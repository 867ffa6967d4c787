// JSON as it arrives from untrusted input. Everything parsed from a message, a record or a state file is one of
// these until a zod schema (or a normalizer) turns it into a domain type.
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property read that never walks the prototype chain (records may carry `__proto__` or `constructor` keys). */
export function field(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function stringField(obj: JsonObject, key: string): string | undefined {
  const v = field(obj, key);
  return typeof v === 'string' ? v : undefined;
}

export function objectField(obj: JsonObject, key: string): JsonObject | undefined {
  const v = field(obj, key);
  return isJsonObject(v) ? v : undefined;
}
