import {
  CORE_SETTINGS,
  FAIL_ON,
  FORMAT,
  HELP,
  JOBS,
  runOptions,
  SCAN_OPTIONS,
  settingOption,
  type CliOption,
} from './options.ts';

/** A command as the parser, `--help` and completion see it; main.ts runs it. */
export interface CommandSpec {
  /** `replay`, or `rules validate` for a subcommand. */
  readonly name: string;
  readonly summary: string;
  /** The positional arguments in the synopsis (`INPUT…`); absent = none accepted. */
  readonly args?: string;
  /** How many positional arguments at least (with `args`). */
  readonly minArgs?: number;
  readonly options: readonly CliOption[];
  /** Paragraphs after the option list. */
  readonly details?: readonly string[];
}

const core = (): CliOption[] => CORE_SETTINGS.map((name) => settingOption(name));
const markdown: CliOption = { option: 'markdown', kind: 'boolean', description: 'a Markdown table (docs/fields.md)' };
const event: CliOption = {
  option: 'event',
  kind: 'text',
  arg: 'FILE',
  description: 'the CloudTrail record or envelope to evaluate the rule on (required)',
};

/** Every command, in the order `kms-drift --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'replay',
    summary: 'read CloudTrail records from files or stdin and write a drift log for every rule that matches',
    args: 'INPUT…',
    minArgs: 1,
    options: [
      ...core(),
      settingOption('dedupSize'),
      settingOption('httpOutput'),
      settingOption('httpOutputTimeoutMs'),
      settingOption('httpOutputRetries'),
      JOBS,
      FAIL_ON,
      FORMAT,
      HELP,
    ],
    details: [
      'INPUT: CloudTrail log files (.json or gzipped), EventBridge events, SNS/SQS bodies, single records, JSON Lines of these, LookupEvents output, directories (recursive), or - for stdin.',
      'Duplicate CloudTrail eventIDs (the same file given twice, overlapping exports) are dropped as `run` drops them, and counted as skipped.',
      'With --jobs N above 1 and two files or more, N-1 worker threads read and evaluate files beside the main thread; the drift logs, problems and summary are those of one thread, in input order (duplicates dropped and break-glass events classified in that order).',
      'Without --state every key and alias is in no state, so every event is reported as unmanaged (a warning says so).',
      'With --http-output every drift log is also POSTed as a Falco JSON alert (falcosidekick); an alert still not acknowledged after its retries stops the posting and makes the exit code 5.',
    ],
  },
  {
    name: 'run',
    summary: 'the daemon: long-poll SQS (or CloudTrail LookupEvents), write drift logs, delete each message after',
    options: [...runOptions(), HELP],
    details: [
      'Every option is also a KMS_DRIFT_* environment variable and a key of the --config file; an option beats the environment, which beats the file, which beats the default (docs/operations.md). Drift logs are always JSON.',
    ],
  },
  {
    name: 'scan',
    summary:
      'read every customer managed key, alias and declared grant of each account and Region through the KMS API; report what differs from the states and what they declare that is missing',
    options: [...core(), ...SCAN_OPTIONS, FAIL_ON, FORMAT, HELP],
    details: [
      "The accounts and Regions come from the states (their ARNs) or from --account/--region. Without --assume-role only the credentials' own account is read; with it, each account through the role the template names (`{account}`, `{partition}`).",
      'The AWS SDK finds the default region, endpoint and credentials (AWS_REGION, AWS_PROFILE, …).',
    ],
  },
  {
    name: 'demo',
    summary: 'replay the bundled sample events against the bundled example state',
    options: [FORMAT, HELP],
  },
  {
    name: 'rules validate',
    summary: 'check rule files: every problem of every file as file:line:col CODE message',
    args: 'PATH…',
    minArgs: 1,
    options: [HELP],
  },
  {
    name: 'rules test',
    summary: 'run the `- test:` items of rule files',
    args: 'PATH…',
    minArgs: 1,
    options: [HELP],
  },
  {
    name: 'rules explain',
    summary: 'evaluate one rule on an event and show which part of its condition was false',
    args: 'RULE',
    minArgs: 1,
    options: [
      event,
      settingOption('states'),
      settingOption('rules'),
      ...core().filter((o) =>
        ['allowed-account', 'emergency-principal', 'recovery-principal', 'recovery-window-days'].includes(o.option),
      ),
      HELP,
    ],
  },
  {
    name: 'rules fields',
    summary: 'list the fields a rule can use',
    options: [markdown, HELP],
  },
  {
    name: 'completion',
    summary: 'print a shell completion script: source <(kms-drift completion bash)',
    args: 'bash|zsh',
    minArgs: 1,
    options: [HELP],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The subcommands of `rules`. */
export const RULES_SUBCOMMANDS = COMMANDS.filter((c) => c.name.startsWith('rules ')).map((c) => c.name.slice(6));
