import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/model/json.ts';
import { READ_ALL, READ_TRACKED, type ReadSet } from '../../src/normalize/read-set.ts';
import { prefilterLogFile, type ScannedLogFile } from '../../src/sources/prefilter/log-file.ts';
import { LogFileStreamScanner } from '../../src/sources/prefilter/scan-stream.ts';
import { bytesOf, LOG_FILES } from './log-files.ts';

// The daemon scans S3 log files as they are decompressed, chunk by chunk. Whatever the chunk boundaries cut (a
// record, a string, an escape, a number, the BOM, the frame), the stream scan must find what the whole-file scan
// finds: the same kept records at the same indexes, the same skip counts, and the same files left to the full parse,
// whatever the rules read (each comparison runs with several read sets).

const READ_SETS: readonly ReadSet[] = [
  READ_TRACKED,
  READ_ALL,
  { anySource: new Set(), bySource: new Map() },
  {
    anySource: new Set(['StopLogging', 'Decrypt']),
    bySource: new Map<string, ReadonlySet<string> | 'all'>([
      ['ecs', new Set(['RunTask'])],
      ['s3', 'all'],
    ]),
  },
];

/** The stream scan over `bytes` cut every `sizes[i % sizes.length]` bytes, in prefilterLogFile's shape. */
function streamScan(
  bytes: Buffer,
  sizes: readonly number[],
  maxPending = 8 * 1024 * 1024,
  readSet: ReadSet = READ_TRACKED,
): ScannedLogFile | undefined {
  const scanner = new LogFileStreamScanner(maxPending, readSet);
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    if (!scanner.push(bytes.subarray(at, at + size))) return undefined;
    at += size;
  }
  if (!scanner.end()) return undefined;
  return {
    kept: scanner.kept.map((k) => ({ index: k.index, value: JSON.parse(k.text) as JsonValue })),
    skipped: scanner.skipped,
    records: scanner.records,
  };
}

const CHUNKINGS: readonly (readonly number[])[] = [[1], [2], [3], [7], [64], [4096], [1, 5, 2, 11, 3, 977]];

function agree(bytes: Buffer): void {
  for (const [i, readSet] of READ_SETS.entries()) {
    const whole = prefilterLogFile(bytes, readSet);
    for (const sizes of CHUNKINGS) {
      expect(streamScan(bytes, sizes, undefined, readSet), `read set ${i}, chunks of ${sizes.join(',')}`).toEqual(
        whole,
      );
    }
  }
}

describe('the stream scan finds what the whole-file scan finds, however the file is cut', () => {
  it('finds the real log files among the fixtures', () => {
    expect(LOG_FILES.length).toBeGreaterThan(3);
  });

  it.each(LOG_FILES.map((f) => [f]))('%s: as written, pretty-printed, with tabs and CRLF', (file) => {
    const bytes = bytesOf(file);
    const value = JSON.parse(bytes.toString('utf8')) as JsonValue;
    agree(bytes);
    agree(Buffer.from(JSON.stringify(value, null, 2)));
    agree(Buffer.from(JSON.stringify(value, null, '\t').replace(/\n/g, '\r\n')));
    agree(Buffer.from(`\uFEFF\n ${JSON.stringify(value)} \n`));
  });

  const ok = '{"Records":[{"eventSource":"s3.amazonaws.com","n":1},{"eventSource":"kms.amazonaws.com","n":-1.5e3}]}';
  it.each([
    ['a log file', ok],
    ['an empty Records', '{ "Records" : [ ] }'],
    ['records that are not objects, a number last', '{"Records":[1,"x",true,null,[],{},12345]}'],
    ['truncated', ok.slice(0, -3)],
    ['truncated inside a number', ok.slice(0, ok.indexOf('e3') + 1)],
    ['a bad literal in a skipped record', ok.replace('"n":1', '"n":tru')],
    ['a bad escape', ok.replace('s3.amazonaws', 's3\\x.amazonaws')],
    ['a short \\u escape', ok.replace('s3.amazonaws', 's3\\u00.amazonaws')],
    ['an escaped eventSource', ok.replace('s3.amazonaws', 's3\\u002eamazonaws')],
    ['a raw control character in a string', ok.replace('s3.amazonaws', 's3\u0001amazonaws')],
    ['a missing comma', ok.replace(',"n"', '"n"')],
    ['a leading zero', ok.replace('"n":1', '"n":01')],
    ['trailing garbage', `${ok}x`],
    ['a trailing comma', ok.replace(']}', ',]}')],
    ['another top-level key', ok.replace('{"Records"', '{"x":1,"Records"')],
    ['a single record', '{"eventSource":"kms.amazonaws.com"}'],
    ['an escaped Records key', ok.replace('Records', 'Recor\\u0064s')],
    ['deep nesting', `{"Records":[{"a":${'['.repeat(300)}${']'.repeat(300)}}]}`],
    ['empty', ''],
    ['only whitespace', '   \n\t '],
    ['a BOM alone', '\uFEFF'],
  ])('%s', (_name, text) => {
    agree(Buffer.from(text));
  });

  it('agrees on 200 generated files (fast-check, seeded)', () => {
    const record = fc.oneof(
      fc.record({
        eventSource: fc.constantFrom('kms.amazonaws.com', 's3.amazonaws.com', 'ec2.amazonaws.com'),
        eventType: fc.constantFrom('AwsApiCall', 'AwsCloudTrailInsight'),
        eventName: fc.oneof(fc.string(), fc.constantFrom('DisableKey', 'Decrypt', 'StopLogging', 'RunTask')),
        requestParameters: fc.jsonValue({ maxDepth: 3 }),
      }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), fc.integer({ min: 1, max: 50 }), (records, cut) => {
        const text = JSON.stringify({ Records: records }, null, cut % 3 === 0 ? 2 : undefined);
        const bytes = Buffer.from(text);
        for (const readSet of READ_SETS) {
          expect(streamScan(bytes, [cut], undefined, readSet)).toEqual(prefilterLogFile(bytes, readSet));
        }
      }),
      { numRuns: 200, seed: 20261201 },
    );
  });
});

describe('what the stream scan holds', () => {
  it('a 4 MiB record cut into 1 KiB chunks: found, with a window of the record’s size, not of the file', () => {
    const big = { eventSource: 'kms.amazonaws.com', eventName: 'DisableKey', blob: 'x'.repeat(4 * 1024 * 1024) };
    const small = { eventSource: 's3.amazonaws.com' };
    const bytes = Buffer.from(JSON.stringify({ Records: [small, big, ...Array(200_000).fill(small)] }));
    const scanner = new LogFileStreamScanner(8 * 1024 * 1024);
    for (let at = 0; at < bytes.length; at += 1024) expect(scanner.push(bytes.subarray(at, at + 1024))).toBe(true);
    expect(scanner.end()).toBe(true);
    expect(scanner.kept.map((k) => k.index)).toEqual([1]);
    expect(scanner.skipped).toEqual({ other_service: 200_001 });
    expect(scanner.windowBytes).toBeLessThan(1024 * 1024); // given back after the large record
  });

  it('gives up on a record longer than its limit (the file is then left to the whole-file path)', () => {
    const bytes = Buffer.from(JSON.stringify({ Records: [{ blob: 'x'.repeat(100_000) }] }));
    expect(streamScan(bytes, [4096], 64 * 1024)).toBeUndefined();
    expect(streamScan(bytes, [4096], 256 * 1024)).toEqual(prefilterLogFile(bytes));
  });
});
