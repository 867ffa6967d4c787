// The daemon's wiring: SQS messages → (S3 log files) → the core of app.ts → drift logs → delete. Like app.ts, this
// file knows the graph; the stages it connects know nothing of each other.
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { parseDuration } from './sources/lookup/checkpoint.ts';
import { catchUp } from './sources/lookup/catch-up.ts';
import type { Logger } from 'pino';
import type { Core, EmittedLog, PayloadOutcome } from './app.ts';
import type { Config } from './config/types.ts';
import type { JsonValue } from './model/json.ts';
import type { KmsEvent } from './model/kms-event.ts';
import { formatProblem } from './model/problem.ts';
import { writeOnce as writeOnceIn } from './dedup/write-once.ts';
import { resolveHeld } from './breakglass/resolve.ts';
import { openStore } from './store/open.ts';
import type { SharedStore } from './store/store.ts';
import { consume, type Handler, type ReceivedMessage, type Verdict } from './sources/sqs/consumer.ts';
import { fetchLogObject } from './sources/s3/fetch-object.ts';
import type { ScannedLogFile } from './sources/prefilter/log-file.ts';
import type { DriftLogWriter } from './sinks/stdout.ts';
import type { Metrics } from './sinks/metrics.ts';

export interface DaemonDeps {
  readonly core: Core;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly cloudtrail: CloudTrailClient;
  readonly writer: DriftLogWriter;
  /** Diagnostics (JSON on stderr); drift logs go to `writer` only. */
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly now: () => number;
  /** Live KMS reads: fills the attributes an event does not carry before the diff. */
  readonly enrich?: (event: KmsEvent) => Promise<KmsEvent>;
  /** Called after every receive, successful or not, for /readyz. */
  readonly onReceive?: (ok: boolean) => void;
  /** Claims, break-glass history, LookupEvents checkpoint and lease; default: openStore(config). */
  readonly store?: SharedStore;
}

/** Runs until `signal` aborts, then finishes or releases in-flight messages and flushes the logs. */
export async function runDaemon(config: Config, deps: DaemonDeps, signal: AbortSignal): Promise<void> {
  const seen = deps.store ?? openStore(config, deps.now);
  const { log, metrics } = deps;
  // Not the shutdown signal: a message in flight at SIGTERM finishes (its S3 reads included) until the consumer
  // gives up on it at the deadline.
  const handle: Handler = (message, giveUp) => handleMessage(message, deps, seen, giveUp);
  const live =
    config.queueUrl === undefined
      ? Promise.resolve()
      : (async () => {
          await consume(
            {
              client: deps.sqs,
              queueUrl: config.queueUrl ?? '',
              pollers: config.pollers,
              batchSize: config.concurrency ?? 10,
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
                extendFailed: (m, reason) =>
                  log.warn({ messageId: m.id, reason }, 'SqsVisibilityExtendError: the message may be handled twice'),
              },
            },
            handle,
            signal,
          );
        })();
  // LookupEvents catches up with what happened while nobody listened, beside the live stream; duplicates of the
  // two are dropped by eventID like any other.
  await Promise.all([live, catchUpWith(config, deps, seen, signal)]);
  await deps.writer.flush();
}

/** LookupEvents catch-up (src/sources/lookup/catch-up.ts), its events processed like a message's. */
function catchUpWith(config: Config, deps: DaemonDeps, seen: SharedStore, signal: AbortSignal): Promise<void> {
  const sinceMs = config.backfillSince === undefined ? undefined : parseDuration(config.backfillSince);
  return catchUp(
    {
      client: deps.cloudtrail,
      store: seen,
      sinceMs,
      pollSeconds: config.lookupPollSeconds,
      now: deps.now,
      log: deps.log,
      handle: async (events) => {
        const outcomes: PayloadOutcome[] = [];
        for (const e of events) outcomes.push(await process(deps, { CloudTrailEvent: e.cloudTrailEvent }, 'lookup'));
        for (const o of outcomes) deps.metrics.payload(o);
        await writeOnce(await withBreakGlass(outcomes, deps, seen), deps, seen);
      },
    },
    signal,
  );
}

async function handleMessage(
  message: ReceivedMessage,
  deps: DaemonDeps,
  seen: SharedStore,
  giveUp: AbortSignal,
): Promise<Verdict> {
  let body: JsonValue;
  try {
    body = JSON.parse(message.body) as JsonValue;
  } catch (err: unknown) {
    return { ok: false, reason: `body is not JSON: ${describe(err)}` };
  }
  const outcomes: PayloadOutcome[] = [await process(deps, body, 'body')];
  let failure: string | undefined;
  for (const ref of outcomes[0]?.s3Objects ?? []) {
    try {
      const object = await fetchLogObject(deps.s3, ref.bucket, ref.key, giveUp);
      const where = `s3://${ref.bucket}/${ref.key}`;
      outcomes.push(
        await ('logFile' in object ? processLogFile(deps, object.logFile, where) : process(deps, object.value, where)),
      );
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
  try {
    await writeOnce(await withBreakGlass(outcomes, deps, seen), deps, seen);
  } catch (err: unknown) {
    return { ok: false, reason: describe(err) };
  }
  deps.metrics.processed((deps.now() - message.receivedAt) / 1000);
  // A message with a bad record is kept (and ends in the DLQ) so nothing is lost; its good records were logged once.
  return failure === undefined ? { ok: true } : { ok: false, reason: failure };
}

/** The outcomes' logs, with the logs of their break-glass events classified over the store's histories. */
async function withBreakGlass(
  outcomes: readonly PayloadOutcome[],
  deps: DaemonDeps,
  seen: SharedStore,
): Promise<EmittedLog[]> {
  const logs = outcomes.flatMap((o) => o.logs);
  const held = outcomes.flatMap((o) => o.held);
  const stage = deps.core.breakGlass;
  if (held.length === 0 || stage === undefined) return logs;
  return [...logs, ...(await resolveHeld(held, seen, stage))];
}

/** Writes the logs of events not logged before (src/dedup/write-once.ts), then counts them. */
async function writeOnce(logs: readonly EmittedLog[], deps: DaemonDeps, seen: SharedStore): Promise<void> {
  const { written } = await writeOnceIn(logs, {
    claims: seen,
    write: (l) => deps.writer.write(l.priority, l.log, l.msg),
    flush: () => deps.writer.flush(),
    busyWaitMs: 5_000,
    completeFailed: (ids, err) =>
      deps.log.warn(
        { eventIds: ids, err: describe(err) },
        'ClaimCompleteError: logs written; a duplicate may be logged again',
      ),
  });
  const now = deps.now();
  for (const l of written)
    deps.metrics.logged(String(l.log['rule']), l.priority, Date.parse(String(l.log['timestamp'])), now);
}

function processLogFile(deps: DaemonDeps, file: ScannedLogFile, path: string): Promise<PayloadOutcome> {
  return deps.enrich === undefined
    ? Promise.resolve(deps.core.processLogFile(file, path))
    : deps.core.processLogFileWith(file, path, deps.enrich);
}

function process(deps: DaemonDeps, value: JsonValue, path: string): Promise<PayloadOutcome> {
  return deps.enrich === undefined
    ? Promise.resolve(deps.core.processPayload(value, path))
    : deps.core.processPayloadWith(value, path, deps.enrich);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
