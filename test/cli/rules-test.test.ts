import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('kms-drift rules test', () => {
  it('runs the test cases shipped with the bundled rules', async () => {
    // The cases live in examples/, next to the events and states they read.
    const result = await runCli(['rules', 'test', 'rules', 'examples']);
    expect(result.code, result.stdout).toBe(0);
    const cases = readdirSync('examples')
      .filter((f) => f.endsWith('.yaml'))
      .reduce((n, f) => n + (readFileSync(`examples/${f}`, 'utf8').match(/^- test:/gm)?.length ?? 0), 0);
    expect(cases).toBeGreaterThanOrEqual(33);
    expect(result.stdout).toMatch(new RegExp(`^${cases} passed, 0 failed$`, 'm'));
  });

  it('a case with wrong settings is refused with its place and the setting', async () => {
    const result = await runCli(['rules', 'test', 'fixtures/own/rules/bad-settings-test.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe(
      "fixtures/own/rules/bad-settings-test.yaml:8:3 LOAD_ERR_YAML_VALIDATE test 'an account id that is not one': settings.allowedAccounts.0: expected a 12-digit AWS account id",
    );
  });

  it('rules validate refuses what rules test refuses (the same checks)', async () => {
    const result = await runCli(['rules', 'validate', 'fixtures/own/rules/bad-settings-test.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe(
      "fixtures/own/rules/bad-settings-test.yaml:8:3 LOAD_ERR_YAML_VALIDATE test 'an account id that is not one': settings.allowedAccounts.0: expected a 12-digit AWS account id",
    );
  });

  it('an event_file or state outside the rules file directory is refused at its place, and nothing is read', async () => {
    const dir = 'fixtures/own/rules';
    const expected = [
      `${dir}/escape-test.yaml:10:15 LOAD_ERR_YAML_VALIDATE test 'reads a file two levels up': event_file '../../../package.json' is outside the rules file's directory (${dir})`,
      `${dir}/escape-test.yaml:16:10 LOAD_ERR_YAML_VALIDATE test 'an absolute state': state '/proc/self/environ' is outside the rules file's directory (${dir})`,
    ];
    for (const cmd of ['test', 'validate']) {
      const result = await runCli(['rules', cmd, `${dir}/escape-test.yaml`]);
      expect(result.code).toBe(1);
      expect(result.stdout.trim().split('\n')).toEqual(expected);
      expect(result.stdout).not.toContain('kms-drift@');
    }
  });

  it('a case whose record never reached the rules fails as not evaluated, whatever it expects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-drift-rules-test-'));
    try {
      // An Insight event is no call: it never becomes an event, whatever the rules read.
      const record = readFileSync(
        'fixtures/envelopes/aws-cloudtrail-user-guide/cloudtrail-log-file-examples.8.json',
        'utf8',
      );
      writeFileSync(join(dir, 'stop.json'), record);
      writeFileSync(
        join(dir, 'rules.yaml'),
        [
          '- rule: stop_logging',
          '  desc: d',
          '  condition: ct.name = StopLogging',
          '  output: o',
          '  priority: error',
          '- test: never evaluated, expected to match',
          '  checks: stop_logging',
          '  event_file: stop.json',
          '  expect: true',
          '- test: never evaluated, expected not to match',
          '  checks: stop_logging',
          '  event_file: stop.json',
          '  expect: false',
          '',
        ].join('\n'),
      );
      const result = await runCli(['rules', 'test', join(dir, 'rules.yaml')]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^FAIL never evaluated, expected to match .*\n {5}not evaluated: .*insight_event/m);
      expect(result.stdout).toMatch(/^FAIL never evaluated, expected not to match .*\n {5}not evaluated: /m);
      expect(result.stdout).toMatch(/^0 passed, 2 failed$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with a readable diff on a wrong case, and exit 1', async () => {
    const result = await runCli(['rules', 'test', 'fixtures/own/rules/wrong-test.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      expect.stringMatching(/^FAIL pins the wrong user \(fixtures\/own\/rules\/wrong-test\.yaml:8:3\)$/),
      '     output differs:',
      '     - expected: disabled arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab by Bob',
      '     + actual:   disabled arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab by Alice',
      expect.stringMatching(/^FAIL expects no match where there is one /),
      expect.stringMatching(/^ {5}expected rule disabled not to match; it did: disabled arn/),
      '0 passed, 2 failed',
      '',
    ]);
  });
});

describe('kms-drift rules explain', () => {
  it('shows which part of the condition was false', async () => {
    const result = await runCli([
      'rules',
      'explain',
      'kms_key_tags_drifted',
      '--event',
      'examples/events/ct-tagresource.1.json',
      '--state',
      'examples/terraform.tfstate',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('kms_key_tags_drifted on TagResource 0a091b9b-0df5-4cf9-b667-6f2879532b8f: no match');
    expect(lines).toContain('    ✗ drift.type = modified');
    expect(lines).toContain('    ✓ evt.name in (TagResource, UntagResource)');
    const match = await runCli([
      'rules',
      'explain',
      'kms_key_tags_drifted',
      '--event',
      'examples/events/ct-untagresource.1.json',
      '--state',
      'examples/terraform.tfstate',
    ]);
    expect(match.stdout.split('\n')[0]).toMatch(/: MATCH$/);
    expect(match.stdout).not.toContain('✗');
  });

  it('says when the event never reached the rules, and fails', async () => {
    const result = await runCli([
      'rules',
      'explain',
      'kms_key_disabled',
      '--event',
      'fixtures/envelopes/aws-cloudtrail-user-guide/cloudtrail-log-file-examples.8.json',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^kms_key_disabled on \S+examples\.8\.json: not evaluated: .*insight_event/);
  });

  it("evaluates any service's record, whatever the rules read", async () => {
    // StopLogging is outside the bundled rules' read set (replay skips it unread); explain shows why no rule fires.
    const result = await runCli([
      'rules',
      'explain',
      'kms_key_disabled',
      '--event',
      'fixtures/cloudtrail/non-kms/stratus-red-team/aws.defense-evasion.cloudtrail-stop.json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^kms_key_disabled on StopLogging \S+: no match/);
    expect(result.stdout).toContain('✗ evt.name = DisableKey');
    expect(result.stdout).toContain('✗ cloud.service = kms');
  });

  it('names an unknown rule', async () => {
    const result = await runCli(['rules', 'explain', 'nope', '--event', 'examples/events/ct-tagresource.1.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no enabled rule named 'nope'/);
  });
});
