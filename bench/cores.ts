// `replay --jobs N` on 1, 2 and all cores: the real CLI in a child process (workers are threads of that process),
// replaying the same directory, stdout counted and dropped. Each figure is the median of `passes` runs, the job
// counts interleaved so that the machine's load moves them together; the floor is the same CLI replaying an empty
// directory (its start), which every figure includes.
import { mkdtempSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { median, runCli, type Run } from './child.ts';

/** `kms-drift replay --format json …args`; a failed replay fails the benchmark. */
async function replay(args: readonly string[]): Promise<Run> {
  const run = await runCli(['replay', '--format', 'json', ...args]);
  if (run.code !== 0) throw new Error(`replay ${args.join(' ')} exited ${String(run.code)}: ${run.stderr.slice(-400)}`);
  return run;
}

export interface CoresFigures {
  readonly records: number;
  /** One replay worker, from its creation to its rules and state loaded (the main thread evaluates meanwhile). */
  readonly worker_ready_ms: number;
  readonly worker_ready_cpu_ms: number;
  readonly available_parallelism: number;
  /** The default of --jobs here: availableParallelism bounded by the cgroup quota. */
  readonly default_jobs: number;
  readonly start_ms: number;
  readonly [jobs: `jobs_${number}`]: {
    readonly records_per_s: number;
    /** Throughput after the start (wall time minus the empty replay's). */
    readonly records_per_s_after_start: number;
    readonly speedup_vs_1: number;
    readonly peak_rss_mb: number;
    readonly drift_logs: number;
  };
}

/** `replay --jobs N corpusDir` for N in 1, 2 and every usable core; `extra` (e.g. `--rules`) for every run. */
export async function benchCores(
  dir: string,
  corpusDir: string,
  records: number,
  defaultJobs: number,
  extra: readonly string[] = [],
  passes = 3,
): Promise<CoresFigures> {
  const counts = [...new Set([1, 2, defaultJobs, availableParallelism()])].sort((a, b) => a - b);
  const empty = mkdtempSync(join(dir, 'cores-empty-'));
  const runs = new Map<number, Run[]>(counts.map((n) => [n, []]));
  const starts: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    starts.push((await replay([...extra, empty])).ms);
    for (const n of counts) runs.get(n)?.push(await replay([...extra, '--jobs', String(n), corpusDir]));
  }
  const start = median(starts);
  const ready = await workerReady(stateOf(extra));
  const result: Record<string, unknown> = {
    records,
    worker_ready_ms: ready.ms,
    worker_ready_cpu_ms: ready.cpuMs,
    available_parallelism: availableParallelism(),
    default_jobs: defaultJobs,
    start_ms: Math.round(start),
  };
  const one = median((runs.get(1) ?? []).map((r) => r.ms));
  for (const n of counts) {
    const rs = runs.get(n) ?? [];
    const ms = median(rs.map((r) => r.ms));
    result[`jobs_${n}`] = {
      records_per_s: Math.round(records / (ms / 1000)),
      records_per_s_after_start: Math.round(records / (Math.max(1, ms - start) / 1000)),
      speedup_vs_1: +(one / ms).toFixed(2),
      peak_rss_mb: Math.round(Math.max(...rs.map((r) => r.maxRssKb)) / 1024),
      drift_logs: rs[0]?.stdoutLines ?? 0,
    };
  }
  return result as unknown as CoresFigures;
}

function stateOf(args: readonly string[]): string[] {
  return args.flatMap((a, i) => (args[i - 1] === '--state' ? [a] : []));
}

/** A replay worker (src/cli/replay-worker-start.ts) started alone: the median of three, wall and CPU time. */
async function workerReady(states: readonly string[]): Promise<{ ms: number; cpuMs: number }> {
  const runs: { ms: number; cpuMs: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    const worker = new Worker(new URL('../src/cli/replay-worker-start.ts', import.meta.url), {
      workerData: { states, rules: [], terraformPrincipals: [] },
    });
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: { kind: string }) => (m.kind === 'ready' ? resolve() : reject(new Error(m.kind))));
      worker.on('error', reject);
    });
    const used = process.cpuUsage(cpu);
    runs.push({ ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 });
    await worker.terminate();
  }
  return {
    ms: Math.round(median(runs.map((r) => r.ms))),
    cpuMs: Math.round(median(runs.map((r) => r.cpuMs))),
  };
}
