// CloudTrail writes eventTime as ISO 8601, but KMS response fields (deletionDate, creationDate) are Java-style
// strings — "Apr 12, 2021 18:58:30 PM", "Nov 2, 2021, 11:25:25 PM" — and detection test suites write
// "2024-01-01 00:00:00.000". All are UTC.
import { field, type JsonObject } from '../model/json.ts';
import { textShape } from './reader.ts';

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

const JAVA_STYLE = /^([A-Za-z]{3})[a-z]* (\d{1,2}),? (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})(?: ?([AaPp][Mm]))?$/;
const SPACED_ISO = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** ISO 8601 UTC, or undefined when the text is not a date of a known form. */
export function parseAwsDate(value: string | number): string | undefined {
  if (typeof value === 'number') {
    // KMS API timestamps are epoch seconds; anything larger is already milliseconds.
    const ms = value < 1e11 ? value * 1000 : value;
    // Beyond ±8.64e15 ms a Date is invalid and toISOString throws.
    return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : undefined;
  }
  const text = value.trim();
  const java = JAVA_STYLE.exec(text);
  if (java) {
    const [, mon = '', day = '', year = '', h = '', mi = '', s = '', ampm] = java;
    const month = MONTHS[mon.toLowerCase()];
    if (month === undefined) return undefined;
    let hour = Number(h);
    // "18:58:30 PM" exists in AWS's own documentation: an hour above 12 is already on the 24-hour clock.
    if (ampm !== undefined && hour <= 12) {
      const pm = ampm.toLowerCase() === 'pm';
      if (hour === 12) hour = pm ? 12 : 0;
      else if (pm) hour += 12;
    }
    return utc(Number(year), month, Number(day), hour, Number(mi), Number(s));
  }
  const iso = SPACED_ISO.exec(text);
  if (iso) {
    const [, y = '', mo = '', d = '', h = '', mi = '', s = '', frac = '', zone] = iso;
    if (zone === undefined || zone === 'Z') {
      const ms = frac === '' ? 0 : Math.round(Number(`0${frac}`) * 1000);
      return utc(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
    }
    const parsed = Date.parse(text.replace(' ', 'T'));
    return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
  }
  return undefined;
}

/**
 * eventTime as the drift log shows it: CloudTrail's own ISO text when it is already canonical
 * (`2021-10-26T23:25:25Z`), so logs can be joined with the trail by string; otherwise normalized.
 */
export function normalizeEventTime(value: string): string | undefined {
  return isCanonicalUtc(value) ? value : parseAwsDate(value);
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ` naming a real calendar date. Every real record takes this path: character codes here are
 * measurably faster than a regex, and Date.parse + toISOString (which the round trip would need, since Date.parse
 * rolls "02-31" over into March) cost more than the rest of normalizing a record.
 */
function isCanonicalUtc(v: string): boolean {
  if (v.length !== 20 || v.charCodeAt(10) !== 84 || v.charCodeAt(19) !== 90) return false;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) {
    return false;
  }
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  return (
    year >= 0 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    inRange(digits(v, 11, 2), 23) &&
    inRange(digits(v, 14, 2), 59) &&
    inRange(digits(v, 17, 2), 59)
  );
}

/** The number written at v[start, start+count), or -1 when a character is not a digit. */
function digits(v: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function inRange(n: number, max: number): boolean {
  return n >= 0 && n <= max;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): string | undefined {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const date = new Date(Date.UTC(y, mo, d, h, mi, s, ms));
  // Date.UTC rolls Feb 31 over into March; a date that does not round-trip is not a date.
  if (date.getUTCDate() !== d) return undefined;
  return date.toISOString();
}

/** eventTime as ISO 8601, or what is wrong with it. */
export function eventTimeOf(record: JsonObject): string | { readonly what: string } {
  const rawTime = field(record, 'eventTime');
  const eventTime =
    typeof rawTime === 'string'
      ? normalizeEventTime(rawTime)
      : typeof rawTime === 'number'
        ? parseAwsDate(rawTime)
        : undefined;
  if (eventTime !== undefined) return eventTime;
  const what =
    rawTime === undefined
      ? 'missing'
      : typeof rawTime === 'string'
        ? `not a date: ${textShape(rawTime)} in no format AWS uses`
        : `expected a date, got ${rawTime === null ? 'null' : Array.isArray(rawTime) ? 'an array' : typeof rawTime}`;
  return { what };
}
