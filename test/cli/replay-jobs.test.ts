import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/model/json.ts';
import { Readable } from 'node:stream';
import { breakGlassInOrder } from '../../src/cli/replay-breakglass.ts';
import { replayResults, type ReplayResult } from '../../src/cli/replay-workers.ts';
import { setupCore, type SetupOptions } from '../../src/cli/setup.ts';
import { call, core, DAY, EMERGENCY_ROLE, MINUTE, RECOVERY_ROLE, T0 } from '../breakglass/records.ts';
import { runCli, ROOT, type CliResult } from '../helpers/cli.ts';

// `replay --jobs N` must write what one thread writes, byte for byte but pino's `time`: the same drift logs in the
// same order, the same problems, the same summary and exit code, whichever files the workers evaluated.

const BREAK_GLASS = [
  '--state',
  'examples/terraform.tfstate',
  '--emergency-principal',
  EMERGENCY_ROLE,
  '--recovery-principal',
  RECOVERY_ROLE,
  '--recovery-window-days',
  '7',
];

/** stdout without pino's `time`, and stderr: what must be equal for every job count. */
function comparable(r: CliResult): { code: number | null; stdout: string; stderr: string } {
  return { code: r.code, stdout: r.stdout.replace(/"time":"[^"]*",/g, ''), stderr: r.stderr };
}

async function everyJobCount(args: readonly string[], stdin?: string): Promise<CliResult> {
  const [one, ...others] = await Promise.all(
    ['1', '2', '4'].map((jobs) => runCli(['replay', '--jobs', jobs, ...args], stdin)),
  );
  if (one === undefined) throw new Error('no run');
  for (const other of others) expect(comparable(other)).toEqual(comparable(one));
  return one;
}

const STRATUS = `${ROOT}fixtures/cloudtrail/non-kms/stratus-red-team`;
const otherService = readdirSync(STRATUS).flatMap((f) => {
  const v = JSON.parse(readFileSync(join(STRATUS, f), 'utf8')) as JsonObject | JsonObject[];
  return Array.isArray(v) ? v : Array.isArray(v['Records']) ? (v['Records'] as JsonObject[]) : [v];
});

/**
 * 30 log files (some gzipped), besides records of other services: break-glass pairs whose events are in different
 * files (an emergency DisableKey and the recovery, a late emergency that re-classifies an EnableKey read earlier, an
 * unauthorized recovery), drift events, the same eventIDs in several files, a corrupt file and a JSON Lines file.
 */
function generatedFiles(): JsonObject[][] {
  const files: JsonObject[][] = Array.from({ length: 30 }, (_, i) =>
    Array.from({ length: 40 }, (_, j) => ({ ...otherService[(i * 40 + j) % otherService.length] })),
  );
  const put = (file: number, record: JsonObject): void => {
    files[file]?.splice(7 + ((file * 13) % 30), 0, record);
  };
  const rotation = call('ct-disable-key-rotation.1.json', null, T0 - DAY, 'rotation-1');
  put(2, call('ct-disablekey.1.json', EMERGENCY_ROLE, T0, 'emergency-1'));
  put(3, rotation);
  put(14, call('ct-enablekey.1.json', RECOVERY_ROLE, T0 + 2 * 60 * MINUTE, 'recovery-1'));
  put(21, rotation); // a duplicate, read by another worker than the first copy
  put(9, call('ct-enablekey.1.json', RECOVERY_ROLE, T0 + 20 * DAY, 'recovery-late'));
  put(25, call('ct-disablekey.1.json', EMERGENCY_ROLE, T0 + 19 * DAY, 'emergency-late')); // re-classifies recovery-late
  put(12, call('ct-disablekey.1.json', EMERGENCY_ROLE, T0 + 30 * DAY, 'emergency-2'));
  put(18, call('ct-enablekey.1.json', null, T0 + 30 * DAY + MINUTE, 'unauthorized-1'));
  put(27, call('ct-disablekey.1.json', EMERGENCY_ROLE, T0, 'emergency-1')); // a duplicate break-glass event
  put(11, call('ct-put-key-policy.1.json', null, T0 + 3 * DAY, 'policy-1'));
  put(16, call('ct-tagresource.1.json', null, T0 + 4 * DAY, 'tag-1'));
  put(16, call('ct-tagresource.1.json', null, T0 + 4 * DAY, 'tag-1')); // twice in one file: both stand
  return files;
}

function generatedInputs(): { dir: string; stdin: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kms-drift-jobs-'));
  const files = generatedFiles();
  const rotation = files[3]?.find((r) => r['eventID'] === 'rotation-1') ?? {};
  files.forEach((records, i) => {
    const name = join(dir, `${String(i).padStart(3, '0')}.json${i % 3 === 0 ? '.gz' : ''}`);
    const text = JSON.stringify({ Records: records });
    if (i === 7)
      writeFileSync(name, text.slice(0, text.length / 2)); // truncated: INPUT_JSON with its place
    else if (i === 19)
      writeFileSync(name, records.map((r) => JSON.stringify(r)).join('\n')); // JSON Lines
    else writeFileSync(name, i % 3 === 0 ? gzipSync(text) : text);
  });
  // stdin, read between the directory and another file: a duplicate of an event the directory carried, and a new one.
  const stdin = JSON.stringify({
    Records: [rotation, call('ct-enablekeyrotation.1.json', null, T0 + 50 * DAY, 'stdin-1')],
  });
  return { dir, stdin };
}

describe('replay --jobs N writes what one thread writes', () => {
  it('break-glass held by the core and classified in input order logs what the core classifying itself logs', () => {
    const inProcess = core();
    const held = core(undefined, true);
    const inOrder = breakGlassInOrder(held);
    let classified = 0;
    for (const records of generatedFiles()) {
      const payload = { Records: records };
      const outcome = held.processPayload(payload);
      classified += outcome.held.length;
      expect(inOrder(outcome).logs).toEqual(inProcess.processPayload(payload).logs);
    }
    expect(classified).toBe(7);
  });

  it('on the fixtures (every log file, envelope, state and corrupt input in fixtures/)', async () => {
    const one = await everyJobCount(['--format', 'json', ...BREAK_GLASS, 'fixtures/']);
    expect(one.code).toBe(4); // fixtures/ holds deliberately corrupt inputs
    expect(one.logs.length).toBeGreaterThan(20);
  }, 60_000);

  it('on generated files: duplicates across files dropped, break-glass pairs split across files classified in order', async () => {
    const { dir, stdin } = generatedInputs();
    const args = [
      ...BREAK_GLASS,
      dir,
      '-',
      'examples/events/ct-disable-key-rotation.1.json',
      join(dir, 'missing.json'),
    ];
    const one = await everyJobCount(['--format', 'json', ...args], stdin);
    expect(one.code).toBe(4);
    const status = (id: string): unknown =>
      one.logs
        .filter((l) => l['event_id'] === id && l['reclassified'] === undefined)
        .map((l) => (l['emergency'] as { status?: string } | undefined)?.status);
    expect(status('emergency-1')).toContain('authorized_emergency');
    expect(status('recovery-1')).toContain('recovery');
    expect(status('unauthorized-1')).toContain('unauthorized_recovery');
    // The late emergency re-classifies the EnableKey read 16 files before it.
    expect(one.logs.some((l) => l['event_id'] === 'recovery-late' && l['reclassified'] !== undefined)).toBe(true);
    // Each event is logged once however many files carry it; within one file both copies stand.
    expect(
      one.logs.filter((l) => l['event_id'] === 'rotation-1' && l['rule'] === 'kms_key_rotation_disabled'),
    ).toHaveLength(1);
    expect(one.logs.filter((l) => l['event_id'] === 'tag-1').length % 2).toBe(0);
    expect(one.stderr).toMatch(/duplicate=3\b/);
    expect(one.stderr).toMatch(/007\.json:1:\d+ INPUT_JSON/);
    expect(one.stderr).toMatch(/missing\.json/);
    // --format text: the same lines and the same summary table.
    await everyJobCount(['--format', 'text', ...args], stdin);
  }, 60_000);

  it('outcomes the workers evaluate every file of equal those of the main thread alone, in the same order', async () => {
    const { dir, stdin } = generatedInputs();
    const setup: SetupOptions = {
      states: ['examples/terraform.tfstate'],
      rules: [],
      terraformPrincipals: [],
      emergencyPrincipals: [EMERGENCY_ROLE],
      recoveryPrincipals: [RECOVERY_ROLE],
    };
    const { core } = await setupCore({ ...setup, holdBreakGlass: true });
    const inputs = [dir, '-', join(dir, 'missing.json'), 'examples/events/'];
    const run = async (jobs: number, mainEvaluates: boolean): Promise<ReplayResult[]> => {
      const out: ReplayResult[] = [];
      const sources = { core, jobs, setup, stdin: Readable.from([stdin]), mainEvaluates };
      for await (const r of replayResults(inputs, sources)) out.push(r);
      return out;
    };
    const alone = await run(1, true);
    expect(alone.filter((r) => 'outcome' in r && r.outcome.held.length > 0).length).toBeGreaterThanOrEqual(7);
    expect(await run(3, false)).toEqual(alone);
    expect(await run(2, true)).toEqual(alone);
  }, 60_000);

  it('a worker that cannot load the states stops the replay with the reason: never a gap in the output', async () => {
    const { dir } = generatedInputs();
    const setup: SetupOptions = { states: [join(dir, 'gone.tfstate')], rules: [], terraformPrincipals: [] };
    const { core } = await setupCore({ states: [], rules: [], terraformPrincipals: [] });
    const results = async (): Promise<number> => {
      let n = 0;
      for await (const _ of replayResults([dir], { core, jobs: 2, setup, mainEvaluates: false })) n++;
      return n;
    };
    await expect(results()).rejects.toThrow(/replay worker: .*gone\.tfstate/);
  });

  it('a reader that stops early (| head) ends the replay quietly, workers and all', async () => {
    const { dir } = generatedInputs();
    const many = Array.from({ length: 20 }, () => dir); // the same files again: the output outlasts the pipe
    const child = spawn(
      process.execPath,
      [`${ROOT}bin/kms-drift.js`, 'replay', '--jobs', '2', ...BREAK_GLASS, ...many],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/Error|at .*\.ts:\d+/);
    expect(code).toBe(0);
  }, 60_000);

  it('--jobs takes a whole number from 1 to 256', async () => {
    const r = await runCli(['replay', '--jobs', '0', 'examples/events']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--jobs: expected a whole number from 1 to 256, got '0'/);
  });
});
