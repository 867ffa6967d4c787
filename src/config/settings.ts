import { PRIORITIES } from '../model/priority.ts';
import { LOG_LEVELS, type Config } from './types.ts';

/** How a setting's text is read: lists are comma-separated in the environment and repeatable as options. */
export type SettingKind = 'text' | 'list' | 'integer' | 'boolean';

/**
 * One row of the settings table: the single source for the loader, the command-line options of every command that
 * takes the setting (src/cli/options.ts), `--help`, shell completion and docs/operations.md.
 */
export interface Setting {
  /** The Config field, and the key in the YAML config file. */
  readonly name: keyof Config;
  readonly env: string;
  /** Without the leading `--`. */
  readonly option: string;
  readonly kind: SettingKind;
  /** The value's placeholder in `--help` (`--state PATH`); omitted for booleans. Default: N for integers, else VALUE. */
  readonly arg?: string;
  readonly default?: string | number | boolean | readonly string[];
  readonly description: string;
}

/** The file named by `--config` / `KMS_DRIFT_CONFIG`: a setting about settings, so it is not itself in the file. */
export const CONFIG_FILE_SETTING = {
  env: 'KMS_DRIFT_CONFIG',
  option: 'config',
  arg: 'FILE',
  description: 'YAML file of settings (keys are the setting names below, e.g. `queueUrl`, `pollers`)',
} as const;

export const SETTINGS: readonly Setting[] = [
  {
    name: 'queueUrl',
    env: 'KMS_DRIFT_QUEUE_URL',
    option: 'queue-url',
    kind: 'text',
    arg: 'URL',
    description: 'SQS queue URL (required unless `lookupPollSeconds` > 0)',
  },
  {
    name: 'states',
    env: 'KMS_DRIFT_STATE',
    option: 'state',
    kind: 'list',
    arg: 'PATH',
    default: [],
    description: 'Terraform state files, directories or `s3://bucket/key`',
  },
  {
    name: 'rules',
    env: 'KMS_DRIFT_RULES',
    option: 'rules',
    kind: 'list',
    arg: 'PATH',
    default: [],
    description: 'rule files or directories; empty = the bundled rules',
  },
  {
    name: 'minPriority',
    env: 'KMS_DRIFT_MIN_PRIORITY',
    option: 'min-priority',
    kind: 'text',
    arg: 'PRIORITY',
    description: `least severe priority logged (${PRIORITIES.join(', ')})`,
  },
  {
    name: 'terraformPrincipals',
    env: 'KMS_DRIFT_TERRAFORM_PRINCIPALS',
    option: 'terraform-principal',
    kind: 'list',
    arg: 'ARN',
    default: [],
    description: "ARN patterns (with `*`) whose changes are Terraform's own",
  },
  {
    name: 'allowedAccounts',
    env: 'KMS_DRIFT_ALLOWED_ACCOUNTS',
    option: 'allowed-account',
    kind: 'list',
    arg: 'ID',
    default: [],
    description:
      "accounts besides the key's own that key policies may grant (not reported in `policy.external_accounts`)",
  },
  {
    name: 'emergencyPrincipals',
    env: 'KMS_DRIFT_EMERGENCY_PRINCIPALS',
    option: 'emergency-principal',
    kind: 'list',
    arg: 'ARN',
    default: [],
    description:
      'break-glass: ARN patterns (with `*`) whose DisableKey, ScheduleKeyDeletion, RevokeGrant are `authorized_emergency`',
  },
  {
    name: 'recoveryPrincipals',
    env: 'KMS_DRIFT_RECOVERY_PRINCIPALS',
    option: 'recovery-principal',
    kind: 'list',
    arg: 'ARN',
    default: [],
    description:
      'break-glass: ARN patterns that may undo an emergency action (EnableKey, CancelKeyDeletion); empty = the emergency principals',
  },
  {
    name: 'recoveryWindowDays',
    env: 'KMS_DRIFT_RECOVERY_WINDOW_DAYS',
    option: 'recovery-window-days',
    kind: 'integer',
    arg: 'DAYS',
    default: 7,
    description: 'break-glass: days after an emergency action within which a recovery is expected (1-365)',
  },
  {
    name: 'pollers',
    env: 'KMS_DRIFT_POLLERS',
    option: 'pollers',
    kind: 'integer',
    arg: 'N',
    default: 1,
    description: 'concurrent SQS receive loops (1-64)',
  },
  {
    name: 'concurrency',
    env: 'KMS_DRIFT_CONCURRENCY',
    option: 'concurrency',
    kind: 'integer',
    arg: 'N',
    default: 10,
    description: 'messages each receive loop receives and works on at once (1-10, the SQS maximum per receive)',
  },
  {
    name: 'visibilityTimeoutSeconds',
    env: 'KMS_DRIFT_VISIBILITY_TIMEOUT',
    option: 'visibility-timeout',
    kind: 'integer',
    arg: 'SECONDS',
    default: 60,
    description: 'seconds a received message stays invisible; extended while worked on (1-43200)',
  },
  {
    name: 'waitTimeSeconds',
    env: 'KMS_DRIFT_WAIT_TIME',
    option: 'wait-time',
    kind: 'integer',
    arg: 'SECONDS',
    default: 20,
    description: 'SQS long-poll wait in seconds (0-20)',
  },
  {
    name: 'shutdownTimeoutMs',
    env: 'KMS_DRIFT_SHUTDOWN_TIMEOUT_MS',
    option: 'shutdown-timeout-ms',
    kind: 'integer',
    arg: 'MS',
    default: 20000,
    description: 'on SIGTERM/SIGINT, time in-flight messages get before they are released (ms)',
  },
  {
    name: 'dedupSize',
    env: 'KMS_DRIFT_DEDUP_SIZE',
    option: 'dedup-size',
    kind: 'integer',
    arg: 'N',
    default: 100000,
    description: 'CloudTrail eventIDs remembered to drop duplicates',
  },
  {
    name: 'stateReloadSeconds',
    env: 'KMS_DRIFT_STATE_RELOAD_SECONDS',
    option: 'state-reload-seconds',
    kind: 'integer',
    arg: 'SECONDS',
    default: 60,
    description: 'seconds between checks for changed states (file mtime and size, S3 ETag); 0 = never',
  },
  {
    name: 'httpListen',
    env: 'KMS_DRIFT_HTTP_LISTEN',
    option: 'http-listen',
    kind: 'text',
    arg: 'HOST:PORT',
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
    arg: 'DURATION',
    description: 'on start, read CloudTrail LookupEvents this far back (`90s`, `30m`, `6h`, `2d`) without a checkpoint',
  },
  {
    name: 'checkpointFile',
    env: 'KMS_DRIFT_CHECKPOINT_FILE',
    option: 'checkpoint-file',
    kind: 'text',
    arg: 'FILE',
    description: 'file that remembers up to when LookupEvents was read, across restarts',
  },
  {
    name: 'lookupPollSeconds',
    env: 'KMS_DRIFT_LOOKUP_POLL_SECONDS',
    option: 'lookup-poll-seconds',
    kind: 'integer',
    arg: 'SECONDS',
    default: 0,
    description: 'read LookupEvents every N seconds (works without a queue); 0 = only the backfill on start',
  },
  {
    name: 'logLevel',
    env: 'KMS_DRIFT_LOG_LEVEL',
    option: 'log-level',
    kind: 'text',
    arg: 'LEVEL',
    default: 'info',
    description: `level of the diagnostics on stderr (${LOG_LEVELS.join(', ')}); drift logs are always written`,
  },
  {
    name: 'messageTimeoutSeconds',
    env: 'KMS_DRIFT_MESSAGE_TIMEOUT',
    option: 'message-timeout',
    kind: 'integer',
    default: 120,
    description:
      'seconds a message may be worked on; past it the work is abandoned and the message released for redelivery (1-43200)',
  },
  {
    name: 'awsConnectTimeoutMs',
    env: 'KMS_DRIFT_AWS_CONNECT_TIMEOUT_MS',
    option: 'aws-connect-timeout-ms',
    kind: 'integer',
    default: 5000,
    description: 'time an AWS connection may take to open (ms)',
  },
  {
    name: 'awsResponseTimeoutMs',
    env: 'KMS_DRIFT_AWS_RESPONSE_TIMEOUT_MS',
    option: 'aws-response-timeout-ms',
    kind: 'integer',
    default: 30000,
    description:
      'time an AWS call may take to answer (ReceiveMessage: plus the long-poll wait), and the longest a response body may stay silent (ms)',
  },
  {
    name: 'livenessTimeoutSeconds',
    env: 'KMS_DRIFT_LIVENESS_TIMEOUT',
    option: 'liveness-timeout',
    kind: 'integer',
    description:
      '/healthz answers 503 when a receive loop has not turned for this long; unset = the longest a turn can take (see Health and metrics)',
  },
  {
    name: 'memoryBudgetMb',
    env: 'KMS_DRIFT_MEMORY_BUDGET_MB',
    option: 'memory-budget-mb',
    kind: 'integer',
    description:
      "MiB that S3 log files in flight may hold (1-65536); unset = derived from the container's cgroup memory limit at start (see Memory below), else 256",
  },
  {
    name: 'maxLogFileMb',
    env: 'KMS_DRIFT_MAX_LOG_FILE_MB',
    option: 'max-log-file-mb',
    kind: 'integer',
    default: 512,
    description: 'an S3 log file larger than this decompressed is refused (a gzip bomb stops here) (1-4096)',
  },
  {
    name: 's3BodyTimeoutMs',
    env: 'KMS_DRIFT_S3_BODY_TIMEOUT_MS',
    option: 's3-body-timeout-ms',
    kind: 'integer',
    default: 10000,
    description: 'an S3 GetObject whose headers or next body bytes take longer fails its message (ms, 100-600000)',
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
  {
    name: 'httpOutput',
    env: 'KMS_DRIFT_HTTP_OUTPUT',
    option: 'http-output',
    kind: 'text',
    arg: 'URL',
    description:
      "URL every drift log is also POSTed to as a Falco JSON alert (falcosidekick's `/`, any webhook); a message is deleted only once its alerts were acknowledged (2xx); unset = none",
  },
  {
    name: 'httpOutputTimeoutMs',
    env: 'KMS_DRIFT_HTTP_OUTPUT_TIMEOUT_MS',
    option: 'http-output-timeout-ms',
    kind: 'integer',
    arg: 'MS',
    default: 5000,
    description: 'time one POST to `httpOutput` may take to be answered (ms, 100-600000)',
  },
  {
    name: 'httpOutputRetries',
    env: 'KMS_DRIFT_HTTP_OUTPUT_RETRIES',
    option: 'http-output-retries',
    kind: 'integer',
    default: 3,
    description:
      'retries of a POST that failed (a 5xx, 408 or 429 answer, a timeout, a network error), with exponential backoff from 0.5 s (0-10)',
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
