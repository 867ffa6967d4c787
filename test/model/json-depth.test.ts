import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/model/json.ts';
import { tooDeepAt } from '../../src/model/json-depth.ts';

describe('tooDeepAt', () => {
  it('counts the value itself as level 1, objects and arrays alike', () => {
    expect(tooDeepAt({ a: [{ b: 1 }] }, 3)).toBeUndefined();
    expect(tooDeepAt({ a: [{ b: [] }] }, 3)).toBe('.a[0].b');
    expect(tooDeepAt('text', 0)).toBeUndefined();
    expect(tooDeepAt([], 0)).toBe('');
  });

  it('names the first too-deep value in document order', () => {
    expect(tooDeepAt({ ok: { x: 1 }, b: [1, [2, [3]]], c: [[[]]] }, 3)).toBe('.b[1][1]');
  });

  it('an own __proto__ key is walked like any key; a key that is not short and plain is named by its index', () => {
    const parsed = JSON.parse('{"__proto__": {"x": {"y": {}}}, "a b": 1}') as JsonValue;
    expect(tooDeepAt(parsed, 3)).toBe('.__proto__.x.y');
    const odd = JSON.parse(`{"k": 1, "${'s'.repeat(100)}": {"x": {}}}`) as JsonValue;
    expect(tooDeepAt(odd, 2)).toBe('[key 1].x');
  });

  it('answers for a value nested a million levels', () => {
    const deep = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`) as JsonValue;
    expect(tooDeepAt(deep, 2)).toBe('[0][0]');
  });
});
