// Is the parse of S3 log files worth moving to worker threads in the daemon? The daemon's own read path
// (src/sources/s3/fetch-object.ts: the object streamed, gunzipped and byte-scanned within the memory budget, the kept
// records evaluated by the core) against the I/O alone (GetObject, the body's bytes counted), on the same objects in
// fauxqs (its own process, on loopback: no network latency, so the CPU share here is an upper bound of the share
// against S3). Figures: the main thread's CPU time against the wall time, one file at a time and `concurrency` at a
// time (the pollers' messages).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { setupCore } from '../src/cli/setup.ts';
import { readLogObject } from '../src/sources/s3/fetch-object.ts';
import { MemoryBudget } from '../src/sources/memory-budget.ts';
import { writeCorpus } from './corpus.ts';

const ROOT = new URL('../', import.meta.url).pathname;

export interface DaemonS3Figures {
  readonly files: number;
  readonly records_per_file: number;
  readonly gzip_mb_per_file: number;
  /** One file at a time: wall ms per file of the I/O alone, and of the daemon's read path. */
  readonly io_ms_per_file: number;
  readonly read_ms_per_file: number;
  /** The daemon's path: the main thread's CPU ms per file (gunzip, scan, parse of kept records, core). */
  readonly read_cpu_ms_per_file: number;
  /** `concurrency` files at a time: records/s, and the main thread's CPU time over the wall time. */
  readonly concurrent_records_per_s: number;
  readonly concurrent_main_thread_busy: number;
  readonly concurrency: number;
}

function startServer(): Promise<{ port: number; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench/fauxqs-child.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.on('error', reject);
    child.stdout.once('data', (b: Buffer) => resolve({ port: Number(b.toString().trim()), stop: () => child.kill() }));
  });
}

function cpuMs(from: NodeJS.CpuUsage): number {
  const used = process.threadCpuUsage(from);
  return (used.user + used.system) / 1000;
}

export async function benchDaemonS3(
  dir: string,
  seed: number,
  files = 20,
  recordsPerFile = 20_000,
  concurrency = 4,
): Promise<DaemonS3Figures> {
  const corpus = writeCorpus(join(dir, 's3'), seed + 3, Infinity, 0.01, recordsPerFile, undefined, files);
  const server = await startServer();
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${server.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'trail' }));
    const keys = corpus.files.map((_, i) => `AWSLogs/${i}.json.gz`);
    let gzBytes = 0;
    for (const [i, f] of corpus.files.entries()) {
      const body = readFileSync(f);
      gzBytes += body.length;
      await s3.send(new PutObjectCommand({ Bucket: 'trail', Key: keys[i], Body: body }));
    }
    const { core } = await setupCore({ states: ['examples/terraform.tfstate'], rules: [], terraformPrincipals: [] });
    const options = {
      budget: new MemoryBudget(256 * 1024 * 1024),
      maxBytes: 512 * 1024 * 1024,
      timeoutMs: 30_000,
      signal: new AbortController().signal,
      readSet: core.readSet,
    };
    const io = async (key: string): Promise<void> => {
      const r = await s3.send(new GetObjectCommand({ Bucket: 'trail', Key: key }));
      for await (const chunk of r.Body as AsyncIterable<Buffer>) void chunk.length;
    };
    const read = (key: string): Promise<number> =>
      readLogObject(s3, 'trail', key, options, async (object) => {
        if ('value' in object) return core.processPayload(object.value).events.length;
        let events = 0;
        for (const part of object.logFile.parts()) events += core.processLogFile(part).events.length;
        return events;
      });
    await read(keys[0] ?? ''); // warm-up: JIT, connections
    await io(keys[0] ?? '');
    let t = performance.now();
    for (const key of keys) await io(key);
    const ioMs = (performance.now() - t) / keys.length;
    let cpu = process.threadCpuUsage();
    t = performance.now();
    for (const key of keys) await read(key);
    const readMs = (performance.now() - t) / keys.length;
    const readCpu = cpuMs(cpu) / keys.length;
    cpu = process.threadCpuUsage();
    t = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < keys.length) await read(keys[next++] ?? '');
      }),
    );
    const wall = performance.now() - t;
    return {
      files,
      records_per_file: recordsPerFile,
      gzip_mb_per_file: +(gzBytes / files / 1e6).toFixed(1),
      io_ms_per_file: +ioMs.toFixed(1),
      read_ms_per_file: +readMs.toFixed(1),
      read_cpu_ms_per_file: +readCpu.toFixed(1),
      concurrent_records_per_s: Math.round((files * recordsPerFile) / (wall / 1000)),
      concurrent_main_thread_busy: +(cpuMs(cpu) / wall).toFixed(2),
      concurrency,
    };
  } finally {
    s3.destroy();
    server.stop();
  }
}
