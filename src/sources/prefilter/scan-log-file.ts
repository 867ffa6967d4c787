// A CloudTrail log file holds every service's records, of which the ones the rules read (with the bundled rules, KMS
// management events) are a small share. Parsing all of them costs more than everything else replay does, so a log
// file is first scanned as bytes: a validating JSON scanner that builds no values finds each record's extent and
// reads only its top-level `eventSource`, `eventType` and `eventName`. A record is skipped, counted as the normalizer
// would count it, only when those prove it is outside the read set (read-set-bytes.ts); every other record is parsed
// and goes the usual way. The scan accepts exactly what JSON.parse
// accepts (escapes, literals, numbers, control characters), so a file it accepts cannot hide a syntax error in a
// skipped record; anything it does not accept — another shape, invalid JSON, deep nesting — is left to the full
// parse, which reports it as before.

/** Why a record was skipped without a parse: the reasons normalize would give it (model/problem.ts SkipReason). */
export type ScanSkip = NotRead | 'insight_event';

export interface ScannedRecord {
  /** Byte offsets of the record in the file ([start, end)). */
  readonly start: number;
  readonly end: number;
  /** Present when the record needs no parse. */
  readonly skip?: ScanSkip;
}

import { notReadBytes, PARSE, type ByteReadSet, type NotRead } from './read-set-bytes.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export const MAX_DEPTH = 256;
const INSIGHT = bytes('AwsCloudTrailInsight');
export const RECORDS = bytes('Records');
/** Record keys whose presence sends a record to the full path: envelopes unwrap looks into, and Insight details. */
const GUARDED = ['s3', 'Sns', 'body', 'insightDetails'].map(bytes);
const EVENT_SOURCE = bytes('eventSource');
const EVENT_TYPE = bytes('eventType');
const EVENT_NAME = bytes('eventName');
const TRUE = bytes('true');
const FALSE = bytes('false');
const NULL = bytes('null');
/** 1 for bytes that can stand in a JSON string as themselves: not a quote, a backslash or a control character. */
const WHITESPACE = new Uint8Array(256).map((_, b) => (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 ? 1 : 0));
const STRING_PLAIN = new Uint8Array(256).map((_, b) => (b >= 0x20 && b !== QUOTE && b !== BACKSLASH ? 1 : 0));
/** 1 for the characters after a backslash that JSON allows besides `u`: " \ / b f n r t. */
const ESCAPES = new Uint8Array(256).map((_, b) => ('"\\/bfnrt'.includes(String.fromCharCode(b)) ? 1 : 0));

/**
 * The records of a `{"Records": [...]}` file, or undefined when the file is anything else (or not valid JSON). Records
 * outside `reads` are marked skipped.
 */
export function scanLogFile(buf: Uint8Array, reads: ByteReadSet): ScannedRecord[] | undefined {
  const n = buf.length;
  let p = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0; // a UTF-8 byte-order mark
  p = skipWs(buf, p);
  if (buf[p] !== 0x7b) return undefined;
  p = skipWs(buf, p + 1);
  if (buf[p] !== QUOTE) return undefined;
  const keyEnd = stringEnd(buf, p);
  if (keyEnd < 0 || !equals(buf, p + 1, keyEnd, RECORDS)) return undefined;
  p = skipWs(buf, keyEnd + 1);
  if (buf[p] !== 0x3a) return undefined;
  p = skipWs(buf, p + 1);
  if (buf[p] !== 0x5b) return undefined;
  p = skipWs(buf, p + 1);
  const records: ScannedRecord[] = [];
  if (buf[p] === 0x5d) p++;
  else {
    const stack = new Uint8Array(MAX_DEPTH);
    for (;;) {
      const record = scanRecord(buf, p, stack, reads);
      if (record === undefined) return undefined;
      records.push(record);
      p = skipWs(buf, record.end);
      const c = buf[p];
      p = skipWs(buf, p + 1);
      if (c === 0x5d) break;
      if (c !== 0x2c) return undefined;
    }
  }
  p = skipWs(buf, p);
  if (buf[p] !== 0x7d) return undefined;
  return skipWs(buf, p + 1) === n ? records : undefined;
}

// Parser states inside a record.
const VALUE = 0; // a value must come (or, right after `[`, the `]`)
const KEY = 1; // a key must come (or, right after `{`, the `}`)
const COLON = 2;
const AFTER = 3; // `,` or the closing bracket

// What the key being read names, at the record's own level.
const OTHER_KEY = 0;
const SOURCE_KEY = 1;
const TYPE_KEY = 2;
const NAME_KEY = 3;

/**
 * One element of Records starting at p (no whitespace before it): its extent, and for an object whether its own
 * `eventSource`, `eventType` and `eventName` put it outside `reads`. One loop with an explicit stack and no calls per
 * token: this is where the scan spends its time.
 */
export function scanRecord(
  buf: Uint8Array,
  start: number,
  stack: Uint8Array,
  reads: ByteReadSet,
): ScannedRecord | undefined {
  const n = buf.length;
  let p = start;
  let top = 0; // open containers; the record's own fields are at top === 1
  let state = VALUE;
  let first = false; // right after an opening bracket
  let key = OTHER_KEY;
  let unsafe = false;
  let source0 = -1;
  let source1 = -1;
  let type0 = -1;
  let type1 = -1;
  let name0 = -1;
  let name1 = -1;
  const isObject = buf[p] === 0x7b;
  for (;;) {
    while (p < n && WHITESPACE[buf[p] as number] === 1) p++;
    if (p >= n) return undefined;
    const c = buf[p] as number;
    if (state === AFTER) {
      if (c === 0x2c) {
        state = stack[top - 1] === 0x7b ? KEY : VALUE;
        p++;
        continue;
      }
      if (c !== (stack[top - 1] === 0x7b ? 0x7d : 0x5d)) return undefined;
      p++;
      if (--top === 0) break;
      continue;
    }
    if (first) {
      first = false;
      if (c === (stack[top - 1] === 0x7b ? 0x7d : 0x5d)) {
        p++;
        state = AFTER;
        if (--top === 0) break;
        continue;
      }
    }
    if (state === COLON) {
      if (c !== 0x3a) return undefined;
      state = VALUE;
      p++;
      continue;
    }
    if (c === QUOTE) {
      // A string: the hot loop, one table lookup per byte.
      let q = p + 1;
      let escaped = false;
      for (;;) {
        while (q < n && STRING_PLAIN[buf[q] as number] === 1) q++;
        if (q >= n) return undefined;
        const b = buf[q] as number;
        if (b === QUOTE) break;
        if (b !== BACKSLASH) return undefined; // a control character
        escaped = true;
        const e = buf[q + 1] as number;
        if (e === 0x75) {
          if (!isHex(buf[q + 2]) || !isHex(buf[q + 3]) || !isHex(buf[q + 4]) || !isHex(buf[q + 5])) return undefined;
          q += 6;
        } else if (ESCAPES[e] === 1) q += 2;
        else return undefined;
      }
      if (top === 1 && isObject) {
        if (state === KEY) {
          // The record's own keys: an escaped one could spell anything, so it sends the record to the parse.
          key = OTHER_KEY;
          if (escaped) unsafe = true;
          else if (equals(buf, p + 1, q, EVENT_SOURCE)) key = SOURCE_KEY;
          else if (equals(buf, p + 1, q, EVENT_TYPE)) key = TYPE_KEY;
          else if (equals(buf, p + 1, q, EVENT_NAME)) key = NAME_KEY;
          else if (guarded(buf, p + 1, q)) unsafe = true;
        } else if (key !== OTHER_KEY) {
          // The last occurrence wins, as in JSON.parse.
          if (escaped) unsafe = true;
          else if (key === SOURCE_KEY) [source0, source1] = [p + 1, q];
          else if (key === TYPE_KEY) [type0, type1] = [p + 1, q];
          else [name0, name1] = [p + 1, q];
        }
      }
      p = q + 1;
      state = state === KEY ? COLON : AFTER;
      if (top === 0) break;
      continue;
    }
    if (state === KEY) return undefined;
    if (top === 1 && key !== OTHER_KEY) unsafe = true; // a non-string eventSource, eventType or eventName
    if (c === 0x7b || c === 0x5b) {
      if (top >= MAX_DEPTH) return undefined;
      stack[top++] = c;
      state = c === 0x7b ? KEY : VALUE;
      first = true;
      p++;
      continue;
    }
    const q = scalarEnd(buf, p, c);
    if (q < 0) return undefined;
    p = q;
    state = AFTER;
    if (top === 0) break;
  }
  const end = p;
  if (!isObject || unsafe) return { start, end };
  // normalize's order: an Insight event first, then the event source (a record without one is normalize's problem),
  // then the read set.
  if (type0 >= 0 && equals(buf, type0, type1, INSIGHT)) return { start, end, skip: 'insight_event' };
  if (source0 < 0) return { start, end };
  const skip = notReadBytes(reads, buf, source0, source1, type0, type1, name0, name1);
  return skip === undefined || skip === PARSE ? { start, end } : { start, end, skip };
}

/** The position after the string starting at p, or -1 (used outside the hot loop). */
export function stringEnd(buf: Uint8Array, p: number): number {
  const n = buf.length;
  let q = p + 1;
  while (q < n) {
    const b = buf[q] as number;
    if (b === QUOTE) return q;
    if (b === BACKSLASH || b < 0x20) return -1;
    q++;
  }
  return -1;
}

/** The position after the literal or number starting at p (its first byte c), or -1. */
function scalarEnd(buf: Uint8Array, p: number, c: number): number {
  if (c === 0x74) return word(buf, p, TRUE);
  if (c === 0x66) return word(buf, p, FALSE);
  if (c === 0x6e) return word(buf, p, NULL);
  // -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
  let q = p;
  if (buf[q] === 0x2d) q++;
  if (buf[q] === 0x30) q++;
  else if (isDigit(buf[q])) while (isDigit(buf[q])) q++;
  else return -1;
  if (buf[q] === 0x2e) {
    q++;
    if (!isDigit(buf[q])) return -1;
    while (isDigit(buf[q])) q++;
  }
  if (buf[q] === 0x65 || buf[q] === 0x45) {
    q++;
    if (buf[q] === 0x2b || buf[q] === 0x2d) q++;
    if (!isDigit(buf[q])) return -1;
    while (isDigit(buf[q])) q++;
  }
  return q;
}

function word(buf: Uint8Array, p: number, w: Uint8Array): number {
  return equals(buf, p, p + w.length, w) ? p + w.length : -1;
}

export function skipWs(buf: Uint8Array, p: number): number {
  while (p < buf.length && WHITESPACE[buf[p] as number] === 1) p++;
  return p;
}

function guarded(buf: Uint8Array, start: number, end: number): boolean {
  for (const g of GUARDED) if (equals(buf, start, end, g)) return true;
  return false;
}

export function equals(buf: Uint8Array, start: number, end: number, w: Uint8Array): boolean {
  if (end - start !== w.length) return false;
  for (let i = 0; i < w.length; i++) if (buf[start + i] !== w[i]) return false;
  return true;
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

function isHex(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
