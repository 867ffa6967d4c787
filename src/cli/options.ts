import { CONFIG_FILE_SETTING, SETTINGS, type Setting, type SettingKind } from '../config/settings.ts';
import type { Config } from '../config/types.ts';
import { PRIORITIES } from '../model/priority.ts';
import { UsageError } from './parse.ts';

/** One command-line option as the parser, `--help` and shell completion see it. */
export interface CliOption {
  /** Without the leading `--`. */
  readonly option: string;
  /** One letter, without the `-`. */
  readonly short?: string;
  readonly kind: SettingKind;
  /** The value's placeholder in help (`PATH`); absent for booleans. */
  readonly arg?: string;
  readonly description: string;
  readonly default?: Setting['default'];
  /** The environment variable, where the command reads one (only `run` does). */
  readonly env?: string;
  /** The only values accepted, offered by shell completion. */
  readonly choices?: readonly string[];
}

/** Falco's priorities as typed on the command line (case-insensitive; `info` is Informational). */
const PRIORITY_CHOICES = [...PRIORITIES.map((p) => p.toLowerCase()), 'info'];

/** A row of the settings table as an option; `withEnv` for `run`, the one command that also reads the environment. */
export function settingOption(name: keyof Config, withEnv = false): CliOption {
  const s = SETTINGS.find((row) => row.name === name);
  if (s === undefined) throw new Error(`no setting ${name} in src/config/settings.ts`);
  return fromRow(s, withEnv);
}

function fromRow(s: Setting, withEnv: boolean): CliOption {
  return {
    option: s.option,
    kind: s.kind,
    description: s.description,
    ...(s.kind === 'boolean' ? {} : { arg: s.arg ?? (s.kind === 'integer' ? 'N' : 'VALUE') }),
    ...(s.default === undefined ? {} : { default: s.default }),
    ...(withEnv ? { env: s.env } : {}),
    ...(s.name === 'minPriority' ? { choices: PRIORITY_CHOICES } : {}),
  };
}

/** Every setting of the daemon, in table order: `run` takes them all, as options and as KMS_DRIFT_* variables. */
export function runOptions(): CliOption[] {
  return [
    {
      option: CONFIG_FILE_SETTING.option,
      kind: 'text',
      arg: CONFIG_FILE_SETTING.arg,
      description: CONFIG_FILE_SETTING.description,
      env: CONFIG_FILE_SETTING.env,
    },
    ...SETTINGS.map((s) => fromRow(s, true)),
    LOCAL,
  ];
}

/** The settings every command that builds a core shares with `run` (same names, same validation). */
export const CORE_SETTINGS = [
  'states',
  'rules',
  'minPriority',
  'terraformPrincipals',
  'allowedAccounts',
  'emergencyPrincipals',
  'recoveryPrincipals',
  'recoveryWindowDays',
] as const satisfies readonly (keyof Config)[];

export type CoreSettingName = (typeof CORE_SETTINGS)[number];

export const FAIL_ON: CliOption = {
  option: 'fail-on',
  kind: 'text',
  arg: 'PRIORITY',
  description: 'exit 3 when a drift log at this priority or above was written',
  choices: PRIORITY_CHOICES,
};

export const OUTPUT_FORMATS = ['text', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const FORMAT: CliOption = {
  option: 'format',
  kind: 'text',
  arg: 'FORMAT',
  description:
    'text: one readable line per drift log and a summary table; json: one JSON drift log a line (the contract). Default: text when stdout is a terminal, else json',
  choices: OUTPUT_FORMATS,
};

export const JOBS: CliOption = {
  option: 'jobs',
  kind: 'integer',
  arg: 'N',
  description:
    'threads that read and evaluate files at once, the main one included (1-256); the output is the same as with 1. Default: the cores the process may use (CPU affinity and the cgroup quota)',
};

/** `--jobs`: undefined when not given (replay then uses every core it may). */
export function jobsOf(value: string | boolean | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const jobs = typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) {
    throw new UsageError(`--jobs: expected a whole number from 1 to 256, got '${String(value)}'`);
  }
  return jobs;
}

export const LOCAL: CliOption = {
  option: 'local',
  kind: 'boolean',
  description:
    'an SQS/S3 emulator (fauxqs, a devDependency) on loopback with the bundled sample events, and the daemon on it',
};

export const HELP: CliOption = { option: 'help', short: 'h', kind: 'boolean', description: 'this help' };

/** `scan`'s own options: where to read (besides the states' ARNs), as whom, how many at once. */
export const SCAN_OPTIONS: readonly CliOption[] = [
  { option: 'account', kind: 'list', arg: 'ID', description: 'an account to read (12 digits); repeatable' },
  { option: 'region', kind: 'list', arg: 'REGION', description: 'a Region to read in every account; repeatable' },
  {
    option: 'assume-role',
    kind: 'text',
    arg: 'ARN-TEMPLATE',
    description: 'the role assumed in each account, e.g. arn:aws:iam::{account}:role/kms-drift-scan',
  },
  {
    option: 'concurrency',
    kind: 'integer',
    arg: 'N',
    default: 4,
    description: 'account-Regions read at once (1-64); each within the KMS request quotas (adaptive retry)',
  },
];
