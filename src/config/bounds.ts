import type { Config } from './types.ts';

/** Attempts the AWS SDK makes per call (its default, set explicitly on the clients so these bounds hold). */
export const AWS_MAX_ATTEMPTS = 3;
/** The longest wait between two failed receives (the consumer's backoff cap). */
const MAX_BACKOFF_MS = 20_000;
/** Slack on top of the computed worst case, so a loop that is merely busy is never called stuck. */
const MARGIN_MS = 10_000;

/** Every time bound of the daemon, in milliseconds, with the defaults of settings.ts for a Config that lacks them. */
export interface Bounds {
  readonly messageTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  /** One ReceiveMessage attempt: the long-poll wait plus the response timeout. */
  readonly receiveTimeoutMs: number;
  /** The longest an SQS receive loop can go between two turns when nothing is wrong; /healthz and /readyz use it. */
  readonly sqsLoopMs: number;
  /** The same for the LookupEvents loop (poll mode). */
  readonly lookupLoopMs: number;
}

export function daemonBounds(config: Config): Bounds {
  const messageTimeoutMs = (config.messageTimeoutSeconds ?? 120) * 1000;
  const connectTimeoutMs = config.awsConnectTimeoutMs ?? 5000;
  const responseTimeoutMs = config.awsResponseTimeoutMs ?? 30_000;
  const receiveTimeoutMs = config.waitTimeSeconds * 1000 + responseTimeoutMs;
  const callMs = (attemptMs: number): number => AWS_MAX_ATTEMPTS * (connectTimeoutMs + attemptMs);
  const liveness = config.livenessTimeoutSeconds === undefined ? undefined : config.livenessTimeoutSeconds * 1000;
  // A loop turns at every receive, failed or not; between two it waits for a free slot (at most until a message
  // times out) or backs off after a failure and then receives (every attempt of the call bounded).
  const sqsLoopMs = liveness ?? Math.max(messageTimeoutMs, MAX_BACKOFF_MS + callMs(receiveTimeoutMs)) + MARGIN_MS;
  // Between two turns of the LookupEvents loop: the poll interval and one call; a page's events (live KMS reads)
  // may take about as long again.
  const lookupLoopMs = liveness ?? config.lookupPollSeconds * 1000 + 2 * callMs(responseTimeoutMs) + MARGIN_MS;
  return { messageTimeoutMs, connectTimeoutMs, responseTimeoutMs, receiveTimeoutMs, sqsLoopMs, lookupLoopMs };
}
