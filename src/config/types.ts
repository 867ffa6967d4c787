import type { Priority } from '../model/priority.ts';

/**
 * Every setting of `kms-drift run` (and `scan`), after validation. Sources, most specific first: command-line
 * options, environment variables (KMS_DRIFT_*), the YAML file named by --config / KMS_DRIFT_CONFIG, defaults.
 * AWS endpoints and credentials are not settings of ours: the SDK reads AWS_ENDPOINT_URL(_SQS|_S3|_KMS|_CLOUDTRAIL),
 * AWS_REGION and the standard credential chain.
 */
export interface Config {
  /** SQS queue URL; absent in poll-only (LookupEvents) mode or --local. */
  readonly queueUrl?: string;
  /** Terraform state sources: files, directories, s3://bucket/key. */
  readonly states: readonly string[];
  /** Rule files or directories; empty = bundled rules. */
  readonly rules: readonly string[];
  readonly minPriority?: Priority;
  readonly terraformPrincipals: readonly string[];
  /** Concurrent ReceiveMessage loops (each up to 10 messages per batch). */
  readonly pollers: number;
  /** Messages processed at once across pollers. */
  readonly concurrency: number;
  /** Seconds a received message stays invisible; extended while still being worked on. */
  readonly visibilityTimeoutSeconds: number;
  /** On SIGTERM/SIGINT, in-flight messages get this long to finish before they are released. */
  readonly shutdownTimeoutMs: number;
  /** How many CloudTrail eventIDs are remembered to drop duplicates. */
  readonly dedupSize: number;
  /** Seconds between checks of the state sources for changes (ETag / mtime). 0 = never reload. */
  readonly stateReloadSeconds: number;
  /** host:port for /metrics, /healthz, /readyz; absent = no HTTP server. */
  readonly httpListen?: string;
  /** Confirm drift and fill attributes with live KMS reads. */
  readonly liveKmsReads: boolean;
  /** Catch up with LookupEvents on start, from the checkpoint or this duration back (e.g. "6h"). */
  readonly backfillSince?: string;
  /** File that keeps the LookupEvents checkpoint across restarts. */
  readonly checkpointFile?: string;
  /** Poll LookupEvents every N seconds instead of (or besides) SQS; 0 = off. */
  readonly lookupPollSeconds: number;
  readonly region?: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}
