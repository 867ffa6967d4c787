// The daemon's wiring: SQS messages → (S3 log files) → the core of app.ts → drift logs → delete. Like app.ts, this
// file knows the graph; the stages it connects know nothing of each other.
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { setTimeout as sleep } from 'node:timers/promises';
import { lookupKmsEvents } from './sources/lookup/lookup-events.ts';
import { parseDuration, readCheckpoint, writeCheckpoint } from './sources/lookup/checkpoint.ts';
import type { Logger } from 'pino';
import type { Core, EmittedLog, PayloadOutcome } from './app.ts';
import type { Config } from './config/types.ts';
import type { JsonValue } from './model/json.ts';
import type { KmsEvent } from './model/kms-event.ts';
import { formatProblem } from './model/problem.ts';
import { SeenEventIds } from './dedup/event-ids.ts';
import { consume, type Handler, type ReceivedMessage, type Verdict } from './sources/sqs/consumer.ts';
import { readLogObject, type ReadOptions } from './sources/s3/fetch-object.ts';
import { s3ReadOptions } from './sources/s3/read-options.ts';
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
}

/** Runs until `signal` aborts, then finishes or releases in-flight messages and flushes the logs. */
export async function runDaemon(config: Config, deps: DaemonDeps, signal: AbortSignal): Promise<void> {
  const seen = new SeenEventIds(config.dedupSize);
  const { log, metrics } = deps;
  // Not the shutdown signal: a message in flight at SIGTERM finishes (its S3 reads included) until the consumer
  // gives up on it at the deadline.
  const s3Read = s3ReadOptions(config, log);
  const handle: Handler = (message, giveUp) => handleMessage(message, deps, seen, { ...s3Read, signal: giveUp });
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
  await Promise.all([live, catchUp(config, deps, seen, signal)]);
  await deps.writer.flush();
}

/** Overlap between LookupEvents windows: CloudTrail can make an event visible there a little late. */
const LOOKUP_OVERLAP_MS = 5 * 60_000;

async function catchUp(config: Config, deps: DaemonDeps, seen: SeenEventIds, signal: AbortSignal): Promise<void> {
  const since = config.backfillSince === undefined ? undefined : parseDuration(config.backfillSince);
  let start =
    (await readCheckpoint(config.checkpointFile)) ?? (since === undefined ? undefined : new Date(deps.now() - since));
  if (start === undefined && config.lookupPollSeconds === 0) return;
  start ??= new Date(deps.now() - LOOKUP_OVERLAP_MS);
  while (!signal.aborted) {
    const end = new Date(deps.now());
    try {
      let events = 0;
      for await (const page of lookupKmsEvents(deps.cloudtrail, start, end, signal)) {
        const outcomes: PayloadOutcome[] = [];
        for (const e of page) outcomes.push(await process(deps, { CloudTrailEvent: e.cloudTrailEvent }, 'lookup'));
        for (const o of outcomes) deps.metrics.payload(o);
        await writeOnce(
          outcomes.flatMap((o) => o.logs),
          deps,
          seen,
        );
        events += page.length;
      }
      await writeCheckpoint(config.checkpointFile, end);
      deps.log.info({ from: start.toISOString(), to: end.toISOString(), events }, 'LookupEventsRead');
      start = new Date(end.getTime() - LOOKUP_OVERLAP_MS);
    } catch (err: unknown) {
      if (signal.aborted) return;
      deps.log.warn({ err: describe(err) }, 'LookupEventsError: retrying');
    }
    if (config.lookupPollSeconds === 0) return;
    await sleep(config.lookupPollSeconds * 1000, undefined, { signal }).catch(() => undefined);
  }
}

async function handleMessage(
  message: ReceivedMessage,
  deps: DaemonDeps,
  seen: SeenEventIds,
  s3Read: ReadOptions,
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
    const where = `s3://${ref.bucket}/${ref.key}`;
    try {
      // Within the memory budget while the file is read and processed; a log file's kept records part by part.
      const read = await readLogObject(deps.s3, ref.bucket, ref.key, s3Read, async (object) => {
        if ('value' in object) return [await process(deps, object.value, where)];
        const parts: PayloadOutcome[] = [];
        for (const part of object.logFile.parts()) parts.push(await processLogFile(deps, part, where));
        return parts;
      });
      outcomes.push(...read);
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
    if (seen.claim(id)) return false;
    claimed.add(id);
    return true;
  });
  try {
    for (const l of fresh) deps.writer.write(l.priority, l.log, l.msg);
    await deps.writer.flush();
  } catch (err: unknown) {
    // Not written, so not a duplicate next time: the message fails and its redelivery must log these events.
    for (const id of claimed) seen.forget(id);
    throw err;
  }
  const now = deps.now();
  for (const l of fresh)
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
