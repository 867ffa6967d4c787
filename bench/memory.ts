// Peak memory and start time of the real CLI, each in a child process so the figure is the command's own (the bench
// process holds corpora and would hide it). Peak RSS is the child's own getrusage maximum (bench/report-rss.js).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, median as mid, runCli, runNode, type Run } from './child.ts';
import { writeCorpus } from './corpus.ts';

export interface MemoryFigures {
  readonly replayed_json_mb: number;
  readonly replayed_records: number;
  readonly drift_logs: number;
  readonly replay_peak_rss_mb: number;
  readonly replay_seconds: number;
  /** Floor: the same CLI replaying nothing (an empty directory) with the same state: Node, the SDK, rules, state. */
  readonly idle_peak_rss_mb: number;
  /** Floor: the same CLI replaying nothing without a state: Node, the modules replay loads, the bundled rules. */
  readonly no_state_peak_rss_mb: number;
  /** Floor: Node itself (with the same --import hook), running an empty script. */
  readonly node_peak_rss_mb: number;
  /**
   * Start: replay of an empty directory with the 10,000-key state, spawn to exit (Node's start, the modules loaded,
   * the rules and the state read, exit); median of `STARTS` runs, each with a compile cache of its own that the run
   * before it filled (warm: a user's second run). Same as `ready_warm_ms`.
   */
  readonly ready_ms: number;
  /** The same, each run with a new, empty compile cache (cold: the container image's first start). */
  readonly ready_cold_ms: number;
  readonly ready_warm_ms: number;
  /** The runs of each, in the order they ran. */
  readonly ready_cold_samples_ms: readonly number[];
  readonly ready_warm_samples_ms: readonly number[];
  /** Floor: the same without a state (warm, as `ready_ms`). */
  readonly ready_no_state_ms: number;
  readonly ready_no_state_cold_ms: number;
  /** Floor: Node itself running an empty script. */
  readonly node_start_ms: number;
}

/** Runs of each start and idle-memory measurement: the median is reported (a start is ~0.3 s on a shared machine). */
const STARTS = 5;

/** The median peak RSS (and wall time) of `STARTS` runs of `args`, with the temp directory's compile cache. */
async function median(args: readonly string[]): Promise<{ ms: number; maxRssKb: number }> {
  const runs: Run[] = [];
  for (let i = 0; i < STARTS; i++) runs.push(await runNode(args));
  return { ms: mid(runs.map((r) => r.ms)), maxRssKb: mid(runs.map((r) => r.maxRssKb)) };
}

/**
 * The start of `args` (a CLI command) cold and warm, `STARTS` samples each, alternated: a cold sample runs with a
 * new, empty compile-cache directory; a warm sample with a directory of its own that one uncounted run of the same
 * command filled just before (the cache then holds exactly what this command compiles).
 */
async function coldAndWarm(dir: string, args: readonly string[]): Promise<{ cold: number[]; warm: number[] }> {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    cold.push((await runNode(args, mkdtempSync(join(dir, 'cache-cold-')))).ms);
    const cache = mkdtempSync(join(dir, 'cache-warm-'));
    await runNode(args, cache);
    warm.push((await runNode(args, cache)).ms);
  }
  return { cold, warm };
}

/**
 * Replays `mb` MB of JSON (gzipped log files, ~1% KMS, aimed at the state's keys) with `statePath`, and measures
 * the start as the wall time of a replay of an empty directory (process start, rules and state loaded, exit), with
 * its floors: the same replay without a state, and Node running an empty script.
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
  const emptyScript = join(empty, 'empty.js');
  writeFileSync(emptyScript, '');
  // One run first, not counted: it fills the temp directory's compile cache, which the memory figures' runs use (the
  // start figures use compile caches of their own: coldAndWarm).
  await runCli(['replay', '--state', statePath, empty]);
  const node = await median([emptyScript]);
  const noState = await median([CLI, 'replay', empty]);
  const idle = await median([CLI, 'replay', '--state', statePath, empty]);
  const start = await coldAndWarm(dir, [CLI, 'replay', '--state', statePath, empty]);
  const startNoState = await coldAndWarm(dir, [CLI, 'replay', empty]);
  // One thread: the figure the memory target is about (every core's figure, with its memory, is bench/cores.ts's).
  const replay = await runCli(['replay', '--jobs', '1', '--state', statePath, corpusDir]);
  if (replay.code !== 0) throw new Error(`replay failed (${String(replay.code)}): ${replay.stderr.slice(-500)}`);
  const mbOf = (kb: number): number => Math.round(kb / 1024);
  return {
    replayed_json_mb: Math.round(corpus.jsonBytes / 1e6),
    replayed_records: corpus.records,
    drift_logs: replay.stdoutLines,
    replay_peak_rss_mb: mbOf(replay.maxRssKb),
    replay_seconds: +(replay.ms / 1000).toFixed(1),
    idle_peak_rss_mb: mbOf(idle.maxRssKb),
    no_state_peak_rss_mb: mbOf(noState.maxRssKb),
    node_peak_rss_mb: mbOf(node.maxRssKb),
    ready_ms: Math.round(mid(start.warm)),
    ready_cold_ms: Math.round(mid(start.cold)),
    ready_warm_ms: Math.round(mid(start.warm)),
    ready_cold_samples_ms: start.cold.map(Math.round),
    ready_warm_samples_ms: start.warm.map(Math.round),
    ready_no_state_ms: Math.round(mid(startNoState.warm)),
    ready_no_state_cold_ms: Math.round(mid(startNoState.cold)),
    node_start_ms: Math.round(node.ms),
  };
}
