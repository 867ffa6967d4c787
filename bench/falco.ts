// Replay with Falco's own CloudTrail rules (fixtures/falco/aws_cloudtrail_rules.yaml, unchanged) loaded beside the
// bundled ones: every record the rules name (ConsoleLogin, StopLogging, CreateUser, … and the KMS events) is read,
// normalized and evaluated. Measured as the firehose is — `kms-drift replay`'s path, one thread, from the files on
// disk — against its floor in the same run: gunzip + JSON.parse of the same files from memory.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { setupCore } from '../src/cli/setup.ts';
import { replayResults } from '../src/cli/replay-workers.ts';
import { median } from './child.ts';

const ROOT = new URL('../', import.meta.url).pathname;
export const FALCO_RULES = [`${ROOT}rules`, `${ROOT}fixtures/falco/aws_cloudtrail_rules.yaml`];

export interface FalcoFigures {
  readonly records: number;
  readonly events: number;
  readonly drift_logs: number;
  readonly replay_records_per_s: number;
  readonly gunzip_parse_records_per_s: number;
  /** Target ≤ 1.3. */
  readonly replay_time_vs_gunzip_parse: number;
}

/** `dir` holds `files` (the mixed trail), `records` records in all. */
export async function benchFalco(
  dir: string,
  files: readonly string[],
  records: number,
  passes = 3,
): Promise<FalcoFigures> {
  const setupOptions = { states: [], rules: FALCO_RULES, terraformPrincipals: [] };
  const { core, ok, problems } = await setupCore({ ...setupOptions, holdBreakGlass: true });
  if (!ok) throw new Error(`Falco's rules did not load: ${problems.map((p) => p.message).join('; ')}`);
  const gz = files.map((f) => readFileSync(f));
  const floor: number[] = [];
  const replay: number[] = [];
  let events = 0;
  let logs = 0;
  for (let pass = 0; pass < passes; pass++) {
    let t = performance.now();
    let parsed = 0;
    for (const b of gz) parsed += (JSON.parse(gunzipSync(b).toString('utf8')) as { Records: unknown[] }).Records.length;
    floor.push(performance.now() - t);
    if (parsed !== records) throw new Error(`parsed ${parsed} records, expected ${records}`);
    t = performance.now();
    events = 0;
    logs = 0;
    for await (const r of replayResults([dir], { core, jobs: 1, setup: setupOptions })) {
      if ('problem' in r) throw new Error(`${r.source}: ${r.problem.message}`);
      events += r.outcome.events.length;
      logs += r.outcome.logs.length;
    }
    replay.push(performance.now() - t);
  }
  const rate = (ms: number): number => Math.round(records / (ms / 1000));
  return {
    records,
    events,
    drift_logs: logs,
    replay_records_per_s: rate(median(replay)),
    gunzip_parse_records_per_s: rate(median(floor)),
    replay_time_vs_gunzip_parse: +(median(replay) / median(floor)).toFixed(2),
  };
}
