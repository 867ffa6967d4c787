import type { JsonValue } from '../model/json.ts';
import type { AttributeChange } from '../model/finding.ts';

export interface TagChange extends AttributeChange {
  readonly added: Readonly<Record<string, string>>;
  readonly removed: readonly string[];
  readonly changed: Readonly<Record<string, { readonly expected: string; readonly actual: string }>>;
}

/** The tags after a TagResource/UntagResource, assuming the key carried the declared tags before it. */
export function applyTagDelta(
  before: Readonly<Record<string, string>>,
  set: Readonly<Record<string, string>> | undefined,
  removed: readonly string[] | undefined,
): Record<string, string> {
  const after = new Map(Object.entries(before));
  for (const [k, v] of Object.entries(set ?? {})) after.set(k, v);
  for (const k of removed ?? []) after.delete(k);
  return toRecord(after);
}

export function tagChange(
  expected: Readonly<Record<string, string>>,
  actual: Readonly<Record<string, string>>,
): TagChange | undefined {
  const added = new Map<string, string>();
  const changed = new Map<string, { expected: string; actual: string }>();
  const removed: string[] = [];
  for (const [k, v] of Object.entries(actual)) {
    if (!Object.hasOwn(expected, k)) added.set(k, v);
    else if (expected[k] !== v) changed.set(k, { expected: expected[k] ?? '', actual: v });
  }
  for (const k of Object.keys(expected)) if (!Object.hasOwn(actual, k)) removed.push(k);
  if (added.size === 0 && changed.size === 0 && removed.length === 0) return undefined;
  return {
    expected: expected as JsonValue,
    actual: actual as JsonValue,
    added: toRecord(added),
    removed: removed.sort(),
    changed: toRecord(changed),
  };
}

/** Tag keys come from the wire; defineProperty keeps a key named `__proto__` an ordinary key. */
function toRecord<V>(map: ReadonlyMap<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of map)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}
