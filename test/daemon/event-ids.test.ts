import { describe, expect, it } from 'vitest';
import { SeenEventIds } from '../../src/dedup/event-ids.ts';

// Each case: capacity, the ids claimed in order, and which of those claims were duplicates.
const cases: { name: string; capacity: number; claims: string[]; duplicates: boolean[] }[] = [
  { name: 'a redelivery is a duplicate', capacity: 10, claims: ['a', 'a'], duplicates: [false, true] },
  { name: 'distinct events are not', capacity: 10, claims: ['a', 'b', 'c'], duplicates: [false, false, false] },
  {
    name: 'past capacity the least recently seen is forgotten',
    capacity: 2,
    claims: ['a', 'b', 'c', 'a'],
    duplicates: [false, false, false, false],
  },
  {
    // "a" seen again is the most recent, so "b" is the one forgotten when "c" arrives.
    name: 'seeing an event again keeps it remembered',
    capacity: 2,
    claims: ['a', 'b', 'a', 'c', 'a', 'b'],
    duplicates: [false, false, true, false, true, false],
  },
  {
    name: 'capacity below 1 still drops an immediate repeat',
    capacity: 0,
    claims: ['a', 'a'],
    duplicates: [false, true],
  },
];

describe('SeenEventIds', () => {
  it.each(cases)('$name', ({ capacity, claims, duplicates }) => {
    const seen = new SeenEventIds(capacity);
    expect(claims.map((id) => seen.claim(id))).toEqual(duplicates);
    expect(seen.size).toBeLessThanOrEqual(Math.max(1, capacity));
  });

  it('a forgotten claim (its logs were not written) is not a duplicate next time', () => {
    const seen = new SeenEventIds(10);
    seen.claim('a');
    seen.forget('a');
    expect(seen.claim('a')).toBe(false);
  });

  it('stays bounded over a million events', () => {
    const seen = new SeenEventIds(1000);
    for (let i = 0; i < 1_000_000; i++) seen.claim(String(i));
    expect(seen.size).toBe(1000);
    expect(seen.claim('999999')).toBe(true);
    expect(seen.claim('0')).toBe(false);
  });
});
