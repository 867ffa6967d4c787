import type { Priority } from '../model/priority.ts';
import type { ComplianceSettings } from '../model/compliance.ts';

/** pino's levels, for the daemon's diagnostics on stderr (drift logs on stdout are written at every level). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every setting of `kms-drift run`, after validation. Sources, most specific first: command-line options, then
 * environment variables (KMS_DRIFT_*), then the YAML file named by --config / KMS_DRIFT_CONFIG, then defaults. AWS endpoints, region and credentials are not settings of
 * ours: the SDK reads AWS_REGION, AWS_ENDPOINT_URL(_SQS|_S3) and the standard credential chain itself.
 */
export interface Config extends ComplianceSettings {
  /** Absent only in poll mode (lookupPollSeconds > 0): CloudTrail LookupEvents instead of SQS. */
  readonly queueUrl?: string;
  /** Terraform state files or directories. */
  readonly states: readonly string[];
  /** Rule files or directories; empty = bundled rules. */
  readonly rules: readonly string[];
  readonly minPriority?: Priority;
  readonly terraformPrincipals: readonly string[];
  /** Concurrent ReceiveMessage loops, each handling up to 10 messages at once. */
  readonly pollers: number;
  /**
   * Messages each receive loop receives and works on at once (1–10). Optional only so that Config objects written
   * before it existed still type-check: loadConfig always sets it (default 10).
   */
  readonly concurrency?: number;
  /** Seconds a received message stays invisible; extended while it is still being worked on. */
  readonly visibilityTimeoutSeconds: number;
  /** Long-poll wait; 20 (the SQS maximum) unless a test needs a faster shutdown. */
  readonly waitTimeSeconds: number;
  /** On SIGTERM/SIGINT, in-flight messages get this long to finish before they are released. */
  readonly shutdownTimeoutMs: number;
  /** How many CloudTrail eventIDs are remembered to drop duplicates. */
  readonly dedupSize: number;
  /** Seconds between checks of the state sources for changes (file mtime and size, S3 ETag); 0 = never. */
  readonly stateReloadSeconds: number;
  /** On start, read CloudTrail LookupEvents this far back (`6h`, `2d`) when there is no checkpoint. */
  readonly backfillSince?: string;
  /** File that remembers up to when LookupEvents was read, across restarts. */
  readonly checkpointFile?: string;
  /** Read LookupEvents every N seconds (0 = only the backfill on start). */
  readonly lookupPollSeconds: number;
  /** Read each changed key through the KMS API to compare the attributes its event does not carry. */
  readonly liveKmsReads: boolean;
  /** host:port for /metrics, /healthz, /readyz; absent = no HTTP server. */
  readonly httpListen?: string;
  /** Level of the diagnostics on stderr. Optional for the same reason as `concurrency`; loadConfig sets it ('info'). */
  readonly logLevel?: LogLevel;
  // The bounds below are optional for the same reason; loadConfig sets the first three (`bounds.ts` has defaults).
  /** Seconds a message may be worked on before it is abandoned and released for redelivery. */
  readonly messageTimeoutSeconds?: number;
  /** Time an AWS connection may take to open. */
  readonly awsConnectTimeoutMs?: number;
  /** Time an AWS call may take to answer (ReceiveMessage: plus the wait), and the longest a body may stay silent. */
  readonly awsResponseTimeoutMs?: number;
  /** /healthz fails when a loop has not turned for this long; absent = derived from the other bounds. */
  readonly livenessTimeoutSeconds?: number;
  /** MiB the S3 log files in flight may hold; absent = derived from the cgroup/heap limit at start. */
  readonly memoryBudgetMb?: number;
  /** Decompressed size past which an S3 log file is refused. Optional like `concurrency`; loadConfig sets it (512). */
  readonly maxLogFileMb?: number;
  /** Time the S3 response headers, and each next piece of its body, may take. loadConfig sets it (10000). */
  readonly s3BodyTimeoutMs?: number;
  /** DynamoDB table every replica shares (claims, break-glass history, LookupEvents checkpoint and lease). */
  readonly sharedTable?: string;
  /** Hours the shared table remembers a logged eventID. Optional like `concurrency`; loadConfig sets it (168). */
  readonly dedupRetentionHours?: number;
  /** URL each drift log is also POSTed to, in Falco's JSON alert format (falcosidekick); absent = none. */
  readonly httpOutput?: string;
  /** Time one POST may take. Optional like `concurrency`; loadConfig sets it (5000). */
  readonly httpOutputTimeoutMs?: number;
  /** Retries of a failed POST. Optional like `concurrency`; loadConfig sets it (3). */
  readonly httpOutputRetries?: number;
}
