import { PRIORITIES } from '../model/priority.ts';
import { LOG_LEVELS, type Config } from './types.ts';

/** How a setting's text is read: lists are comma-separated in the environment and repeatable as options. */
export type SettingKind = 'text' | 'list' | 'integer' | 'boolean';

/** One row of the settings table: the single source for the loader, `--help`, and docs/operations.md. */
export interface Setting {
  /** The Config field, and the key in the YAML config file. */
  readonly name: keyof Config;
  readonly env: string;
  /** Without the leading `--`. */
  readonly option: string;
  readonly kind: SettingKind;
  readonly default?: string | number | boolean | readonly string[];
  readonly description: string;
}

/** The file named by `--config` / `KMS_DRIFT_CONFIG`: a setting about settings, so it is not itself in the file. */
export const CONFIG_FILE_SETTING = {
  env: 'KMS_DRIFT_CONFIG',
  option: 'config',
  description: 'YAML file of settings (keys are the setting names below, e.g. `queueUrl`, `pollers`)',
} as const;

export const SETTINGS: readonly Setting[] = [
  {
    name: 'queueUrl',
    env: 'KMS_DRIFT_QUEUE_URL',
    option: 'queue-url',
    kind: 'text',
    description: 'SQS queue URL (required unless `lookupPollSeconds` > 0)',
  },
  {
    name: 'states',
    env: 'KMS_DRIFT_STATE',
    option: 'state',
    kind: 'list',
    default: [],
    description: 'Terraform state files, directories or `s3://bucket/key`',
  },
  {
    name: 'rules',
    env: 'KMS_DRIFT_RULES',
    option: 'rules',
    kind: 'list',
    default: [],
    description: 'rule files or directories; empty = the bundled rules',
  },
  {
    name: 'minPriority',
    env: 'KMS_DRIFT_MIN_PRIORITY',
    option: 'min-priority',
    kind: 'text',
    description: `least severe priority logged (${PRIORITIES.join(', ')})`,
  },
  {
    name: 'terraformPrincipals',
    env: 'KMS_DRIFT_TERRAFORM_PRINCIPALS',
    option: 'terraform-principal',
    kind: 'list',
    default: [],
    description: "ARN patterns (with `*`) whose changes are Terraform's own",
  },
  {
    name: 'allowedAccounts',
    env: 'KMS_DRIFT_ALLOWED_ACCOUNTS',
    option: 'allowed-account',
    kind: 'list',
    default: [],
    description:
      "accounts besides the key's own that key policies may grant (not reported in `policy.external_accounts`)",
  },
  {
    name: 'emergencyPrincipals',
    env: 'KMS_DRIFT_EMERGENCY_PRINCIPALS',
    option: 'emergency-principal',
    kind: 'list',
    default: [],
    description:
      'break-glass: ARN patterns (with `*`) whose DisableKey, ScheduleKeyDeletion, RevokeGrant are `authorized_emergency`',
  },
  {
    name: 'recoveryPrincipals',
    env: 'KMS_DRIFT_RECOVERY_PRINCIPALS',
    option: 'recovery-principal',
    kind: 'list',
    default: [],
    description:
      'break-glass: ARN patterns that may undo an emergency action (EnableKey, CancelKeyDeletion); empty = the emergency principals',
  },
  {
    name: 'recoveryWindowDays',
    env: 'KMS_DRIFT_RECOVERY_WINDOW_DAYS',
    option: 'recovery-window-days',
    kind: 'integer',
    default: 7,
    description: 'break-glass: days after an emergency action within which a recovery is expected (1-365)',
  },
  {
    name: 'pollers',
    env: 'KMS_DRIFT_POLLERS',
    option: 'pollers',
    kind: 'integer',
    default: 1,
    description: 'concurrent SQS receive loops (1-64)',
  },
  {
    name: 'concurrency',
    env: 'KMS_DRIFT_CONCURRENCY',
    option: 'concurrency',
    kind: 'integer',
    default: 10,
    description: 'messages each receive loop receives and works on at once (1-10, the SQS maximum per receive)',
  },
  {
    name: 'visibilityTimeoutSeconds',
    env: 'KMS_DRIFT_VISIBILITY_TIMEOUT',
    option: 'visibility-timeout',
    kind: 'integer',
    default: 60,
    description: 'seconds a received message stays invisible; extended while worked on (1-43200)',
  },
  {
    name: 'waitTimeSeconds',
    env: 'KMS_DRIFT_WAIT_TIME',
    option: 'wait-time',
    kind: 'integer',
    default: 20,
    description: 'SQS long-poll wait in seconds (0-20)',
  },
  {
    name: 'shutdownTimeoutMs',
    env: 'KMS_DRIFT_SHUTDOWN_TIMEOUT_MS',
    option: 'shutdown-timeout-ms',
    kind: 'integer',
    default: 20000,
    description: 'on SIGTERM/SIGINT, time in-flight messages get before they are released (ms)',
  },
  {
    name: 'dedupSize',
    env: 'KMS_DRIFT_DEDUP_SIZE',
    option: 'dedup-size',
    kind: 'integer',
    default: 100000,
    description: 'CloudTrail eventIDs remembered to drop duplicates',
  },
  {
    name: 'stateReloadSeconds',
    env: 'KMS_DRIFT_STATE_RELOAD_SECONDS',
    option: 'state-reload-seconds',
    kind: 'integer',
    default: 60,
    description: 'seconds between checks for changed states (file mtime and size, S3 ETag); 0 = never',
  },
  {
    name: 'httpListen',
    env: 'KMS_DRIFT_HTTP_LISTEN',
    option: 'http-listen',
    kind: 'text',
    description: '`host:port` for /metrics, /healthz, /readyz (e.g. `127.0.0.1:9464`); unset = no HTTP server',
  },
  {
    name: 'liveKmsReads',
    env: 'KMS_DRIFT_LIVE_KMS_READS',
    option: 'live-kms-reads',
    kind: 'boolean',
    default: false,
    description: 'read each changed key through the KMS API to compare the attributes its event does not carry',
  },
  {
    name: 'backfillSince',
    env: 'KMS_DRIFT_BACKFILL_SINCE',
    option: 'since',
    kind: 'text',
    description: 'on start, read CloudTrail LookupEvents this far back (`90s`, `30m`, `6h`, `2d`) without a checkpoint',
  },
  {
    name: 'checkpointFile',
    env: 'KMS_DRIFT_CHECKPOINT_FILE',
    option: 'checkpoint-file',
    kind: 'text',
    description: 'file that remembers up to when LookupEvents was read, across restarts',
  },
  {
    name: 'lookupPollSeconds',
    env: 'KMS_DRIFT_LOOKUP_POLL_SECONDS',
    option: 'lookup-poll-seconds',
    kind: 'integer',
    default: 0,
    description: 'read LookupEvents every N seconds (works without a queue); 0 = only the backfill on start',
  },
  {
    name: 'logLevel',
    env: 'KMS_DRIFT_LOG_LEVEL',
    option: 'log-level',
    kind: 'text',
    default: 'info',
    description: `level of the diagnostics on stderr (${LOG_LEVELS.join(', ')}); drift logs are always written`,
  },
  {
    name: 'sharedTable',
    env: 'KMS_DRIFT_SHARED_TABLE',
    option: 'shared-table',
    kind: 'text',
    description:
      'DynamoDB table the replicas share: eventID claims (one log per event across replicas), break-glass history, LookupEvents checkpoint and lease; unset = kept in this process',
  },
  {
    name: 'dedupRetentionHours',
    env: 'KMS_DRIFT_DEDUP_RETENTION_HOURS',
    option: 'dedup-retention-hours',
    kind: 'integer',
    default: 168,
    description: 'with `sharedTable`: hours a logged eventID is remembered to drop its duplicates (1-8760)',
  },
];

/** The configuration table of docs/operations.md, generated so the docs cannot forget a setting. */
export function settingsMarkdownTable(): string {
  const code = (s: string): string => `\`${s}\``;
  const shown = (d: Setting['default']): string =>
    d === undefined ? '—' : Array.isArray(d) ? (d.length === 0 ? '(none)' : d.join(', ')) : code(String(d));
  const rows = [
    '| setting (YAML key) | environment | option | default | meaning |',
    '|---|---|---|---|---|',
    `| — | ${code(CONFIG_FILE_SETTING.env)} | ${code(`--${CONFIG_FILE_SETTING.option}`)} | — | ${CONFIG_FILE_SETTING.description} |`,
    ...SETTINGS.map(
      (s) =>
        `| ${code(s.name)} | ${code(s.env)} | ${code(`--${s.option}`)} | ${shown(s.default)} | ${s.description}${s.kind === 'list' ? ' (repeatable option; comma-separated in the environment; a YAML list in the file)' : ''} |`,
    ),
  ];
  return rows.join('\n');
}
