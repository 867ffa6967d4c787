import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MAX_JSON_DEPTH } from '../../src/model/json-depth.ts';
import { runCli, ROOT } from '../helpers/cli.ts';
import { logFileWithDeepPolicy } from '../helpers/hostile.ts';

// Hostile input through the real CLI: a located problem for the bad record, the other records logged, and nothing of
// the input's bytes in any message.
const STATE = 'examples/terraform.tfstate';
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'kms-drift-hostile-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Drift logs without the time they were written. */
function stable(logs: readonly Record<string, unknown>[]): unknown[] {
  return logs.map(({ time: _, ...rest }) => rest);
}

describe('replay: a record nested 8,000 levels among 10 good ones', () => {
  it.each([
    ['a plain log file', false],
    ['a gzipped log file', true],
  ])('%s: the 10 good records are logged, the deep one is a located problem, exit 4 (inputs incomplete)', async (_, gzip) => {
    const text = logFileWithDeepPolicy(8000);
    const file = join(tmp, gzip ? 'deep.json.gz' : 'deep.json');
    writeFileSync(file, gzip ? gzipSync(text) : text);
    const result = await runCli(['replay', '--state', STATE, file]);
    expect(result.code, result.stderr).toBe(4); // inputs incomplete: the deep record was not replayed
    expect(result.stderr).not.toMatch(/RangeError|stack/);
    const at = `Records[5].requestParameters.policy.Statement[0].Condition${'.a'.repeat(MAX_JSON_DEPTH - 3)}`;
    expect(result.stderr).toContain(`${file} ${at} RECORD_DEPTH the policy text nests deeper than 64 levels`);
    expect(result.stderr).toMatch(/events 10 .*problems 1 \(RECORD_DEPTH=1\)/);

    // Exactly what the 10 good records give alone.
    const good = JSON.parse(logFileWithDeepPolicy(1)) as { Records: unknown[] };
    good.Records.splice(5, 1);
    const alone = join(tmp, 'good.json');
    writeFileSync(alone, JSON.stringify(good));
    const expected = await runCli(['replay', '--state', STATE, alone]);
    expect(result.logs.length).toBeGreaterThan(0);
    expect(stable(result.logs)).toEqual(stable(expected.logs));
  });

  it('a raw field nested 100,000 levels (arrays) is a located problem too', async () => {
    const record = readFileSync(`${ROOT}examples/events/ct-disable-key-rotation.1.json`, 'utf8').replace(
      '"eventVersion"',
      `"additionalEventData": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "eventVersion"`,
    );
    const file = join(tmp, 'deep-array.json');
    writeFileSync(file, record);
    const result = await runCli(['replay', '--state', STATE, file]);
    expect(result.code, result.stderr).toBe(4); // inputs incomplete
    expect(result.stderr).toContain(`${file} additionalEventData${'[0]'.repeat(MAX_JSON_DEPTH - 1)} RECORD_DEPTH`);
  });
});

describe('a state whose key policy nests 8,000 levels', () => {
  it('is a located STATE_SHAPE problem, not a stack overflow', async () => {
    const state = JSON.parse(readFileSync(`${ROOT}${STATE}`, 'utf8')) as {
      resources: { type: string; instances: { attributes: Record<string, unknown> }[] }[];
    };
    const key = state.resources.findIndex((r) => r.type === 'aws_kms_key');
    const attributes = state.resources[key]?.instances[0]?.attributes ?? {};
    attributes['policy'] = 'POLICY';
    const deep = `{"Statement":[{"Effect":"Allow","Condition":${'{"a":'.repeat(8000)}1${'}'.repeat(8000)}}]}`;
    const file = join(tmp, 'deep.tfstate');
    writeFileSync(
      file,
      JSON.stringify(state).replace('"POLICY"', () => JSON.stringify(deep)),
    );
    const result = await runCli(['replay', '--state', file, 'examples/events/']);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/RangeError/);
    expect(result.stderr).toContain(
      `${file} resources[${key}].instances[0].attributes.policy.Statement[0].Condition${'.a'.repeat(MAX_JSON_DEPTH - 3)} STATE_SHAPE`,
    );
  });
});

describe('replay: JSON errors at the failing character, without the input', () => {
  it('a state with a trailing comma is STATE_JSON at 3:1, not at the end of the file', async () => {
    const state = join(tmp, 'comma.tfstate');
    writeFileSync(state, '{"version": 4,\n  "resources": [],\n}\n\n');
    const result = await runCli(['replay', '--state', state, 'examples/events/']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${state}:3:1 STATE_JSON the state is not valid JSON: expected a property name in double quotes at line 3, column 1`,
    );
  });

  it('an input record with a trailing comma on line 31 is INPUT_JSON at the brace after it, 32:5', async () => {
    const lines = JSON.stringify(
      JSON.parse(readFileSync(`${ROOT}examples/events/ct-put-key-policy.1.json`, 'utf8')),
      null,
      2,
    ).split('\n');
    const at = lines.findIndex((l) => l.includes('"ARN"'));
    expect(at + 1).toBe(31);
    lines[at] += ',';
    const file = join(tmp, 'comma.json');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await runCli(['replay', '--state', STATE, file]);
    expect(result.stderr).toContain(
      `${file}:32:5 INPUT_JSON not valid JSON: expected a property name in double quotes`,
    );
  });

  it.each([
    ['a state', (f: string) => ['replay', '--state', f, 'examples/events/']],
    ['an input', (f: string) => ['replay', '--state', STATE, f]],
    ['a JSON Lines line', (f: string) => ['replay', '--state', STATE, f]],
    ['an SNS message in an input', (f: string) => ['replay', '--state', STATE, f]],
    ['the event of rules explain', (f: string) => ['rules', 'explain', 'kms_key_rotation_disabled', '--event', f]],
  ])('%s that is not JSON: the place, never the bytes around it', async (what, args) => {
    const secret = '{"DB_PASSWORD": hunter2-s3cret}';
    const text =
      what === 'a JSON Lines line'
        ? `${readFileSync(`${ROOT}examples/events/ct-disable-key-rotation.1.json`, 'utf8').replace(/\n\s*/g, '')}\n${secret}\n`
        : what === 'an SNS message in an input'
          ? JSON.stringify({ Type: 'Notification', Message: secret })
          : secret;
    const file = join(tmp, 'secret.json');
    writeFileSync(file, text);
    const result = await runCli(args(file));
    expect(result.stderr).toMatch(/line \d+, column \d+|:\d+:\d+[: ]/);
    expect(result.stderr).not.toMatch(/hunter2|DB_PASSWORD|s3cret/);
  });
});
