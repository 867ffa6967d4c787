import type { JsonObject, JsonValue } from './json.ts';

/**
 * How deep a record, and a policy inside it, may nest: objects and arrays inside one another, the record itself
 * being level 1. Real CloudTrail KMS records nest 4 levels (userIdentity.sessionContext.sessionIssuer), their
 * policies 5 (Statement[].Condition.<operator>.<key>[]), an EventBridge envelope adds one. The later stages — policy
 * canonicalization, RFC 6902 patches, JSON.stringify in the drift log — recurse, and a record nested thousands of
 * levels would overflow the stack there; bounding it once, before them, keeps every stage simple.
 */
export const MAX_JSON_DEPTH = 64;

interface Frame {
  readonly node: JsonObject | readonly JsonValue[];
  readonly keys: readonly string[] | undefined;
  next: number;
}

/**
 * The path (`.a[0].b`, relative to `value`) of the first object or array nested deeper than `max` levels, in
 * document order, or undefined. Iterative: a value nested a million levels is answered, not a stack overflow.
 */
export function tooDeepAt(value: JsonValue, max: number = MAX_JSON_DEPTH): string | undefined {
  if (!isContainer(value)) return undefined;
  if (max < 1) return '';
  // Every KMS record passes here: the common answer comes from a walk that allocates nothing, and its recursion is
  // bounded by `max`, never by the input; only a record that fails is walked again for the path.
  if (withinDepth(value, 1, max)) return undefined;
  const frames: Frame[] = [frame(value)];
  for (;;) {
    const top = frames[frames.length - 1];
    if (top === undefined) return undefined;
    const size = top.keys === undefined ? (top.node as readonly JsonValue[]).length : top.keys.length;
    if (top.next >= size) {
      frames.pop();
      continue;
    }
    const i = top.next++;
    const child =
      top.keys === undefined ? (top.node as readonly JsonValue[])[i] : (top.node as JsonObject)[top.keys[i] ?? ''];
    if (!isContainer(child)) continue;
    if (frames.length >= max) return pathOf(frames);
    frames.push(frame(child));
  }
}

function withinDepth(node: JsonObject | readonly JsonValue[], level: number, max: number): boolean {
  if (Array.isArray(node)) {
    for (const child of node as readonly JsonValue[]) {
      if (isContainer(child) && (level >= max || !withinDepth(child, level + 1, max))) return false;
    }
    return true;
  }
  for (const key in node) {
    const child = (node as JsonObject)[key];
    if (isContainer(child) && (level >= max || !withinDepth(child, level + 1, max))) return false;
  }
  return true;
}

function isContainer(v: JsonValue | undefined): v is JsonObject | readonly JsonValue[] {
  return typeof v === 'object' && v !== null;
}

function frame(node: JsonObject | readonly JsonValue[]): Frame {
  return { node, keys: Array.isArray(node) ? undefined : Object.keys(node), next: 0 };
}

/** Each frame's current child. A key is a position too, but only a short plain one is written out as such. */
function pathOf(frames: readonly Frame[]): string {
  return frames
    .map((f) => {
      const i = f.next - 1;
      if (f.keys === undefined) return `[${i}]`;
      const key = f.keys[i] ?? '';
      return /^[A-Za-z0-9_$@:-]{1,64}$/.test(key) ? `.${key}` : `[key ${i}]`;
    })
    .join('');
}
