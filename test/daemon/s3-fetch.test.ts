import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readLogObject, S3FetchError, type LogObject } from '../../src/sources/s3/fetch-object.ts';
import { MemoryBudget } from '../../src/sources/memory-budget.ts';
import type { JsonValue } from '../../src/model/json.ts';
import { ROOT } from '../helpers/cli.ts';
import { startQueues } from '../helpers/fauxqs.ts';

// Log objects read back from a real S3 server (fauxqs) through the SDK: gzip is recognised by its magic bytes, not
// the key; anything unusable is an S3FetchError whose message names the object and the reason.
const log = JSON.stringify({
  Records: [
    JSON.parse(readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disablekey.1.json`, 'utf8')),
  ],
});
const gz = gzipSync(log);

const cases: { name: string; key: string; body?: Buffer | string; maxBytes?: number; error?: RegExp }[] = [
  { name: 'a gzipped log file', key: 'AWSLogs/a.json.gz', body: gz },
  { name: 'gzip under a .json name', key: 'AWSLogs/b.json', body: gz },
  { name: 'plain JSON under a .json.gz name', key: 'AWSLogs/c.json.gz', body: log },
  { name: 'a key with spaces and unicode', key: 'AWSLogs/ä b+c.json.gz', body: gz },
  { name: 'a missing object', key: 'AWSLogs/missing.json.gz', error: /missing\.json\.gz: NoSuchKey/ },
  { name: 'garbage', key: 'AWSLogs/g.json.gz', body: 'not a log file', error: /g\.json\.gz: not JSON/ },
  {
    name: 'a bad gzip header',
    key: 'AWSLogs/h.json.gz',
    body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]),
    error: /h\.json\.gz: cannot decompress/,
  },
  {
    name: 'truncated gzip',
    key: 'AWSLogs/t.json.gz',
    body: gz.subarray(0, gz.length - 12),
    error: /t\.json\.gz: cannot decompress/,
  },
  { name: 'an empty object', key: 'AWSLogs/e.json.gz', body: '', error: /e\.json\.gz: not JSON/ },
  { name: 'JSON that is not a log file (parsed whole)', key: 'AWSLogs/r.json', body: '{"detail-type":"x"}' },
  {
    name: 'more than the limit once decompressed (a gzip bomb)',
    key: 'AWSLogs/bomb.json.gz',
    body: gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20)),
    maxBytes: 1024 * 1024,
    error: /bomb\.json\.gz: larger than 1048576 bytes decompressed/,
  },
];

const MIB = 1024 * 1024;
const budget = new MemoryBudget(64 * MIB);

/** The object as one value: a log file's parts joined again (the skip counts and `records` are in the first part). */
async function collect(object: LogObject): Promise<unknown> {
  if ('value' in object) return { value: object.value };
  const kept: { index: number; value: JsonValue }[] = [];
  let first: unknown;
  for (const part of object.logFile.parts()) {
    first ??= part;
    kept.push(...part.kept);
  }
  const { skipped, records } = first as { skipped: unknown; records: number };
  return { logFile: { kept, skipped, records } };
}

function fetchLogObject(key: string, maxBytes = 512 * MIB, within = budget): Promise<unknown> {
  return readLogObject(q.s3, 'trail', key, { budget: within, maxBytes, timeoutMs: 10_000 }, collect);
}

let q: Awaited<ReturnType<typeof startQueues>>;
beforeAll(async () => {
  q = await startQueues();
  for (const c of cases) if (c.body !== undefined) await q.put(c.key, c.body);
});
afterAll(async () => q.stop());

describe('fetchLogObject', () => {
  it.each(cases)('$name', async ({ key, body, maxBytes, error }) => {
    const read = fetchLogObject(key, maxBytes);
    if (error === undefined && body === log) {
      // A log file is scanned: its one record is a KMS record, so it is kept and parsed.
      expect(await read).toEqual({
        logFile: { kept: [{ index: 0, value: JSON.parse(log).Records[0] }], skipped: {}, records: 1 },
      });
    } else if (error === undefined && body === gz) {
      expect(await read).toMatchObject({ logFile: { records: 1 } });
    } else if (error === undefined) {
      expect(await read).toEqual({ value: JSON.parse(String(body)) });
    } else {
      const err = await read.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(S3FetchError);
      expect(String((err as Error).message)).toMatch(error);
      expect((err as Error).message).toContain(`s3://trail/${key}`);
    }
    // Whatever happened, the file's lease went back to the budget.
    expect(budget.inUse).toBe(0);
  });
});
