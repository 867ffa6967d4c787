import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/model/json.ts';
import { scanLogFileFast, scanRecordFields } from '../../src/sources/prefilter/fast-scan.ts';
import { scanLogFile } from '../../src/sources/prefilter/scan-log-file.ts';
import { READ_ALL, READ_TRACKED, type ReadSet } from '../../src/normalize/read-set.ts';
import { byteReadSet, type ByteReadSet } from '../../src/sources/prefilter/read-set-bytes.ts';
import { compileScanner, WASM } from '../../src/sources/prefilter/wasm/build.ts';
import { bytesOf, fixtureFiles, LOG_FILES, reformatted } from './log-files.ts';

// The WebAssembly scanner replaces scanLogFile on the replay path, so it must give scanLogFile's answer on every
// input: the same records, extents and skips on every file scanLogFile reads, and undefined on every file it leaves
// to the full parse (invalid JSON above all: a file the scan accepted would never be reported). scanLogFile accepts
// exactly what JSON.parse accepts (prefilter.test.ts), and prefilter.test.ts runs its outcome comparisons through
// the WebAssembly scanner since log-file.ts uses it.

const parses = (b: Buffer): boolean => {
  try {
    JSON.parse(b.toString('utf8').replace(/^\uFEFF/, ''));
    return true;
  } catch {
    return false;
  }
};

// The decision is asked of the read set (the records the loaded rules read): both scanners with several.
const SETS: readonly ByteReadSet[] = (
  [
    READ_TRACKED,
    READ_ALL,
    { anySource: new Set(), bySource: new Map() },
    {
      anySource: new Set(['StopLogging', 'CreateUser', 'Decrypt', '']),
      bySource: new Map<string, ReadonlySet<string> | 'all'>([
        ['kms', 'all'],
        ['s3', new Set(['PutBucketPolicy', 'ListBuckets'])],
      ]),
    },
    {
      anySource: new Set(['CreateUsér']),
      bySource: new Map<string, ReadonlySet<string> | 'all'>([['sé', new Set(['Get'])]]),
    },
  ] satisfies ReadSet[]
).map(byteReadSet);
const TRACKED = byteReadSet(READ_TRACKED);

/** The WebAssembly scanner gives scanLogFile's answer on `bytes`, for every read set; returns whether it was read. */
function agree(bytes: Buffer): boolean {
  let read = false;
  for (const set of SETS) {
    const fast = scanLogFileFast(bytes, set);
    expect(fast).toEqual(scanLogFile(bytes, set));
    if (fast !== undefined) expect(parses(bytes)).toBe(true);
    read = fast !== undefined;
  }
  return read;
}

const RECORDS: JsonValue[] = [
  ...LOG_FILES.flatMap((f) => (JSON.parse(bytesOf(f).toString('utf8')) as { Records: JsonValue[] }).Records),
  ...fixtureFiles('fixtures/cloudtrail/aws-kms-developer-guide').flatMap((f) => {
    const v = JSON.parse(readFileSync(f, 'utf8')) as JsonValue;
    return Array.isArray(v) ? v : [v];
  }),
];

/** JSON text of `value` with random whitespace between tokens and random escapes inside strings. */
function serialize(value: JsonValue, rnd: () => number): string {
  const ws = (): string => [' ', '\n', '\t', '\r\n', '', '', '', ''][Math.floor(rnd() * 8)] ?? '';
  const str = (s: string): string =>
    `"${[...s]
      .map((ch) => {
        const r = rnd();
        if (r < 0.03) return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
        if (r < 0.04 && ch === '/') return '\\/';
        return (JSON.stringify(ch) as string).slice(1, -1);
      })
      .join('')}"`;
  if (typeof value === 'string') return str(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${ws()}${value.map((v) => serialize(v, rnd)).join(`${ws()},${ws()}`)}${ws()}]`;
  const entries = Object.entries(value).map(([k, v]) => `${str(k)}${ws()}:${ws()}${serialize(v, rnd)}`);
  return `{${ws()}${entries.join(`${ws()},${ws()}`)}${ws()}}`;
}

function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const ODD: JsonValue[] = [
  { eventVersion: '1.07', eventType: 'AwsCloudTrailInsight', eventSource: 'ec2.amazonaws.com', insightDetails: {} },
  { eventType: 'AwsCloudTrailInsight', eventSource: 'ec2.amazonaws.com' },
  JSON.parse(
    '{"eventSource":"s3.amazonaws.com","eventName":"DisableKey","eventSource":"kms.amazonaws.com"}',
  ) as JsonValue,
  JSON.parse(
    '{"eventSource":"kms.amazonaws.com","eventSource":"s3.amazonaws.com","eventName":1,"eventName":"X"}',
  ) as JsonValue,
  { eventSource: 'aws:s3', s3: { bucket: { name: 'trail' } } },
  { eventSource: 'aws:sns', Sns: { Message: '{}' } },
  { eventSource: 'aws:sqs', body: '{"detail":{"eventSource":"kms.amazonaws.com"}}' },
  { eventSource: 42 },
  { eventSource: { nested: 'kms.amazonaws.com' }, eventType: ['AwsCloudTrailInsight'] },
  { eventSource: 'ec2.amazonaws.com', eventName: null, eventType: 7 },
  { noEventSource: true, nested: { eventSource: 'ec2.amazonaws.com' } },
  { eventSource: 'ec2.amazonaws.com', n: [-0, 1.5e-7, -12.25, 1e300, 0.1, 12345678901234567890] },
  { eventSource: 'ec2.amazonaws.com', t: true, f: false, z: null, e: '', s: 'a"b\\c/d\b\f\n\r\t\u0001\u001f\u2028é😀' },
  [],
  [1, 'two', [3], { four: 4 }],
  'not a record',
  '\\"',
  null,
  0,
  -1.5,
  true,
  {},
];

describe('the WebAssembly scanner', () => {
  it('is the committed scan.wasm, compiled from scan.wat by the pinned wabt', async () => {
    expect(Buffer.from(await compileScanner()).equals(readFileSync(WASM))).toBe(true);
  });

  it('runs here (WebAssembly SIMD), rather than leaving every file to the JavaScript scanner', () => {
    expect(scanRecordFields(Buffer.from('{"Records":[]}'))).toEqual({ count: 0, fields: new Int32Array(0) });
  });
});

describe('the WebAssembly scanner gives scanLogFile’s answer', () => {
  it.each(LOG_FILES.map((f) => [f]))('%s: as written, pretty-printed, with tabs and CRLF', (file) => {
    const bytes = bytesOf(file);
    const value = JSON.parse(bytes.toString('utf8')) as JsonValue;
    const read = agree(bytes);
    for (const text of reformatted(value)) {
      expect(agree(Buffer.from(text))).toBe(read);
    }
  });

  it('500 generated files: real records and odd ones, random whitespace and escapes, any offset of 64', () => {
    let read = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...RECORDS), fc.constantFrom(...ODD)), { maxLength: 25 }),
        fc.integer(),
        fc.nat(64),
        fc.boolean(),
        (records, seed, shift, bom) => {
          const rnd = xorshift(seed);
          // Leading whitespace moves every byte across stage 1's 64-byte blocks.
          const text = `${bom ? '\uFEFF' : ''}${' '.repeat(shift)}{"Records":${serialize(records, rnd)}}\n`;
          if (agree(Buffer.from(text))) read++;
        },
      ),
      { numRuns: 500, seed: 20261201 },
    );
    expect(read).toBe(500);
  });

  it('5,000 corrupted files: a byte changed, inserted or removed anywhere, with JSON’s significant bytes', () => {
    const alphabet = [...'"\\{}[]:,/ubfnrt0123456789-+.eE \t\r\nxyzAF'].map((c) => c.charCodeAt(0));
    alphabet.push(0x00, 0x01, 0x1f, 0x7f, 0x80, 0xc3, 0xff);
    let refused = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...RECORDS.slice(0, 40)), fc.constantFrom(...ODD)), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer(),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('set', 'insert', 'delete'), fc.constantFrom(...alphabet)), {
          minLength: 1,
          maxLength: 3,
        }),
        (records, seed, edits) => {
          let bytes = Buffer.from(`{"Records":${serialize(records, xorshift(seed))}}`);
          for (const [at, kind, b] of edits) {
            const i = at % bytes.length;
            if (kind === 'set') bytes[i] = b;
            else if (kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), Buffer.of(b), bytes.subarray(i)]);
            else bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
          }
          if (!agree(bytes)) refused++;
        },
      ),
      { numRuns: 5000, seed: 7 },
    );
    // Most edits break the JSON; the rest must still be read exactly as scanLogFile reads them.
    expect(refused).toBeGreaterThan(2500);
  });

  it('backslash runs and escapes at every position across a block boundary', () => {
    for (let shift = 0; shift < 70; shift++) {
      for (const s of ['\\\\', '\\\\\\"', '\\"\\\\', '\\u0041', '\\\\\\\\\\\\\\"x', '\\u00', '\\x', '\\', '\\\\"']) {
        const text = `{"Records":[{"eventSource":"ec2.amazonaws.com","a":"${'.'.repeat(shift)}${s}"}]}`;
        agree(Buffer.from(text));
        agree(Buffer.from(`{"Records":[{"a":"${'.'.repeat(shift)}${s}","eventSource":"ec2.amazonaws.com"}]}`));
      }
    }
  });

  it.each([
    ['truncated', '{"Records":[{"eventSource":"s3.amazonaws.com","n":1}'],
    ['a bad literal', '{"Records":[{"n":tru}]}'],
    ['a literal run on', '{"Records":[{"n":truex}]}'],
    ['a number run on', '{"Records":[{"n":1x}]}'],
    ['a bad escape', '{"Records":[{"eventSource":"s3\\x"}]}'],
    ['a short \\u escape', '{"Records":[{"eventSource":"s3\\u00"}]}'],
    ['a raw control character in a string', '{"Records":[{"eventSource":"s3\u0001"}]}'],
    ['a raw tab in a string', '{"Records":[{"eventSource":"s3\t"}]}'],
    ['a backslash outside a string', '{"Records":[\\"a"]}'],
    ['a missing comma', '{"Records":[{"a":1 "b":2}]}'],
    ['a missing colon', '{"Records":[{"a" 1}]}'],
    ['a leading zero', '{"Records":[{"n":01}]}'],
    ['a lone minus', '{"Records":[{"n":-}]}'],
    ['a bare fraction', '{"Records":[{"n":1.}]}'],
    ['an empty exponent', '{"Records":[{"n":1e}]}'],
    ['trailing garbage', '{"Records":[]}x'],
    ['a second document', '{"Records":[]}{}'],
    ['a trailing comma in Records', '{"Records":[{},]}'],
    ['a trailing comma in a record', '{"Records":[{"a":1,}]}'],
    ['a key in an array', '{"Records":[["a":1]]}'],
    ['a value without a key', '{"Records":[{"a":1,2}]}'],
    ['a mismatched bracket', '{"Records":[{"a":[1}]}]}'],
    ['an unterminated string', '{"Records":["abc]}'],
    ['another top-level key', '{"x":1,"Records":[]}'],
    ['a key after Records', '{"Records":[],"x":1}'],
    ['an escaped Records', '{"Re\\u0063ords":[]}'],
    ['Records not an array', '{"Records":{}}'],
    ['no Records', '{}'],
    ['a single record', '{"eventSource":"kms.amazonaws.com"}'],
    ['an array of records', '[{"eventSource":"kms.amazonaws.com"}]'],
    ['deep nesting', `{"Records":[{"a":${'['.repeat(300)}${']'.repeat(300)}}]}`],
    ['empty', ''],
    ['whitespace', ' \n'],
  ])('%s → left to the full parse', (_name, text) => {
    expect(scanLogFileFast(Buffer.from(text), TRACKED)).toBeUndefined();
    expect(scanLogFile(Buffer.from(text), TRACKED)).toBeUndefined();
  });

  it('nesting up to the JavaScript scanner’s limit is read, one more level is not', () => {
    for (const depth of [255, 256, 257]) agree(Buffer.from(`{"Records":[${'['.repeat(depth)}${']'.repeat(depth)}]}`));
    expect(scanLogFileFast(Buffer.from(`{"Records":[${'['.repeat(256)}${']'.repeat(256)}]}`), TRACKED)).toHaveLength(1);
  });

  it('a file of tiny records (more than the first guess of room) and a file past the shared memory’s size', () => {
    const tiny = Buffer.from(`{"Records":[${Array.from({ length: 20_000 }, (_, i) => i % 10).join(',')}]}`);
    expect(agree(tiny)).toBe(true);
    const record = JSON.stringify(RECORDS[0]);
    const big = Buffer.from(`{"Records":[${Array.from({ length: Math.ceil(17e6 / record.length) }, () => record)}]}`);
    expect(big.length).toBeGreaterThan(16 * 1024 * 1024);
    expect(agree(big)).toBe(true);
  });
});

describe('the fields the scanner reads are the record’s own, as JSON.parse sees them', () => {
  it('eventSource, eventType and eventName of every record of 300 generated files', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...RECORDS), fc.constantFrom(...ODD)), { maxLength: 20 }),
        fc.integer(),
        (records, seed) => {
          const bytes = Buffer.from(`{"Records":${serialize(records, xorshift(seed))}}`);
          const scanned = scanRecordFields(bytes);
          if (scanned === undefined || scanned === 'unavailable') throw new Error('not read');
          const parsed = (JSON.parse(bytes.toString('utf8')) as { Records: JsonValue[] }).Records;
          expect(scanned.count).toBe(parsed.length);
          parsed.forEach((record, i) => {
            const f = scanned.fields.subarray(i * 10, i * 10 + 10);
            expect(JSON.parse(bytes.toString('utf8', f[0], f[1])), `record ${i}`).toEqual(record);
            const isObject = typeof record === 'object' && record !== null && !Array.isArray(record);
            expect((f[2] as number) & 1).toBe(isObject ? 1 : 0);
            // An unsafe record (an escaped key of its own, say) is parsed whatever its fields say.
            if (!isObject || ((f[2] as number) & 2) !== 0) return;
            const text = (a: number, b: number): string | undefined =>
              a < 0 ? undefined : bytes.toString('utf8', a, b);
            const r = record as Record<string, JsonValue>;
            // A safe record's eventSource and eventType are absent or plain strings (else it would be unsafe).
            expect(text(f[3] as number, f[4] as number)).toBe(r['eventSource']);
            expect(text(f[5] as number, f[6] as number)).toBe(r['eventType']);
            const name = r['eventName'];
            const read = text(f[7] as number, f[8] as number);
            const flags = (f[2] as number) & 12;
            if (name === undefined) expect([read, flags]).toEqual([undefined, 0]);
            else if (typeof name !== 'string') expect([read, flags]).toEqual([undefined, 8]);
            else if (read === undefined)
              expect(flags).toBe(4); // written with an escape
            else expect([read, flags]).toEqual([name, 0]);
          });
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});
