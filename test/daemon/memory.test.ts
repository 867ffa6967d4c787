import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng, sampleRecords } from '../../bench/corpus.ts';
import { writeKeyState } from '../../bench/key-state.ts';
import { ROOT } from '../helpers/cli.ts';
import { startDaemon, startQueues, until, type Daemon } from '../helpers/fauxqs.ts';

// The daemon's memory is bounded by its budget, whatever is in the bucket: the real daemon (child process, a
// 10,000-key state) reads a gzip bomb and ten large log files in one batch, and its own peak RSS (getrusage, printed
// at exit by bench/report-rss.ts) stays under the peak of the same daemon idle plus the budget plus a stated
// allowance for what the budget does not count (V8's young generation of garbage, zlib and HTTP buffers).

const MIB = 1024 * 1024;
const BUDGET_MB = Number(process.env['MEM_BUDGET'] ?? 24);
/** Node's heap in a 256 MiB container: V8 gives the old generation a quarter of the memory (×2 on 64-bit). */
const CONTAINER_NODE_FLAGS = process.env['MEM_FLAGS'] ?? '--max-old-space-size=128 --max-semi-space-size=16';
/** Not counted by the budget: garbage not yet collected (V8's young generation is up to 3 × 16 MiB), stream buffers. */
const ALLOWANCE_MB = 64;
const LARGE_FILES = 10;
const REPORT_RSS = `${ROOT}bench/report-rss.ts`;

let dir: string;
let statePath: string;
let keyIds: string[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kms-drift-memory-'));
  ({ path: statePath, keyIds } = writeKeyState(dir, 10_000));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CloudTrail log file of about `mb` MB of JSON, `kmsShare` of its records KMS records on the state's keys. */
function logFile(mb: number, kmsShare: number, seed: number): Buffer {
  const { kms, other } = sampleRecords();
  const random = prng(seed);
  const records: string[] = [];
  let bytes = 0;
  for (let n = 0; bytes < mb * 1_000_000; n++) {
    const isKms = random() < kmsShare;
    const pool = isKms ? kms : other;
    const base = pool[Math.floor(random() * pool.length)] ?? {};
    let text = JSON.stringify({ ...base, eventID: `${seed}-${n}` });
    if (isKms) text = text.replaceAll('1234abcd-12ab-34cd-56ef-1234567890ab', keyIds[n % keyIds.length] ?? '');
    records.push(text);
    bytes += text.length + 1;
  }
  return gzipSync(`{"Records":[${records.join(',')}]}`, { level: 1 });
}

/** `mb` MiB of `byte`, gzipped as a stream: about a thousandth of that in the bucket. */
async function bomb(mb: number, byte: number): Promise<Buffer> {
  const chunk = Buffer.alloc(MIB, byte);
  return buffer(
    Readable.from(
      (function* () {
        for (let i = 0; i < mb; i++) yield chunk;
      })(),
    ).pipe(createGzip()),
  );
}

function daemon(q: Awaited<ReturnType<typeof startQueues>>, env: Record<string, string>): Daemon {
  return startDaemon(q.endpoint, q.queueUrl, {
    KMS_DRIFT_STATE: statePath,
    NODE_OPTIONS: `--import=${REPORT_RSS} ${CONTAINER_NODE_FLAGS}`,
    KMS_DRIFT_STATE_RELOAD_SECONDS: '0',
    ...env,
  });
}

async function stop(d: Daemon): Promise<number> {
  d.child.kill('SIGTERM');
  expect(await d.exited, d.stderr().slice(-2000)).toBe(0);
  const rss = /bench-max-rss-kb (\d+)/.exec(d.stderr());
  expect(rss, 'the child reports its peak RSS').not.toBeNull();
  return Number(rss?.[1]) / 1024;
}

function failures(d: Daemon): { messageId: string; receiveCount: number; reason: string }[] {
  return d
    .stderr()
    .split('\n')
    .filter((l) => l.includes('SqsMessageFailed'))
    .map((l) => JSON.parse(l) as { messageId: string; receiveCount: number; reason: string });
}

describe('kms-drift run: memory is bounded by the budget', () => {
  it(`a gzip bomb and ${LARGE_FILES} large log files in one batch, with a 10,000-key state: peak RSS ≤ idle + ${BUDGET_MB} MiB budget + ${ALLOWANCE_MB} MiB`, async () => {
    const q = await startQueues({ maxReceiveCount: 2 });
    try {
      const idle = daemon(q, { KMS_DRIFT_MEMORY_BUDGET_MB: String(BUDGET_MB) });
      await until('the idle daemon to start', () => idle.stderr().includes('DaemonStarted'));
      await new Promise((r) => setTimeout(r, 1500)); // two empty long polls
      const idleMb = await stop(idle);

      // 600 MiB of zeros in ~600 KB: more than maxLogFileMb (512) decompressed.
      await q.put('AWSLogs/bomb.json.gz', await bomb(600, 0));
      const notify = (key: string) =>
        q.send({ Type: 'Notification', Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key] }) });
      await notify('AWSLogs/bomb.json.gz');
      let jsonMb = 0;
      for (let i = 0; i < LARGE_FILES; i++) {
        const file = logFile(50, 0.01, i + 1);
        jsonMb += 50;
        await q.put(`AWSLogs/large-${i}.json.gz`, file);
        await notify(`AWSLogs/large-${i}.json.gz`);
      }
      const d = daemon(q, { KMS_DRIFT_MEMORY_BUDGET_MB: String(BUDGET_MB), KMS_DRIFT_VISIBILITY_TIMEOUT: '5' });
      await until(
        'the bomb in the DLQ and the rest done',
        async () => {
          const [queue, dlq] = await Promise.all([q.depth(q.queueUrl), q.depth(q.dlqUrl)]);
          return queue === 0 && dlq === 1;
        },
        120_000,
      );
      const peakMb = await stop(d);
      console.log(
        `idle peak RSS ${idleMb.toFixed(0)} MiB; with the bomb and ${LARGE_FILES} × 50 MB log files (${jsonMb} MB of JSON): ${peakMb.toFixed(0)} MiB; ${d.logs.length} drift logs`,
      );
      const bombTries = failures(d).filter((f) => f.reason.includes('bomb.json.gz'));
      expect(bombTries.map((f) => f.receiveCount)).toEqual([1, 2]);
      expect(bombTries[0]?.reason).toMatch(/larger than 536870912 bytes decompressed \(maxLogFileMb\)/);
      expect(failures(d)).toHaveLength(2);
      expect(d.logs.length).toBeGreaterThan(0);
      expect(peakMb).toBeLessThan(idleMb + BUDGET_MB + ALLOWANCE_MB);
    } finally {
      await q.stop();
    }
  }, 240_000);
});
