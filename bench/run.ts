// `npm run bench [-- --mb 100] [--memory-mb 1000] [--sqs-messages 5000] [--json]`: throughput measured side by side
// with floors measured in the same run on the same inputs (gunzip alone; gunzip + JSON.parse; a raw SQS consumer; the
// CLI replaying nothing), never as timed assertions in tests. See BENCHMARKS.md.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { createCore, type Core } from '../src/app.ts';
import { setupCore } from '../src/cli/setup.ts';
import type { JsonValue } from '../src/model/json.ts';
import { loadRules } from '../src/rules/load/load.ts';
import type { Ruleset } from '../src/rules/load/ruleset.ts';
import { readRuleFiles } from '../src/rules/load/files.ts';
import { readInputs } from '../src/sources/files/read-inputs.ts';
import { scanLogFileFast } from '../src/sources/prefilter/fast-scan.ts';
import { byteReadSet } from '../src/sources/prefilter/read-set-bytes.ts';
import { READ_TRACKED } from '../src/normalize/read-set.ts';
import { loadStates } from '../src/terraform/load-states.ts';
import { ReloadingState } from '../src/terraform/reloading-state.ts';
import { writeCorpus } from './corpus.ts';
import { writeKeyState } from './key-state.ts';
import { countingRuleset, generatedRules } from './rules.ts';
import { benchMemory } from './memory.ts';
import { benchSqs } from './sqs.ts';
import { benchCores } from './cores.ts';
import { benchFalco } from './falco.ts';
import { benchSharedTable } from './shared-table.ts';
import { benchDaemonS3 } from './daemon-s3.ts';
import { usableCores } from '../src/config/cgroup-cpu.ts';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '100' },
    'memory-mb': { type: 'string', default: '1000' },
    'sqs-messages': { type: 'string', default: '5000' },
    json: { type: 'boolean', default: false },
    seed: { type: 'string', default: '42' },
    // In-process sections to run alone, comma-separated (`--only kms,rules`): the KMS path and rule scaling (their
    // corpus, state and rules) without the minutes of the other sections; a partial run has no targets summary.
    only: { type: 'string' },
  },
});
const SECTIONS = ['firehose', 'kms', 'rules'] as const;
type Section = (typeof SECTIONS)[number];
const only = values.only === undefined ? undefined : new Set(values.only.split(',').map((x) => x.trim()));
for (const name of only ?? []) {
  if (!(SECTIONS as readonly string[]).includes(name))
    throw new Error(`--only: unknown section ${name} (${SECTIONS.join(', ')})`);
}
const runs = (section: Section): boolean => only === undefined || only.has(section);
const seed = Number(values.seed);
const dir = mkdtempSync(join(tmpdir(), 'kms-drift-bench-'));
const rulesDir = new URL('../rules/', import.meta.url).pathname;

function time<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}
async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}
/** Passes of each in-process measurement; the median is reported (the machine is shared and noisy). */
const PASSES = 3;
/** Passes of each ruleset in the rule-scaling figure, alternated. */
const SCALING_PASSES = 5;
function median<T>(runs: readonly { ms: number; value: T }[]): { ms: number; value: T } {
  return [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)] ?? { ms: NaN, value: runs[0]?.value as T };
}
function medianOf<T>(fn: () => { ms: number; value: T }, passes = PASSES): { ms: number; value: T } {
  return median(Array.from({ length: passes }, fn));
}
async function medianOfAsync<T>(fn: () => Promise<{ ms: number; value: T }>): Promise<{ ms: number; value: T }> {
  const runs: { ms: number; value: T }[] = [];
  for (let i = 0; i < PASSES; i++) runs.push(await fn());
  return median(runs);
}

/** What a ruleset did on the KMS stream (bench/rules.ts countingRuleset): reported beside every rule figure. */
interface RuleWork {
  readonly rules: number;
  readonly rules_checked: number;
  readonly rules_matched: number;
  readonly checks_per_event: number;
  readonly logs_per_event: number;
}

async function main(): Promise<void> {
  const mb = Number(values.mb);
  const results: Record<string, unknown> = {
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    seed,
    mb,
  };

  const rps = (ms: number, n: number): number => Math.round(n / (ms / 1000));
  // ── firehose: mixed trail, ~1% KMS ──────────────────────────────────────────────────────────────────────────────
  const mixed = runs('firehose') ? writeCorpus(join(dir, 'mixed'), seed, mb * 1_000_000, 0.01) : undefined;
  if (mixed !== undefined) {
    const gz = mixed.files.map((f) => readFileSync(f));
    const gunzip = medianOf(() => time(() => gz.reduce((n, b) => n + gunzipSync(b).length, 0)));
    const parse = medianOf(() =>
      time(() =>
        gz.reduce(
          (n, b) => n + (JSON.parse(gunzipSync(b).toString('utf8')) as { Records: unknown[] }).Records.length,
          0,
        ),
      ),
    );
    // Where replay's time goes, from memory like the floors: gunzip + a search for the KMS needle (what a native
    // search costs: it proves nothing about a file's validity or its record count), gunzip + the byte scan.
    const search = medianOf(() => time(() => gz.reduce((n, b) => n + gunzipSync(b).indexOf('kms.amazonaws.com'), 0)));
    const scan = medianOf(() =>
      time(() => gz.reduce((n, b) => n + (scanLogFileFast(gunzipSync(b), byteReadSet(READ_TRACKED))?.length ?? 0), 0)),
    );
    const setup = await setupCore({ states: ['examples/terraform.tfstate'], rules: [], terraformPrincipals: [] });
    // Replay as `kms-drift replay` does it, from the files on disk (the floors read them from memory).
    const replay = await medianOfAsync(() =>
      timeAsync(async () => {
        let logs = 0;
        let events = 0;
        const skipped: Record<string, number> = {};
        for await (const p of readInputs([join(dir, 'mixed')], { readSet: setup.core.readSet })) {
          if ('problem' in p) continue;
          const o = 'logFile' in p ? setup.core.processLogFile(p.logFile) : setup.core.processPayload(p.value, p.path);
          logs += o.logs.length;
          events += o.events.length;
          for (const [reason, n] of Object.entries(o.skipped)) skipped[reason] = (skipped[reason] ?? 0) + (n ?? 0);
        }
        return { logs, events, skipped };
      }),
    );
    results['firehose'] = {
      records: mixed.records,
      kms_records: mixed.kmsRecords,
      json_mb: Math.round(mixed.jsonBytes / 1e6),
      gunzip_records_per_s: rps(gunzip.ms, mixed.records),
      gunzip_parse_records_per_s: rps(parse.ms, mixed.records),
      gunzip_search_records_per_s: rps(search.ms, mixed.records),
      gunzip_scan_records_per_s: rps(scan.ms, mixed.records),
      replay_records_per_s: rps(replay.ms, mixed.records),
      replay_time_vs_gunzip_parse: +(replay.ms / parse.ms).toFixed(2),
      replay_time_vs_gunzip: +(replay.ms / gunzip.ms).toFixed(2),
      drift_logs: replay.value.logs,
      events: replay.value.events,
      skipped: replay.value.skipped,
    };
  }

  // ── KMS path: every record a KMS management event, 10,000-key state, default + 200 generated rules ─────────────
  // Inside the clock: from the parsed payloads (gunzip and JSON.parse done before) to the drift log objects — unwrap,
  // normalize, the diff against the state, rule evaluation, outputs rendered; not the logs' serialization or write.
  const { path: statePath, keyIds } = writeKeyState(dir, 10_000);
  const kmsCorpus = writeCorpus(join(dir, 'kms'), seed + 1, Math.min(mb, 20) * 1_000_000, 1, 2000, keyIds);
  const start = await timeAsync(async () => {
    const rules = await readRuleFiles([rulesDir]);
    const generated = { path: 'generated.yaml', text: generatedRules(200, kmsCorpus.records) };
    const loaded = loadRules([...rules.files, generated]);
    const states = await loadStates([statePath]);
    return { ruleset: loaded.ruleset, states };
  });
  const payloads = kmsCorpus.files.map((f) => JSON.parse(gunzipSync(readFileSync(f)).toString('utf8')) as JsonValue);
  const kmsCore = (ruleset: Ruleset): Core =>
    createCore({ ruleset, terraformPrincipals: [] }, new ReloadingState(start.value.states, [statePath]));
  /** One pass over the stream: its drift logs. */
  const pass = (core: Core): number => payloads.reduce<number>((n, p) => n + core.processPayload(p).logs.length, 0);
  /**
   * What the rules do on the stream, from one pass of their counted copy (bench/rules.ts), outside the clock: rules
   * loaded, rules whose condition was tested on at least one event, rules that matched at least one, condition
   * checks per event, drift logs per event.
   */
  const ruleWork = (ruleset: Ruleset): RuleWork => {
    const counted = countingRuleset(ruleset);
    const core = kmsCore(counted.ruleset);
    let events = 0;
    let logs = 0;
    for (const p of payloads) {
      const o = core.processPayload(p);
      events += o.events.length;
      logs += o.logs.length;
    }
    return {
      rules: ruleset.rules.length,
      rules_checked: counted.counts.checked.size,
      rules_matched: counted.counts.matched.size,
      checks_per_event: +(counted.counts.checks / events).toFixed(2),
      logs_per_event: +(logs / events).toFixed(3),
    };
  };
  const kmsRun = (ruleset: Ruleset): { ms: number; logs: number } => {
    const core = kmsCore(ruleset);
    core.processPayload(payloads[0] ?? {}); // warm-up: JIT and the index of each (service, event) pair
    const run = medianOf(() => time(() => pass(core)));
    return { ms: run.ms, logs: run.value };
  };
  if (runs('kms')) {
    const kmsDefault = kmsRun(start.value.ruleset);
    results['kms_path'] = {
      events: kmsCorpus.records,
      ...ruleWork(start.value.ruleset),
      events_per_s: rps(kmsDefault.ms, kmsCorpus.records),
      drift_logs: kmsDefault.logs,
    };
  }

  // ── rule scaling: the same stream with 10 and 1,000 generated rules, alternated ─────────────────────────────────
  // The same clock as the KMS path. The two rulesets run in turn (10, 1,000, 10, 1,000, …), SCALING_PASSES each, so
  // that the machine's load moves both; each figure is the median of its passes.
  if (runs('rules')) {
    const scaled = [10, 1000].map((n) => {
      const ruleset = loadRules([{ path: 'g.yaml', text: generatedRules(n, kmsCorpus.records) }]).ruleset;
      const core = kmsCore(ruleset);
      core.processPayload(payloads[0] ?? {}); // warm-up, as above
      return { n, ruleset, core, runs: [] as { ms: number; value: number }[] };
    });
    for (let i = 0; i < SCALING_PASSES; i++) for (const s of scaled) s.runs.push(time(() => pass(s.core)));
    const [s10, s1000] = scaled.map((s) => ({ ...median(s.runs), work: ruleWork(s.ruleset) }));
    if (s10 === undefined || s1000 === undefined) throw new Error('rule scaling: no runs');
    results['rule_scaling'] = {
      events: kmsCorpus.records,
      passes: SCALING_PASSES,
      rules_10: { ...s10.work, events_per_s: rps(s10.ms, kmsCorpus.records), drift_logs: s10.value },
      rules_1000: { ...s1000.work, events_per_s: rps(s1000.ms, kmsCorpus.records), drift_logs: s1000.value },
      time_1000_vs_10: +(s1000.ms / s10.ms).toFixed(2),
    };
  }
  if (only !== undefined) return emit(results);

  // ── SQS end to end: fauxqs on loopback, the daemon in a child process, a raw SDK consumer as the floor ───────────
  results['sqs'] = await benchSqs(Number(values['sqs-messages']));

  // ── start and memory of the real CLI, in child processes ─────────────────────────────────────────────────────────
  const memory = await benchMemory(dir, seed, Number(values['memory-mb']), statePath, keyIds);
  results['start'] = {
    // One sample, in the bench's process (modules already loaded): readRuleFiles + loadRules + loadStates.
    in_process_ms_rules_and_10000_key_state: Math.round(start.ms),
    cli_ready_cold_ms_10000_key_state: memory.ready_cold_ms,
    cli_ready_warm_ms_10000_key_state: memory.ready_warm_ms,
    cli_ready_cold_samples_ms: memory.ready_cold_samples_ms,
    cli_ready_warm_samples_ms: memory.ready_warm_samples_ms,
    floor_cli_ready_cold_ms_no_state: memory.ready_no_state_cold_ms,
    floor_cli_ready_warm_ms_no_state: memory.ready_no_state_ms,
    floor_node_start_ms: memory.node_start_ms,
  };
  results['memory'] = memory;
  // Issue 15's targets, each figure beside its floor from this run.
  const sqs4 = results['sqs'] as { pollers_4: { time_vs_floor: number } };
  const kmsPath = results['kms_path'] as { events_per_s: number; rules: number; checks_per_event: number };
  const scaling = results['rule_scaling'] as { time_1000_vs_10: number };
  results['targets'] = {
    kms_path_events_per_s: {
      figure: kmsPath.events_per_s,
      rules: kmsPath.rules,
      checks_per_event: kmsPath.checks_per_event,
      target: 150_000,
    },
    rule_scaling_time_1000_vs_10: { figure: scaling.time_1000_vs_10, target: 1.2 },
    sqs_4_pollers: { time_vs_raw_floor: sqs4.pollers_4.time_vs_floor, target: 1.15 },
    replay_peak_rss_mb: {
      figure: memory.replay_peak_rss_mb,
      floor_idle_with_state: memory.idle_peak_rss_mb,
      floor_no_state: memory.no_state_peak_rss_mb,
      floor_node: memory.node_peak_rss_mb,
      target: 150,
    },
    start_ms_10000_key_state: {
      cold: memory.ready_cold_ms,
      warm: memory.ready_warm_ms,
      floor_no_state_cold: memory.ready_no_state_cold_ms,
      floor_no_state_warm: memory.ready_no_state_ms,
      floor_node: memory.node_start_ms,
      target: 300,
    },
  };

  // ── the cost of what the other issues add, and every core (BENCHMARKS.md) ───────────────────────────────────────
  if (mixed === undefined) throw new Error('a full run writes the mixed trail');
  results['falco_rules'] = await benchFalco(join(dir, 'mixed'), mixed.files, mixed.records);
  results['sqs_shared_table'] = await benchSharedTable(Number(values['sqs-messages']));
  // Whether the daemon's S3 log files are worth parsing in workers: its read path's CPU against the I/O alone.
  results['daemon_s3'] = await benchDaemonS3(dir, seed);
  // The memory benchmark's 1 GB (its corpus, its 10,000-key state): long enough that the workers' start is paid back.
  results['cores'] = await benchCores(dir, join(dir, 'memory'), memory.replayed_records, usableCores(), [
    '--state',
    statePath,
  ]);

  emit(results);
}

function emit(results: Record<string, unknown>): void {
  if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else for (const [section, v] of Object.entries(results)) process.stdout.write(`${section.padEnd(14)} ${flat(v)}\n`);
}

/** `a=1  b.c=2`: a section's figures on one line, nested objects (SQS pollers, latency) with dotted names. */
function flat(value: unknown, prefix = ''): string {
  if (typeof value !== 'object' || value === null) return `${prefix === '' ? '' : `${prefix}=`}${String(value)}`;
  return Object.entries(value)
    .map(([k, x]) => flat(x, prefix === '' ? k : `${prefix}.${k}`))
    .join('  ');
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
