// What the benchmarks that run the real CLI share: a child process with its own peak RSS, and the median of samples.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export const ROOT = new URL('../', import.meta.url).pathname;
export const CLI = join(ROOT, 'bin/kms-drift.js');
const REPORT_RSS = join(ROOT, 'bench/report-rss.js');

export interface Run {
  readonly code: number | null;
  readonly ms: number;
  readonly maxRssKb: number;
  readonly stderr: string;
  readonly stdoutLines: number;
}

/**
 * `node --import report-rss.js …args`: wall time from spawn to exit, the child's own peak RSS, and its stdout counted
 * in lines and dropped. `compileCache`: the directory of Node's compile cache (NODE_COMPILE_CACHE, which
 * `module.enableCompileCache()` in bin/kms-drift.js uses when set); without it the child uses the OS temp directory's,
 * as a user's run does.
 */
export function runNode(args: readonly string[], compileCache?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const env = compileCache === undefined ? process.env : { ...process.env, NODE_COMPILE_CACHE: compileCache };
    const child = spawn(process.execPath, ['--import', REPORT_RSS, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      for (const byte of b) if (byte === 0x0a) lines++;
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /bench-max-rss-kb (\d+)/.exec(stderr);
      resolve({ code, ms: performance.now() - t, maxRssKb: Number(rss?.[1] ?? NaN), stderr, stdoutLines: lines });
    });
  });
}

/** `node bin/kms-drift.js …args`, as runNode runs it. */
export function runCli(args: readonly string[], compileCache?: string): Promise<Run> {
  return runNode([CLI, ...args], compileCache);
}

/** The middle value (the upper one of an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
}
