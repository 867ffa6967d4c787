import { isJsonObject, type JsonValue } from '../../src/model/json.ts';

/**
 * The subset of EventBridge's event-pattern semantics that deploy/eventbridge-rule.json uses: nested objects, arrays
 * of exact values (any may match), and `$or` (any branch matches). Any other operator fails the test loudly rather
 * than matching by accident.
 */
export function matchesPattern(pattern: JsonValue, event: JsonValue): boolean {
  if (!isJsonObject(pattern)) throw new Error('a pattern is an object');
  return Object.entries(pattern).every(([key, want]) => {
    if (key === '$or') {
      if (!Array.isArray(want)) throw new Error('$or takes a list of patterns');
      return want.some((branch: JsonValue) => matchesPattern(branch, event));
    }
    const got = isJsonObject(event) && Object.hasOwn(event, key) ? event[key] : undefined;
    if (got === undefined) return false;
    if (Array.isArray(want)) {
      if (!want.every((w: JsonValue) => typeof w === 'string')) throw new Error(`unsupported matcher under ${key}`);
      return typeof got === 'string' && want.includes(got);
    }
    return matchesPattern(want, got);
  });
}
