import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readLogObject, S3FetchError, type LogObject } from '../../src/sources/s3/fetch-object.ts';
import { MemoryBudget } from '../../src/sources/memory-budget.ts';
import type { JsonValue } from '../../src/model/json.ts';
import { ROOT } from '../helpers/cli.ts';
import { startQueues } from '../helpers/fauxqs.ts';
import { startStallingProxy } from '../helpers/stalling-proxy.ts';
import { S3Client } from '@aws-sdk/client-s3';

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

function fetchLogObject(key: string, maxBytes = 512 * MIB, within = budget, client?: S3Client): Promise<unknown> {
  return readLogObject(client ?? q.s3, 'trail', key, { budget: within, maxBytes, timeoutMs: 10_000 }, collect);
}

/** The S3FetchError a read ends with. */
async function failure(read: Promise<unknown>): Promise<string> {
  const err = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(S3FetchError);
  return (err as Error).message;
}

const kmsRecord = JSON.parse(log).Records[0] as Record<string, unknown>;
/** A log file of `n` KMS records (all kept by the scan: what the budget must hold). */
const kmsLog = (n: number): string =>
  JSON.stringify({ Records: Array.from({ length: n }, (_, i) => ({ ...kmsRecord, eventID: `e-${i}` })) });

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

describe('reading within the memory budget', () => {
  it('a log file whose kept records need more than the whole budget fails with that reason', async () => {
    await q.put('AWSLogs/all-kms.json.gz', gzipSync(kmsLog(2000))); // ~2.6 MB, every record kept
    const small = new MemoryBudget(4 * MIB);
    const message = await failure(fetchLogObject('AWSLogs/all-kms.json.gz', undefined, small));
    expect(message).toMatch(/all-kms\.json\.gz: needs more than the memory budget \(4\.0 MiB; memoryBudgetMb\)/);
    expect(small.inUse).toBe(0);
  });

  it('two files that each need most of the budget, read at once: both are read, one after the other', async () => {
    await q.put('AWSLogs/kms-a.json.gz', gzipSync(kmsLog(2000)));
    await q.put('AWSLogs/kms-b.json.gz', gzipSync(kmsLog(2000)));
    const tight = new MemoryBudget(8 * MIB);
    const [a, b] = await Promise.all([
      fetchLogObject('AWSLogs/kms-a.json.gz', undefined, tight),
      fetchLogObject('AWSLogs/kms-b.json.gz', undefined, tight),
    ]);
    for (const read of [a, b]) expect(read).toMatchObject({ logFile: { records: 2000, skipped: {} } });
    expect((a as { logFile: { kept: unknown[] } }).logFile.kept).toHaveLength(2000);
    expect(tight.inUse).toBe(0);
  });

  it('a bomb shaped like a log file (one endless record) is refused: too large to parse whole', async () => {
    const endless = Buffer.concat([Buffer.from('{"Records":[{"a":"'), Buffer.alloc(20 * MIB, 0x78)]);
    await q.put('AWSLogs/endless.json.gz', gzipSync(endless));
    const message = await failure(fetchLogObject('AWSLogs/endless.json.gz'));
    expect(message).toMatch(
      /endless\.json\.gz: not a log file the stream scan reads \(20971538 bytes\); parsing it whole needs 82\.0 MiB, more than the memory budget \(64\.0 MiB; memoryBudgetMb\)/,
    );
  });

  it('a bomb of a million empty records is refused before they fill the budget', async () => {
    const empties = `{"Records":[${'{},'.repeat(1_000_000)}{}]}`;
    await q.put('AWSLogs/empties.json.gz', gzipSync(empties));
    const message = await failure(fetchLogObject('AWSLogs/empties.json.gz'));
    expect(message).toMatch(/empties\.json\.gz: needs more than the memory budget/);
  });
});

describe('a stalled S3 response', () => {
  it('fails the read after s3BodyTimeoutMs, whether the body or the headers stall', async () => {
    await q.put('AWSLogs/stall-body.json.gz', gzipSync(kmsLog(2000)));
    await q.put('AWSLogs/stall-headers.json.gz', gz);
    const proxy = await startStallingProxy(q.endpoint, {
      stallBody: 'stall-body',
      stallHeaders: 'stall-headers',
      bytes: 1000,
    });
    const client = new S3Client({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      forcePathStyle: true,
    });
    try {
      const read = (key: string) =>
        readLogObject(client, 'trail', key, { budget, maxBytes: 512 * MIB, timeoutMs: 300 }, collect);
      expect(await failure(read('AWSLogs/stall-body.json.gz'))).toMatch(
        /stall-body\.json\.gz: the body stalled: no bytes for 300 ms \(s3BodyTimeoutMs\)/,
      );
      expect(await failure(read('AWSLogs/stall-headers.json.gz'))).toMatch(
        /stall-headers\.json\.gz: Error: no response in 300 ms \(s3BodyTimeoutMs\)/,
      );
      expect(proxy.stalled()).toBe(2);
      // The same client still reads other objects.
      expect(await read('AWSLogs/a.json.gz')).toMatchObject({ logFile: { records: 1 } });
      expect(budget.inUse).toBe(0);
    } finally {
      client.destroy();
      await proxy.stop();
    }
  });
});
