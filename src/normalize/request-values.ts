import { field, isJsonObject, stringField, type JsonObject, type JsonValue } from '../model/json.ts';
import type { Problem } from '../model/problem.ts';
import { MAX_JSON_DEPTH, tooDeepAt } from '../model/json-depth.ts';
import type { RecordReader } from './reader.ts';

export const RP = '.requestParameters';
export const RE = '.responseElements';

/**
 * PutKeyPolicy and CreateKey carry the policy as the exact JSON text submitted (pretty-printed); some tools log it as
 * an object. Text that is not JSON is kept as text: the policy still changed, we just cannot diff it semantically.
 */
export function policyOf(obj: JsonObject | undefined, key: string, at: string, r: RecordReader): JsonValue | undefined {
  if (obj === undefined) return undefined;
  const raw = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (raw === undefined || raw === null) return undefined;
  if (isJsonObject(raw)) return raw;
  if (typeof raw !== 'string') return r.string(obj, key, at);
  let policy: JsonValue;
  try {
    policy = JSON.parse(raw) as JsonValue;
  } catch {
    return raw;
  }
  // The later stages recurse over a policy; one nested thousands of levels would overflow the stack there.
  const deep = tooDeepAt(policy);
  if (deep === undefined) return policy;
  const message = `the policy text nests deeper than ${MAX_JSON_DEPTH} levels`;
  return r.fail({ code: 'RECORD_DEPTH', severity: 'error', path: r.join(`${at}.${key}${deep}`), message });
}

/** KMS tags are `[{tagKey, tagValue}]` (other services use key/value; those records never reach here). */
export function tagsOf(request: JsonObject | undefined, r: RecordReader): Record<string, string> | undefined {
  const list = r.array(request, 'tags', RP);
  if (list === undefined) return undefined;
  const tags: Record<string, string> = {};
  list.forEach((entry, i) => {
    if (!isJsonObject(entry)) return r.fail(shape(r.join(`${RP}.tags[${i}]`), 'expected an object {tagKey, tagValue}'));
    const key = stringField(entry, 'tagKey');
    if (key === undefined) return r.fail(shape(r.join(`${RP}.tags[${i}].tagKey`), 'expected a string'));
    const value = field(entry, 'tagValue');
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return r.fail(shape(r.join(`${RP}.tags[${i}].tagValue`), 'expected a string'));
    }
    ownSet(tags, key, value ?? '');
  });
  return tags;
}

/** A map of strings (an encryption context), or undefined; a value of another type is a located problem. */
export function stringMap(
  obj: JsonObject | undefined,
  key: string,
  at: string,
  r: RecordReader,
): Record<string, string> | undefined {
  const map = r.object(obj, key, at);
  if (map === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'string') return r.fail(shape(r.join(`${at}.${key}.${k}`), 'expected a string'));
    ownSet(out, k, v);
  }
  return out;
}

/** A list of strings, sorted (the API's sets), or undefined; another element type is a located problem. */
export function sortedStrings(
  obj: JsonObject | undefined,
  key: string,
  at: string,
  r: RecordReader,
): string[] | undefined {
  const list = r.array(obj, key, at);
  if (list === undefined) return undefined;
  const out: string[] = [];
  list.forEach((v, i) => {
    if (typeof v === 'string') out.push(v);
    else r.fail(shape(r.join(`${at}.${key}[${i}]`), 'expected a string'));
  });
  return out.sort();
}

export function shape(path: string, message: string): Problem {
  return { code: 'RECORD_SHAPE', severity: 'error', path, message };
}

// Object.defineProperty keeps a key named "__proto__" an ordinary key.
function ownSet(obj: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
