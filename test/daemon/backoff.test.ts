import { describe, expect, it } from 'vitest';
import { backoffMs, extensionIntervalMs } from '../../src/sources/sqs/consumer.ts';

describe('receive backoff', () => {
  // failures so far → the longest wait (random just below 1); the shortest is always 0 (full jitter).
  const ceilings: [number, number][] = [
    [0, 250],
    [1, 500],
    [2, 1000],
    [5, 8000],
    [6, 16_000],
    [7, 20_000],
    [1000, 20_000],
  ];
  it.each(ceilings)('after %i failures it waits at most %i ms', (failures, ceiling) => {
    expect(backoffMs(failures, 0.999999)).toBe(ceiling);
    expect(backoffMs(failures, 0)).toBe(0);
    expect(backoffMs(failures, 0.5)).toBe(ceiling / 2);
  });
});

describe('visibility extension interval', () => {
  const intervals: [number, number][] = [
    [1, 500],
    [30, 15_000],
    [43_200, 21_600_000],
  ];
  it.each(intervals)('a %i s timeout is extended every %i ms (half, so one failed call can be retried)', (s, ms) => {
    expect(extensionIntervalMs(s)).toBe(ms);
  });
  it('never more often than 5 times a second', () => expect(extensionIntervalMs(0)).toBe(200));
});
