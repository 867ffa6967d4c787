import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodesMarkdownTable } from '../../src/cli/exit-codes.ts';
import { runCli, ROOT } from '../helpers/cli.ts';

const STATE = 'examples/terraform.tfstate';
const ROTATION = 'examples/events/ct-disable-key-rotation.1.json';
const DELETION = 'fixtures/cloudtrail/aws-kms-developer-guide/ct-schedule-key-deletion.3.json';

describe('exit codes CI can trust', () => {
  it('the README carries the one exit-code table', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(exitCodesMarkdownTable());
  });

  it('a missing input is exit 4 even with --fail-on, when nothing reached it', async () => {
    const result = await runCli(['replay', '--state', STATE, '--fail-on', 'critical', '/nonexistent.json']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^\/nonexistent\.json INPUT_READ ENOENT/m);
    expect(result.stderr).toMatch(/inputs incomplete/);
  });

  it('a directory of junk is exit 4, each file named; good inputs beside it are still replayed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-drift-junk-'));
    writeFileSync(join(dir, 'a.json'), 'not json at all');
    writeFileSync(join(dir, 'b.json.gz'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]));
    const result = await runCli(['replay', '--state', STATE, dir, ROTATION]);
    expect(result.code).toBe(4);
    // 'n' may start null: the parse fails at the 'o' (V8 stops there too).
    expect(result.stderr).toMatch(/a\.json:1:2 INPUT_JSON/);
    expect(result.stderr).toMatch(/b\.json\.gz INPUT_GZIP/);
    expect(result.logs.map((l) => l['rule'])).toContain('kms_key_rotation_disabled');
  });

  it('--fail-on reached wins over incomplete inputs: 3', async () => {
    const result = await runCli(['replay', '--state', STATE, '--fail-on', 'critical', DELETION, '/nonexistent.json']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/inputs incomplete/);
  });

  it('a clean replay is 0 and says nothing about incompleteness', async () => {
    const result = await runCli(['replay', '--state', STATE, ROTATION]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/incomplete|warning/);
  });

  it('without --state: a warning that everything will be unmanaged', async () => {
    const result = await runCli(['replay', ROTATION]);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')[0]).toBe(
      'kms-drift replay: warning: no --state, so every key and alias is unmanaged and reported as such',
    );
    expect(result.logs.every((l) => l['drift_type'] === 'unmanaged')).toBe(true);
  });

  it('replay drops duplicate eventIDs as run does: the same directory twice logs each event once', async () => {
    const once = await runCli(['replay', '--state', STATE, 'examples/events']);
    const twice = await runCli(['replay', '--state', STATE, 'examples/events', 'examples/events']);
    expect(twice.code).toBe(0);
    expect(twice.logs.map((l) => [l['rule'], l['event_id']])).toEqual(once.logs.map((l) => [l['rule'], l['event_id']]));
    const events = /events (\d+)/.exec(once.stderr)?.[1];
    expect(twice.stderr).toMatch(new RegExp(`events ${events} .*skipped ${events} \\(duplicate=${events}\\)`));
  });

  it('malformed principal patterns are configuration errors, as options and in the environment', async () => {
    const option = await runCli(['replay', '--emergency-principal', 'notanarn', ROTATION]);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(
      /^kms-drift replay: --emergency-principal: expected an IAM or STS ARN pattern.*, got 'notanarn'/,
    );
    const env = await runCli(['run'], '', {
      KMS_DRIFT_QUEUE_URL: 'https://sqs.us-west-2.amazonaws.com/111122223333/q',
      KMS_DRIFT_TERRAFORM_PRINCIPALS: 'arn:aws:iam::111122223333:role/ci-*,terraform',
    });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(
      /env KMS_DRIFT_TERRAFORM_PRINCIPALS CONFIG_INVALID terraformPrincipals\[1\]: expected an IAM or STS ARN pattern/,
    );
  });
});
