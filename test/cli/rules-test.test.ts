import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('kms-drift rules test', () => {
  it('runs the test cases shipped with the bundled rules', async () => {
    const result = await runCli(['rules', 'test', 'rules']);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^8 passed, 0 failed$/m);
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
