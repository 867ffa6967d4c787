// Peak memory and start time of the real CLI, each in a child process so the figure is the command's own (the bench
// process holds corpora and would hide it). Peak RSS is the child's own getrusage maximum (bench/report-rss.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeCorpus } from './corpus.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const CLI = join(ROOT, 'bin/kms-drift.js');
const REPORT_RSS = join(ROOT, 'bench/report-rss.ts');

interface Run {
  readonly code: number | null;
  readonly ms: number;
  readonly maxRssKb: number;
  readonly stderr: string;
}

/** `node bin/kms-drift.js …args` reporting its peak RSS at exit; stdout (the drift logs) is counted and dropped. */
function runCli(args: readonly string[]): Promise<Run & { readonly stdoutLines: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, ['--import', REPORT_RSS, CLI, ...args], {
      cwd: ROOT,
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

export interface MemoryFigures {
  readonly replayed_json_mb: number;
  readonly replayed_records: number;
  readonly drift_logs: number;
  readonly replay_peak_rss_mb: number;
  readonly replay_seconds: number;
  /** Floor: the same CLI replaying nothing (an empty directory) with the same state: Node, the SDK, rules, state. */
  readonly idle_peak_rss_mb: number;
  readonly ready_ms: number;
}

/**
 * Replays `mb` MB of JSON (gzipped log files, ~1% KMS, aimed at the state's keys) with `statePath`, and measures
 * the start as the wall time of a replay of an empty directory (process start, rules and state loaded, exit).
 */
export async function benchMemory(
  dir: string,
  seed: number,
  mb: number,
  statePath: string,
  keyIds: readonly string[],
): Promise<MemoryFigures> {
  const corpusDir = join(dir, 'memory');
  const corpus = writeCorpus(corpusDir, seed + 7, mb * 1_000_000, 0.01, 2000, keyIds);
  const empty = mkdtempSync(join(dir, 'empty-'));
  const idle = await runCli(['replay', '--state', statePath, empty]);
  const replay = await runCli(['replay', '--state', statePath, corpusDir]);
  if (replay.code !== 0) throw new Error(`replay failed (${String(replay.code)}): ${replay.stderr.slice(-500)}`);
  return {
    replayed_json_mb: Math.round(corpus.jsonBytes / 1e6),
    replayed_records: corpus.records,
    drift_logs: replay.stdoutLines,
    replay_peak_rss_mb: Math.round(replay.maxRssKb / 1024),
    replay_seconds: +(replay.ms / 1000).toFixed(1),
    idle_peak_rss_mb: Math.round(idle.maxRssKb / 1024),
    ready_ms: Math.round(idle.ms),
  };
}
