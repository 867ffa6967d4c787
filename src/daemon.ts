// The daemon's wiring: SQS messages → (S3 log files) → the core of app.ts → drift logs → delete. Like app.ts, this
// file knows the graph; the stages it connects know nothing of each other. Everything it observes it reports as one
// typed internal event (src/observe/internal-events.ts), which logs and counts it.
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { parseDuration } from './sources/lookup/checkpoint.ts';
import { catchUp } from './sources/lookup/catch-up.ts';
import type { Core } from './app.ts';
import type { Config } from './config/types.ts';
import { daemonBounds } from './config/bounds.ts';
import type { JsonValue } from './model/json.ts';
import { describeJsonError, parseJson } from './model/json-error.ts';
import type { KmsEvent } from './model/kms-event.ts';
import type { EmittedLog, PayloadOutcome } from './model/outcome.ts';
import { formatProblem } from './model/problem.ts';
import { writeOnce as writeOnceIn } from './dedup/write-once.ts';
import { countOnce } from './dedup/count-once.ts';
import { resolveHeld } from './breakglass/resolve.ts';
import { openStore } from './store/open.ts';
import type { SharedStore } from './store/store.ts';
import { consume, type Handler, type ReceivedMessage, type Verdict } from './sources/sqs/consumer.ts';
import { readLogObject, type ReadOptions } from './sources/s3/fetch-object.ts';
import { s3ReadOptions } from './sources/s3/read-options.ts';
import type { ScannedLogFile } from './sources/prefilter/log-file.ts';
import type { DriftLogWriter } from './sinks/stdout.ts';
import type { AlertOutput } from './sinks/http-output.ts';
import type { Emit } from './observe/internal-events.ts';

export interface DaemonDeps {
  readonly core: Core;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly cloudtrail: CloudTrailClient;
  readonly writer: DriftLogWriter;
  /** Diagnostics, metrics and health, as typed events; drift logs go to `writer` only. */
  readonly emit: Emit;
  readonly now: () => number;
  /** Live KMS reads: fills the attributes an event does not carry before the diff. */
  readonly enrich?: (event: KmsEvent) => Promise<KmsEvent>;
  /** Claims, break-glass history, LookupEvents checkpoint and lease; default: openStore(config). */
  readonly store?: SharedStore;
  /** `httpOutput`: every drift log written is also posted here, before its claims are completed. */
  readonly alerts?: AlertOutput;
}

const LOOKUP_LOOP = 'LookupEvents loop';
const sqsLoop = (i: number): string => `SQS receive loop ${i}`;

/** Runs until `signal` aborts, then finishes or releases in-flight messages and flushes the logs. */
export async function runDaemon(config: Config, deps: DaemonDeps, signal: AbortSignal): Promise<void> {
  const seen = deps.store ?? openStore(config, deps.now);
  const bounds = daemonBounds(config);
  const { emit } = deps;
  // Not the shutdown signal: a message in flight at SIGTERM finishes (its S3 reads included) until the consumer
  // gives up on it (its timeout, or the shutdown deadline).
  const s3Read = { ...s3ReadOptions(config, emit), readSet: deps.core.readSet };
  const handle: Handler = (message, giveUp) => handleMessage(message, deps, seen, { ...s3Read, signal: giveUp });
  const live = async (queueUrl: string): Promise<void> => {
    const loops = Array.from({ length: Math.max(1, config.pollers) }, (_, i) => sqsLoop(i));
    for (const loop of loops) emit({ type: 'LoopStarted', loop, staleMs: bounds.sqsLoopMs, input: 'sqs' });
    await consume(
      {
        client: deps.sqs,
        queueUrl,
        pollers: loops.length,
        batchSize: config.concurrency ?? 10,
        visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
        waitTimeSeconds: config.waitTimeSeconds,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        messageTimeoutMs: bounds.messageTimeoutMs,
        receiveTimeoutMs: bounds.receiveTimeoutMs,
        now: deps.now,
        events: {
          received: (count, i) => emit({ type: 'SqsMessagesReceived', count, loop: sqsLoop(i) }),
          receiveFailed: (err, retryInMs, i) =>
            emit({ type: 'SqsReceiveError', err: describe(err), retryInMs, loop: sqsLoop(i) }),
          failed: (m, reason) =>
            emit({ type: 'SqsMessageFailed', messageId: m.id, receiveCount: m.receiveCount, reason }),
          deleted: (ms) => emit({ type: 'SqsMessagesDeleted', messageIds: ms.map((m) => m.id) }),
          deleteFailed: (m, reason) => emit({ type: 'SqsMessageDeleteError', messageId: m.id, reason }),
          released: (ms) => emit({ type: 'SqsMessagesReleased', messageIds: ms.map((m) => m.id) }),
          timedOut: (m, afterMs) =>
            emit({ type: 'SqsMessageTimedOut', messageId: m.id, receiveCount: m.receiveCount, afterMs }),
          extendFailed: (m, reason) => emit({ type: 'SqsVisibilityExtendError', messageId: m.id, reason }),
        },
      },
      handle,
      signal,
    );
    for (const loop of loops) emit({ type: 'LoopEnded', loop });
  };
  // LookupEvents catches up with what happened while nobody listened, beside the live stream; duplicates of the
  // two are dropped by eventID like any other.
  await Promise.all([
    config.queueUrl === undefined ? undefined : live(config.queueUrl),
    catchUpWith(config, deps, seen, signal, bounds.lookupLoopMs),
  ]);
  await deps.writer.flush();
}

/**
 * LookupEvents catch-up (src/sources/lookup/catch-up.ts) beside the live stream, its events processed like a
 * message's. Only a polling loop is an input that readiness waits for; a one-off backfill beside the queue is not.
 */
async function catchUpWith(
  config: Config,
  deps: DaemonDeps,
  seen: SharedStore,
  signal: AbortSignal,
  staleMs: number,
): Promise<void> {
  const { emit } = deps;
  const polling = config.lookupPollSeconds > 0;
  if (polling) emit({ type: 'LoopStarted', loop: LOOKUP_LOOP, staleMs, input: 'lookup' });
  await catchUp(
    {
      client: deps.cloudtrail,
      store: seen,
      sinceMs: config.backfillSince === undefined ? undefined : parseDuration(config.backfillSince),
      pollSeconds: config.lookupPollSeconds,
      now: deps.now,
      emit,
      ...(polling ? { turned: () => emit({ type: 'LoopTurned', loop: LOOKUP_LOOP }) } : {}),
      handle: async (events) => {
        const outcomes: PayloadOutcome[] = [];
        for (const e of events) outcomes.push(await process(deps, { CloudTrailEvent: e.cloudTrailEvent }, 'lookup'));
        await writeOnce(outcomes, 'lookup', undefined, deps, seen, signal);
      },
    },
    signal,
  );
  if (polling) emit({ type: 'LoopEnded', loop: LOOKUP_LOOP });
}

async function handleMessage(
  message: ReceivedMessage,
  deps: DaemonDeps,
  seen: SharedStore,
  s3Read: ReadOptions & { readonly signal: AbortSignal },
): Promise<Verdict> {
  try {
    return await processMessage(message, deps, seen, s3Read);
  } finally {
    const seconds = (deps.now() - message.receivedAt) / 1000;
    deps.emit({ type: 'SqsMessageProcessed', messageId: message.id, seconds });
  }
}

async function processMessage(
  message: ReceivedMessage,
  deps: DaemonDeps,
  seen: SharedStore,
  s3Read: ReadOptions & { readonly signal: AbortSignal },
): Promise<Verdict> {
  const giveUp = s3Read.signal;
  const parsed = parseJson<JsonValue>(message.body);
  // The place, never V8's message: it quotes the body around the error.
  if (!parsed.ok) return { ok: false, reason: `body is not JSON: ${describeJsonError(parsed.error)}` };
  const body = parsed.value;
  const outcomes: PayloadOutcome[] = [await process(deps, body, 'body')];
  let failure: string | undefined;
  for (const ref of outcomes[0]?.s3Objects ?? []) {
    if (s3Read.signal.aborted) break;
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
  // Given up (timed out or released at shutdown): the message is another consumer's now; writing its logs here
  // as well would only duplicate them.
  if (giveUp.aborted) return { ok: false, reason: 'given up' };
  for (const outcome of outcomes) {
    for (const p of outcome.problems) {
      if (p.severity === 'error') failure ??= `${p.code} at ${p.path ?? '$'}: ${p.message}`;
    }
  }
  try {
    await writeOnce(outcomes, 'body', message.id, deps, seen, giveUp);
  } catch (err: unknown) {
    // Not written, or its alerts not acknowledged (the sink or the HTTP output failed, or another replica still
    // holds a claim): the redelivery logs (and posts) them.
    return { ok: false, reason: describe(err) };
  }
  // A message with a bad record is kept (and ends in the DLQ) so nothing is lost; its good records were logged once.
  return failure === undefined ? { ok: true } : { ok: false, reason: failure };
}

/**
 * Writes the drift logs of the events not logged before (anywhere, with a shared table), the break-glass events'
 * logs classified over the store's histories, then reports each payload: its new events counted once, repeats counted
 * as duplicates. Every event is claimed, also one without a log, so that it is counted once. A write that fails
 * releases the claims and throws, so the redelivered message logs them. With an HTTP output the logs written are
 * posted after the flush and before the claims are completed: an alert not acknowledged fails the write the same way
 * (at least once: the redelivery writes and posts them all again). `signal` abandons the posts (the message was given
 * up, or the process stops).
 */
async function writeOnce(
  outcomes: readonly PayloadOutcome[],
  where: string,
  messageId: string | undefined,
  deps: DaemonDeps,
  seen: SharedStore,
  signal: AbortSignal,
): Promise<void> {
  for (const outcome of outcomes) {
    for (const p of outcome.problems)
      deps.emit({ type: 'RecordProblem', messageId, problem: formatProblem(p), code: p.code });
  }
  const held = await breakGlassLogs(outcomes, deps, seen);
  const eventIds = outcomes.flatMap((o) => o.events.map((e) => e.eventId));
  const { alerts } = deps;
  const toPost: EmittedLog[] = [];
  const { written, duplicateIds } = await writeOnceIn(
    [...outcomes.flatMap((o) => o.logs), ...held],
    {
      claims: seen,
      write: (l) => {
        deps.writer.write(l.priority, l.log, l.msg);
        toPost.push(l);
      },
      // Between the flush and the claims' completion: what is logged is what is posted (the core already dropped
      // what is below minPriority), and a claim is completed only once its alerts were acknowledged.
      flush: async () => {
        await deps.writer.flush();
        if (alerts !== undefined && toPost.length > 0) await alerts.post(toPost, signal);
      },
      busyWaitMs: 5_000,
      completeFailed: (ids, err) => deps.emit({ type: 'ClaimCompleteError', eventIds: ids, err: describe(err) }),
    },
    eventIds,
  );
  for (const outcome of countOnce(outcomes, duplicateIds)) deps.emit({ type: 'PayloadProcessed', where, outcome });
  const heldWritten = written.filter((l) => held.includes(l as EmittedLog));
  if (heldWritten.length > 0) deps.emit({ type: 'BreakGlassLogged', logs: heldWritten });
}

/** The logs of the outcomes' break-glass events, classified over the store's histories (src/breakglass/resolve.ts). */
async function breakGlassLogs(
  outcomes: readonly PayloadOutcome[],
  deps: DaemonDeps,
  seen: SharedStore,
): Promise<EmittedLog[]> {
  const held = outcomes.flatMap((o) => o.held);
  const stage = deps.core.breakGlass;
  if (held.length === 0 || stage === undefined) return [];
  return resolveHeld(held, seen, stage);
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
