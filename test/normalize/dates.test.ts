import { describe, expect, it } from 'vitest';
import { normalizeEventTime, parseAwsDate } from '../../src/normalize/dates.ts';

describe('parseAwsDate: the date forms KMS records really carry', () => {
  it.each([
    ['Apr 12, 2021 18:58:30 PM', '2021-04-12T18:58:30.000Z'], // AWS docs: 24-hour clock with PM
    ['Nov 2, 2021, 11:25:25 PM', '2021-11-02T23:25:25.000Z'],
    ['Jan 1, 2019 12:00:00 AM', '2019-01-01T00:00:00.000Z'],
    ['Oct 21, 2024, 2:25:29 PM', '2024-10-21T14:25:29.000Z'],
    ['Nov 19, 2020 12:00:00 AM', '2020-11-19T00:00:00.000Z'],
    ['Dec 7, 2022, 12:37:45 PM', '2022-12-07T12:37:45.000Z'],
    ['2024-01-01 00:00:00.000', '2024-01-01T00:00:00.000Z'],
    ['2021-10-26T23:25:25Z', '2021-10-26T23:25:25.000Z'],
    [1635290725, '2021-10-26T23:25:25.000Z'],
  ])('%s', (text, iso) => expect(parseAwsDate(text)).toBe(iso));

  it.each(['', 'tomorrow', 'Feb 31, 2021 10:00:00 AM', 'Foo 1, 2021 10:00:00 AM', '2021-13-01 00:00:00'])(
    'rejects %j',
    (text) => expect(parseAwsDate(text)).toBeUndefined(),
  );
});

describe('normalizeEventTime: CloudTrail text kept when canonical, else normalized, else refused', () => {
  it.each([
    ['2021-10-26T23:25:25Z', '2021-10-26T23:25:25Z'], // as CloudTrail wrote it, so logs join with the trail by string
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00Z'], // leap day
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00Z'], // divisible by 400
    ['2024-01-01 00:00:00.000', '2024-01-01T00:00:00.000Z'], // Panther
    ['2025-03-05 21:19:44.000000000', '2025-03-05T21:19:44.000Z'], // Panther, nanoseconds
    ['2021-10-26T23:25:25.5Z', '2021-10-26T23:25:25.500Z'],
    ['2021-02-29T00:00:00Z', undefined], // not a leap year (Date.parse would roll it into March)
    ['1900-02-29T00:00:00Z', undefined],
    ['2021-04-31T00:00:00Z', undefined],
    ['2021-10-26T24:00:00Z', undefined],
    ['2021-10-26T23:60:00Z', undefined],
    ['2021-1x-26T23:25:25Z', undefined],
  ])('%s → %s', (text, iso) => expect(normalizeEventTime(text)).toBe(iso));

  it('epoch numbers beyond the range of a Date are refused, not thrown', () => {
    expect(parseAwsDate(8640000000000001)).toBeUndefined();
    expect(parseAwsDate(-1e300)).toBeUndefined();
  });
});
