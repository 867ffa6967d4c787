// The daemon's wiring: SQS messages → (S3 log files) → the core of app.ts → drift logs → delete. Like app.ts, this
// file knows the graph; the stages it connects know nothing of each other.
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { Core, EmittedLog, PayloadOutcome } from './app.ts';
import type { Config } from './config/types.ts';
import type { JsonValue } from './model/json.ts';
import { formatProblem } from './model/problem.ts';
import { SeenEventIds } from './dedup/event-ids.ts';
import { consume, type ReceivedMessage, type Verdict } from './sources/sqs/consumer.ts';
import { fetchJsonObject } from './sources/s3/fetch-object.ts';
import type { DriftLogWriter } from './sinks/stdout.ts';
import type { Metrics } from './sinks/metrics.ts';

export interface DaemonDeps {
  readonly core: Core;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly writer: DriftLogWriter;
  /** Diagnostics (JSON on stderr); drift logs go to `writer` only. */
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly now: () => number;
  /** Called after every receive, successful or not, for /readyz. */
  readonly onReceive?: (ok: boolean) => void;
}

/** Runs until `signal` aborts, then finishes or releases in-flight messages and flushes the logs. */
export async function runDaemon(config: Config, deps: DaemonDeps, signal: AbortSignal): Promise<void> {
  const seen = new SeenEventIds(config.dedupSize);
  const { log, metrics } = deps;
  const handle = (message: ReceivedMessage): Promise<Verdict> => handleMessage(message, deps, seen, signal);
  await consume(
    {
      client: deps.sqs,
      queueUrl: config.queueUrl,
      pollers: config.pollers,
      visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
      waitTimeSeconds: config.waitTimeSeconds,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      now: deps.now,
      events: {
        received: () => deps.onReceive?.(true),
        receiveFailed: (err, retryInMs) => {
          deps.onReceive?.(false);
          metrics.receiveFailed();
          log.warn({ err: describe(err), retryInMs }, 'SqsReceiveError: retrying');
        },
        failed: (m, reason) => {
          metrics.message('failed');
          log.error(
            { messageId: m.id, receiveCount: m.receiveCount, reason },
            'SqsMessageFailed: left for redelivery and the dead-letter queue',
          );
        },
        deleted: (ms) => metrics.message('deleted', ms.length),
        deleteFailed: (m, reason) => {
          metrics.message('delete_failed');
          log.warn(
            { messageId: m.id, reason },
            'SqsMessageDeleteError: logs were written; a redelivery will be dropped as a duplicate',
          );
        },
        released: (ms) => {
          metrics.message('released', ms.length);
          log.warn({ messageIds: ms.map((m) => m.id) }, 'SqsMessagesReleased: unfinished at shutdown');
        },
      },
    },
    handle,
    signal,
  );
  await deps.writer.flush();
}

async function handleMessage(
  message: ReceivedMessage,
  deps: DaemonDeps,
  seen: SeenEventIds,
  signal: AbortSignal,
): Promise<Verdict> {
  let body: JsonValue;
  try {
    body = JSON.parse(message.body) as JsonValue;
  } catch (err: unknown) {
    return { ok: false, reason: `body is not JSON: ${describe(err)}` };
  }
  const outcomes: PayloadOutcome[] = [deps.core.processPayload(body, 'body')];
  let failure: string | undefined;
  for (const ref of outcomes[0]?.s3Objects ?? []) {
    try {
      const object = await fetchJsonObject(deps.s3, ref.bucket, ref.key, signal);
      outcomes.push(deps.core.processPayload(object, `s3://${ref.bucket}/${ref.key}`));
    } catch (err: unknown) {
      // The other files of the message are still processed; the message itself is not done.
      failure ??= describe(err);
    }
  }
  for (const outcome of outcomes) {
    deps.metrics.payload(outcome);
    for (const p of outcome.problems) {
      deps.log.warn({ messageId: message.id, problem: formatProblem(p) }, 'RecordProblem');
      if (p.severity === 'error') failure ??= `${p.code} at ${p.path ?? '$'}: ${p.message}`;
    }
  }
  await writeOnce(
    outcomes.flatMap((o) => o.logs),
    deps,
    seen,
  );
  deps.metrics.processed((deps.now() - message.receivedAt) / 1000);
  // A message with a bad record is kept (and ends in the DLQ) so nothing is lost; its good records were logged once.
  return failure === undefined ? { ok: true } : { ok: false, reason: failure };
}

/**
 * Writes the logs of events not written before, then flushes. The eventIDs are claimed in the same synchronous
 * step as the check, so two messages of one batch carrying the same event cannot both pass it.
 */
async function writeOnce(logs: readonly EmittedLog[], deps: DaemonDeps, seen: SeenEventIds): Promise<void> {
  const claimed = new Set<string>();
  const fresh = logs.filter((l) => {
    const id = l.log['event_id'];
    if (typeof id !== 'string' || id === '' || claimed.has(id)) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    claimed.add(id);
    return true;
  });
  for (const l of fresh) deps.writer.write(l.priority, l.log, l.msg);
  await deps.writer.flush();
  const now = deps.now();
  for (const l of fresh)
    deps.metrics.logged(String(l.log['rule']), l.priority, Date.parse(String(l.log['timestamp'])), now);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
