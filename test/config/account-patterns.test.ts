// Account ids and principal patterns in the settings. An AWS account id is exactly 12 digits (AWS's "Your AWS account
// ID"); an IAM or STS ARN names one in its fifth field, with no Region (`arn:aws:iam::111122223333:role/x`). A value
// that is not one can match nobody, so it would silently switch an allowlist or break-glass off: README says it is
// refused as a configuration error (exit 2), with the setting and where the value came from.
import { describe, expect, it } from 'vitest';
import { loadConfig, type LoadResult, type Options } from '../../src/config/load.ts';
import { formatProblem } from '../../src/model/problem.ts';
import { runCli } from '../helpers/cli.ts';

const QUEUE = 'https://sqs.us-west-2.amazonaws.com/111122223333/kms-drift';
const EVENT = 'examples/events/ct-disable-key-rotation.1.json';

function load(options: Options, env: Record<string, string> = {}, files: Record<string, string> = {}): LoadResult {
  return loadConfig({
    options,
    env: { KMS_DRIFT_QUEUE_URL: QUEUE, ...env },
    readFile: (p) => {
      const text = files[p];
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${p}'`);
      return text;
    },
  });
}
const problems = (r: LoadResult): string[] => (r.ok ? [] : r.problems.map(formatProblem));

const ACCOUNT_ERROR = 'expected a 12-digit AWS account id';
const PATTERN_ERROR =
  'expected an IAM or STS ARN pattern like arn:aws:iam::111122223333:role/name-* (`*` matches any text)';

describe('allowedAccounts: 12 digits, no more, no fewer', () => {
  it.each(['1111222233334', '11112222333', '111122223333x', '111122223333 444455556666', 'x111122223333'])(
    '%s is refused, naming the option and the value',
    (account) => {
      expect(problems(load({ 'allowed-account': [account] }))).toEqual([
        `--allowed-account CONFIG_INVALID allowedAccounts[0]: ${ACCOUNT_ERROR}, got "${account}"`,
      ]);
    },
  );

  it('13 digits from the environment is refused with the variable named', () => {
    expect(problems(load({}, { KMS_DRIFT_ALLOWED_ACCOUNTS: '444455556666,1111222233334' }))).toEqual([
      `env KMS_DRIFT_ALLOWED_ACCOUNTS CONFIG_INVALID allowedAccounts[1]: ${ACCOUNT_ERROR}, got "1111222233334"`,
    ]);
  });

  it('13 digits in the YAML file (a number there) is refused at its place', () => {
    const file = { 'c.yaml': 'allowedAccounts: [444455556666, 1111222233334]\n' };
    expect(problems(load({}, { KMS_DRIFT_CONFIG: 'c.yaml' }, file))).toEqual([
      `c.yaml:1:33 CONFIG_INVALID allowedAccounts[1]: ${ACCOUNT_ERROR}, got 1111222233334`,
    ]);
  });

  it('12 digits is accepted', () => {
    expect(load({ 'allowed-account': ['111122223333'] })).toMatchObject({
      ok: true,
      config: { allowedAccounts: ['111122223333'] },
    });
  });

  it('replay --allowed-account 1111222233334: usage error, exit 2, nothing replayed', async () => {
    const result = await runCli(['replay', '--allowed-account', '1111222233334', EVENT]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--allowed-account: expected a 12-digit AWS account id, got '1111222233334'/);
  });
});

describe('principal patterns: an IAM or STS ARN whose account is 12 digits or has a `*`', () => {
  const SETTINGS = [
    ['terraform-principal', 'terraformPrincipals'],
    ['emergency-principal', 'emergencyPrincipals'],
    ['recovery-principal', 'recoveryPrincipals'],
  ] as const;

  it.each([
    'arn:aws:iam:::role/x', // no account at all
    'arn:aws:sts:::assumed-role/terraform/session',
    'arn:aws:iam::11112222333:role/x', // 11 digits
    'arn:aws:iam::1:root',
    'arn:aws:iam::1111222233334:role/x', // 13 digits
  ])('%s is refused for every principal setting', (pattern) => {
    for (const [option, setting] of SETTINGS) {
      expect(problems(load({ [option]: [pattern] })), option).toEqual([
        `--${option} CONFIG_INVALID ${setting}[0]: ${PATTERN_ERROR}, got "${pattern}"`,
      ]);
    }
  });

  it.each([
    'arn:aws:iam::111122223333:role/terraform-*',
    'arn:aws:sts::111122223333:assumed-role/SecurityRecovery/*',
    'arn:aws:iam::*:role/terraform',
    'arn:aws:iam::1111*:role/terraform',
    'arn:aws-us-gov:iam::111122223333:user/Alice',
  ])('%s is accepted', (pattern) => {
    for (const [option, setting] of SETTINGS) {
      expect(load({ [option]: [pattern] }), option).toMatchObject({ ok: true, config: { [setting]: [pattern] } });
    }
  });

  it('in the YAML file, refused at its place', () => {
    const file = { 'c.yaml': 'terraformPrincipals:\n  - "arn:aws:iam:::role/x"\n' };
    expect(problems(load({}, { KMS_DRIFT_CONFIG: 'c.yaml' }, file))).toEqual([
      `c.yaml:2:5 CONFIG_INVALID terraformPrincipals[0]: ${PATTERN_ERROR}, got "arn:aws:iam:::role/x"`,
    ]);
  });

  it.each(['arn:aws:iam:::role/x', 'arn:aws:iam::11112222333:role/x'])(
    'replay --terraform-principal %s: usage error, exit 2, nothing replayed',
    async (pattern) => {
      const result = await runCli(['replay', '--terraform-principal', pattern, EVENT]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`--terraform-principal: ${PATTERN_ERROR}, got '${pattern}'`);
    },
  );
});
