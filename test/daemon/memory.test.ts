import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createGzip, gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBudgetBytes, GARBAGE_ALLOWANCE_BYTES } from '../../src/sources/memory-budget.ts';
import { prng, sampleRecords } from '../../bench/corpus.ts';
import { writeKeyState } from '../../bench/key-state.ts';
import { ROOT } from '../helpers/cli.ts';
import { startDaemon, startQueues, until, type Daemon } from '../helpers/fauxqs.ts';

// No input takes the daemon over its container's memory limit: the real daemon (child process, a 10,000-key state,
// Node's heap sized as in the manifest's container) reads a gzip bomb and ten 50 MB log files in one batch with the
// budget it would derive in that container, and its own peak RSS (getrusage, printed at exit by bench/report-rss.js)
// stays under the manifest's limit, and under its idle peak plus the budget plus what the budget does not count.

const MIB = 1024 * 1024;
/** Not counted by the budget: freed Buffers waiting for a GC (V8 starts one at ~64 MiB), V8's young generation. */
const SEMI_SPACE_MB = 16;
const ALLOWANCE_MB = GARBAGE_ALLOWANCE_BYTES / MIB + 3 * SEMI_SPACE_MB;
/**
 * Node's heap in the manifest's 256 MiB container, which V8 sizes from the container's memory: the old generation
 * a quarter of it, doubled on 64-bit (128 MiB); semi-spaces at most 16 MiB. Here, on a large machine, they must be set.
 */
const CONTAINER_NODE_FLAGS = `--max-old-space-size=128 --max-semi-space-size=${SEMI_SPACE_MB}`;
const LARGE_FILES = 10;
const REPORT_RSS = `${ROOT}bench/report-rss.js`;

/** The memory limit of the Deployment in deploy/kubernetes.yaml, in MiB. */
function manifestLimitMb(): number {
  const docs = parseAllDocuments(readFileSync(`${ROOT}deploy/kubernetes.yaml`, 'utf8')).map((d) => d.toJSON());
  const deployment = docs.find((d: { kind?: string }) => d.kind === 'Deployment') as {
    spec: { template: { spec: { containers: { resources: { limits: { memory: string } } }[] } } };
  };
  const limit = deployment.spec.template.spec.containers[0]?.resources.limits.memory ?? '';
  expect(limit).toMatch(/^\d+Mi$/);
  return Number.parseInt(limit, 10);
}

/** What the daemon knew of its memory when it started, from its MemoryBudget line. */
function startFacts(stderr: string): { rss: number; heapLimit: number; heapUsed: number } {
  const line = stderr.split('\n').find((l) => l.includes('"MemoryBudget"')) ?? '{}';
  const fields = JSON.parse(line) as Record<string, string>;
  const bytes = (name: string): number => Number.parseFloat(fields[name] ?? 'NaN') * MIB;
  return { rss: bytes('rss'), heapLimit: bytes('heapLimit'), heapUsed: bytes('heapUsed') };
}

let dir: string;
let statePath: string;
let keyIds: string[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kms-drift-memory-'));
  ({ path: statePath, keyIds } = writeKeyState(dir, 10_000));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The records of a CloudTrail log file of about `mb` MB of JSON, `kmsShare` of them KMS records on the state's keys. */
function logRecords(mb: number, kmsShare: number): string {
  const { kms, other } = sampleRecords();
  const random = prng(20261201);
  const records: string[] = [];
  let bytes = 0;
  for (let n = 0; bytes < mb * 1_000_000; n++) {
    const isKms = random() < kmsShare;
    const pool = isKms ? kms : other;
    const base = pool[Math.floor(random() * pool.length)] ?? {};
    let text = JSON.stringify({ ...base, eventID: `FILE-${n}` });
    if (isKms) text = text.replaceAll('1234abcd-12ab-34cd-56ef-1234567890ab', keyIds[n % keyIds.length] ?? '');
    records.push(text);
    bytes += text.length + 1;
  }
  return `{"Records":[${records.join(',')}]}`;
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
  it(`a gzip bomb and ${LARGE_FILES} × 50 MB log files in one batch, a 10,000-key state, the budget the manifest's container gives: peak RSS under its limit`, async () => {
    const q = await startQueues({ maxReceiveCount: 2 });
    try {
      const limitMb = manifestLimitMb();
      const idle = daemon(q, {});
      await until('the idle daemon to start', () => idle.stderr().includes('DaemonStarted'));
      await new Promise((r) => setTimeout(r, 1500)); // two empty long polls
      const idleMb = await stop(idle);
      // What the daemon derives in the manifest's container (there is no cgroup limit here to derive it from).
      const budgetMb = Math.floor(
        defaultBudgetBytes({ cgroupLimit: limitMb * MIB, ...startFacts(idle.stderr()) }) / MIB,
      );
      expect(budgetMb).toBeGreaterThanOrEqual(8);

      // 520 MiB of zeros in ~520 KB: more than maxLogFileMb (512) decompressed.
      await q.put('AWSLogs/bomb.json.gz', await bomb(520, 0));
      const notify = (key: string) =>
        q.send({ Type: 'Notification', Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key] }) });
      await notify('AWSLogs/bomb.json.gz');
      // The same records in each file, with eventIDs of their own (so none is dropped as a duplicate).
      const records = logRecords(50, 0.01);
      const jsonMb = Math.round((records.length * LARGE_FILES) / 1e6);
      for (let i = 0; i < LARGE_FILES; i++) {
        const file = gzipSync(records.replaceAll('"eventID":"FILE-', `"eventID":"${i}-`), { level: 1 });
        await q.put(`AWSLogs/large-${i}.json.gz`, file);
        await notify(`AWSLogs/large-${i}.json.gz`);
      }
      const d = daemon(q, { KMS_DRIFT_MEMORY_BUDGET_MB: String(budgetMb), KMS_DRIFT_VISIBILITY_TIMEOUT: '5' });
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
        `idle peak RSS ${idleMb.toFixed(0)} MiB; budget ${budgetMb} MiB; with the bomb and ${LARGE_FILES} × 50 MB log files (${jsonMb} MB of JSON): ${peakMb.toFixed(0)} MiB (limit ${limitMb} MiB); ${d.logs.length} drift logs`,
      );
      const bombTries = failures(d).filter((f) => f.reason.includes('bomb.json.gz'));
      expect(bombTries.map((f) => f.receiveCount)).toEqual([1, 2]);
      expect(bombTries[0]?.reason).toMatch(/larger than 536870912 bytes decompressed \(maxLogFileMb\)/);
      expect(failures(d)).toHaveLength(2);
      expect(d.logs.length).toBeGreaterThan(0);
      expect(peakMb).toBeLessThan(idleMb + budgetMb + ALLOWANCE_MB);
      expect(peakMb).toBeLessThan(limitMb);
    } finally {
      await q.stop();
    }
  }, 240_000);
});
