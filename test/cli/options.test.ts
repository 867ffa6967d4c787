import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, findCommand, type CommandSpec } from '../../src/cli/commands.ts';
import { COMPLIANCE_OPTIONS } from '../../src/cli/compliance-options.ts';
import type { CliOption } from '../../src/cli/options.ts';
import { SETTINGS } from '../../src/config/settings.ts';
import { runCli, ROOT } from '../helpers/cli.ts';
import { startFalcoSink } from '../helpers/falco-sink.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kms-drift-options-'));
const emptyConfig = join(tmp, 'empty.yaml');
writeFileSync(emptyConfig, '{}\n');
// replay with every option posts its alerts (--http-output): to a falcosidekick-like server on loopback.
const sink = await startFalcoSink();
afterAll(sink.stop);

/** A valid value for every option that takes one: what a user would type. */
const SAMPLES: Readonly<Record<string, string>> = {
  config: emptyConfig,
  'queue-url': 'https://sqs.us-west-2.amazonaws.com/111122223333/kms-drift',
  state: 'examples/terraform.tfstate',
  rules: 'rules',
  'min-priority': 'debug',
  'fail-on': 'emergency',
  'terraform-principal': 'arn:aws:iam::111122223333:role/terraform-*',
  'allowed-account': '444455556666',
  'emergency-principal': 'arn:aws:iam::111122223333:role/EmergencyKeyAdmin',
  'recovery-principal': 'arn:aws:sts::111122223333:assumed-role/SecurityRecovery/*',
  'http-listen': '127.0.0.1:0',
  'http-output': sink.url,
  since: '1h',
  'checkpoint-file': join(tmp, 'checkpoint.json'),
  'log-level': 'warn',
  format: 'json',
  event: 'examples/events/ct-tagresource.1.json',
  'liveness-timeout': '300',
  'memory-budget-mb': '64',
  'shared-table': 'kms-drift',
  account: '111122223333',
  region: 'us-west-2',
  'assume-role': 'arn:aws:iam::{account}:role/kms-drift-scan',
  jobs: '2',
};

/** Every option of the command (but `exclude`) with a valid value; integers take the table's default. */
function everyOption(spec: CommandSpec, exclude: readonly string[] = []): string[] {
  return spec.options
    .filter((o) => o.option !== 'help' && !exclude.includes(o.option))
    .flatMap((o: CliOption) => {
      if (o.kind === 'boolean') return [`--${o.option}`];
      const value = SAMPLES[o.option] ?? (o.kind === 'integer' ? String(o.default) : undefined);
      if (value === undefined) throw new Error(`no sample value for --${o.option}: add one to SAMPLES`);
      return [`--${o.option}`, value];
    });
}

const spec = (name: string): CommandSpec => {
  const s = findCommand(name);
  if (s === undefined) throw new Error(name);
  return s;
};

describe('every option of every command parses through the real CLI', () => {
  it('replay: all options at once', async () => {
    const result = await runCli(['replay', ...everyOption(spec('replay')), 'examples/events']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs.length).toBeGreaterThan(0);
  });

  it('run: all options but --local; the only complaint is the missing queue', async () => {
    const args = everyOption(spec('run'), ['local', 'queue-url']);
    const result = await runCli(['run', ...args], '', { KMS_DRIFT_QUEUE_URL: undefined });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').filter((l) => l !== '')).toEqual([
      expect.stringMatching(/^settings CONFIG_INVALID queueUrl: no queue/),
      'kms-drift run: not starting (see `kms-drift run --help`)',
    ]);
  });

  it('scan: all options; it gets as far as the AWS APIs (closed here: exit 4, inputs incomplete)', async () => {
    const result = await runCli(['scan', ...everyOption(spec('scan'))], '', {
      AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9',
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_MAX_ATTEMPTS: '1',
    });
    expect(result.code, result.stderr).toBe(4);
    // The first AWS call asks STS whose credentials these are; nothing answers on port 9.
    expect(result.stderr).toMatch(/kms-drift scan: STS GetCallerIdentity: .*ECONNREFUSED/);
  });

  it('rules explain, rules fields, rules validate, rules test, demo, completion: all options', async () => {
    const explain = await runCli(['rules', 'explain', ...everyOption(spec('rules explain')), 'kms_key_tags_drifted']);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toMatch(/^kms_key_tags_drifted on TagResource/);
    expect((await runCli(['rules', 'fields', ...everyOption(spec('rules fields'))])).stdout).toMatch(/^\| field \|/);
    expect((await runCli(['rules', 'validate', 'rules'])).code).toBe(0);
    expect((await runCli(['rules', 'test', 'rules', 'examples'])).code).toBe(0);
    const demo = await runCli(['demo', ...everyOption(spec('demo'))]);
    expect(demo.code).toBe(0);
    expect(demo.logs.length).toBeGreaterThan(0);
    expect((await runCli(['completion', 'bash'])).stdout).toContain('complete -o filenames -F _kms_drift kms-drift');
  });

  it('run takes every row of the settings table, and each row is in its --help with its variable', async () => {
    const options = new Set(spec('run').options.map((o) => o.option));
    const help = (await runCli(['run', '--help'])).stdout;
    for (const s of SETTINGS) {
      expect(options.has(s.option), s.option).toBe(true);
      expect(help).toMatch(new RegExp(`--${s.option}\\b.*env ${s.env}\\)`));
    }
  });

  it("rules explain's own parser takes the compliance options under the table's names", () => {
    const names = SETTINGS.filter((s) =>
      ['allowedAccounts', 'emergencyPrincipals', 'recoveryPrincipals', 'recoveryWindowDays'].includes(s.name),
    ).map((s) => s.option);
    expect(Object.keys(COMPLIANCE_OPTIONS).sort()).toEqual(names.sort());
  });
});

describe('the documented flags are the real ones', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const commandsSection = readme.slice(readme.indexOf('## Commands'), readme.indexOf('## A complete example'));

  it("each synopsis line of the README's Commands section names a command and only its options", () => {
    const synopses = [...commandsSection.matchAll(/^kms-drift ([a-z]+(?: [a-z]+)?)(.*)$/gm)];
    expect(synopses.length).toBeGreaterThanOrEqual(COMMANDS.length);
    for (const [, words, rest] of synopses) {
      const name = findCommand(words ?? '') !== undefined ? (words ?? '') : ((words ?? '').split(' ')[0] ?? '');
      const command = findCommand(name);
      expect(command, `README names kms-drift ${words}`).toBeDefined();
      const known = new Set(command?.options.map((o) => `--${o.option}`));
      for (const [flag] of (rest ?? '').matchAll(/--[a-z-]+/g)) expect(known.has(flag), `${name} ${flag}`).toBe(true);
    }
    for (const c of COMMANDS) expect(commandsSection, c.name).toContain(`kms-drift ${c.name}`);
  });

  it('every option in docs/operations.md is an option of run or scan (its own section)', () => {
    const ops = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    const known = new Set([...spec('run').options, ...spec('scan').options].map((o) => `--${o.option}`));
    const flags = new Set([...ops.matchAll(/`(--[a-z-]+)`/g)].map((m) => m[1] ?? ''));
    expect(flags.size).toBeGreaterThan(20);
    for (const flag of flags) expect(known.has(flag), flag).toBe(true);
  });

  it("the README's runnable examples run", async () => {
    const lines = [...readme.matchAll(/^npx kms-drift ([^#\n]+?)\s*(?:#.*)?$/gm)].map((m) => m[1] ?? '');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      const result = await runCli(line.split(/\s+/));
      expect(result.code, `${line}\n${result.stderr}`).toBe(0);
      expect(result.logs.length, line).toBeGreaterThan(0);
    }
  });
});
