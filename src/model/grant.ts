import type { JsonObject, JsonValue } from './json.ts';

/**
 * A grant's constraints in one form for both sides of a diff: `{encryption_context_equals: {…}}` or
 * `{encryption_context_subset: {…}}` with keys sorted, or null when the grant has none. CloudTrail spells them
 * `encryptionContextEquals`/`encryptionContextSubset`; the provider's state holds a set of one block with both maps,
 * one of them empty.
 */
export function canonicalConstraints(
  equals: Readonly<Record<string, string>> | null | undefined,
  subset: Readonly<Record<string, string>> | null | undefined,
): JsonValue {
  const out: Record<string, JsonValue> = {};
  if (equals != null && Object.keys(equals).length > 0) out['encryption_context_equals'] = sorted(equals);
  if (subset != null && Object.keys(subset).length > 0) out['encryption_context_subset'] = sorted(subset);
  return Object.keys(out).length === 0 ? null : out;
}

function sorted(map: Readonly<Record<string, string>>): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(map).sort()) {
    // defineProperty: an encryption-context key named `__proto__` stays an ordinary key.
    Object.defineProperty(out, key, { value: map[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}
