import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { changeVisibility, deleteMessages } from './batch-ops.ts';

export interface ReceivedMessage {
  readonly id: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly receiveCount: number;
  /** Milliseconds since the epoch, when this process received it. */
  readonly receivedAt: number;
}

/** What became of one message: done (delete it) or failed (leave it for redelivery and, in the end, the DLQ). */
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Handles one message: resolves when its logs are written and flushed. `giveUp` aborts when the consumer has released
 * the message (shutdown deadline reached); it does not abort when shutdown starts, so in-flight work can finish.
 */
export type Handler = (message: ReceivedMessage, giveUp: AbortSignal) => Promise<Verdict>;

export interface ConsumerEvents {
  received(count: number): void;
  receiveFailed(err: unknown, retryInMs: number): void;
  failed(message: ReceivedMessage, reason: string): void;
  deleted(messages: readonly ReceivedMessage[]): void;
  deleteFailed(message: ReceivedMessage, reason: string): void;
  released(messages: readonly ReceivedMessage[]): void;
  /** Its visibility could not be extended: it may be handled twice (its drift log is written once per process). */
  extendFailed(message: ReceivedMessage, reason: string): void;
}

export interface ConsumerOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly pollers: number;
  /** Messages each loop receives, and works on, at once (1–10: SQS's maximum per receive). */
  readonly batchSize: number;
  readonly visibilityTimeoutSeconds: number;
  readonly shutdownTimeoutMs: number;
  /** 20 in production (long polling); tests shorten it so shutdown is quick. */
  readonly waitTimeSeconds: number;
  readonly events: ConsumerEvents;
  readonly now: () => number;
}

const MAX_BACKOFF_MS = 20_000;

/**
 * Long-polls the queue with `pollers` loops until `signal` aborts. Each loop receives up to `batchSize` messages,
 * handles them concurrently, keeps them invisible until they are deleted, and deletes only those whose handler said ok —
 * after the handler has written and flushed their logs. A failed message is left alone: SQS makes it visible again
 * after the visibility timeout and, after maxReceiveCount, moves it to the dead-letter queue. On abort, receiving
 * stops; unfinished messages get `shutdownTimeoutMs` to finish and are then released (visibility 0).
 */
export async function consume(options: ConsumerOptions, handle: Handler, signal: AbortSignal): Promise<void> {
  const loops = Array.from({ length: Math.max(1, options.pollers) }, () => poll(options, handle, signal));
  await Promise.all(loops);
}

async function poll(options: ConsumerOptions, handle: Handler, signal: AbortSignal): Promise<void> {
  const { client, queueUrl, events } = options;
  let failures = 0;
  while (!signal.aborted) {
    let messages: Message[];
    try {
      const response = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: options.batchSize,
          WaitTimeSeconds: options.waitTimeSeconds,
          VisibilityTimeout: options.visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        { abortSignal: signal },
      );
      messages = response.Messages ?? [];
      failures = 0;
    } catch (err: unknown) {
      if (signal.aborted) return;
      // Network, throttling and credential errors: back off, never give up.
      const wait = backoffMs(failures, Math.random());
      failures++;
      events.receiveFailed(err, wait);
      await sleep(wait, undefined, { signal }).catch(() => undefined);
      continue;
    }
    // Reported for empty receives too: a successful long poll is what tells /readyz that SQS answers.
    events.received(messages.length);
    if (messages.length === 0) continue;
    await handleBatch(options, messages.flatMap(toReceived(options.now())), handle, signal);
  }
}

/**
 * The wait before retry number `failures` + 1: exponential from 250 ms, capped at 20 s, with full jitter (`random`
 * in [0, 1)) so that many daemons cut off together do not come back in step.
 */
export function backoffMs(failures: number, random: number): number {
  return Math.round(random * Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 10)));
}

function toReceived(now: number): (m: Message) => ReceivedMessage[] {
  return (m) =>
    m.MessageId === undefined || m.ReceiptHandle === undefined
      ? []
      : [
          {
            id: m.MessageId,
            receiptHandle: m.ReceiptHandle,
            body: m.Body ?? '',
            receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
            receivedAt: now,
          },
        ];
}

async function handleBatch(
  options: ConsumerOptions,
  batch: readonly ReceivedMessage[],
  handle: Handler,
  signal: AbortSignal,
): Promise<void> {
  const { client, queueUrl, events } = options;
  const working = new Set(batch);
  // Kept invisible until deleted, not only until handled: a finished message waits for its delete call, and must not
  // reach another consumer meanwhile.
  const held = new Set(batch);
  const giveUp = new AbortController();
  const finished: ReceivedMessage[] = [];
  let deletes = Promise.resolve();
  // Each finished message is deleted as soon as it can be (those finishing together share one call): a slow sibling
  // (a large log file) must not widen the window in which a crash makes a logged message come back.
  const deleteFinished = (): void => {
    deletes = deletes.then(async () => {
      const report = await deleteMessages(client, queueUrl, finished.splice(0, 10));
      for (const m of [...report.deleted, ...report.failed.map((f) => f.message)]) held.delete(m);
      if (report.deleted.length > 0) events.deleted(report.deleted);
      for (const f of report.failed) events.deleteFailed(f.message, f.reason);
    });
  };
  const keepInvisible = setInterval(() => {
    void changeVisibility(client, queueUrl, [...held], options.visibilityTimeoutSeconds).then((refused) => {
      // An extension that crossed the message's delete on the wire is refused harmlessly: report only the others.
      for (const r of refused) if (held.has(r.message)) events.extendFailed(r.message, r.reason);
    });
  }, extensionIntervalMs(options.visibilityTimeoutSeconds));
  const work = Promise.all(
    batch.map(async (message) => {
      let verdict: Verdict;
      try {
        verdict = await handle(message, giveUp.signal);
      } catch (err: unknown) {
        verdict = { ok: false, reason: err instanceof Error ? err.message : String(err) };
      }
      // Released at the shutdown deadline: another consumer has it now, whatever this handler concluded.
      if (giveUp.signal.aborted) return;
      working.delete(message);
      if (verdict.ok) {
        finished.push(message);
        deleteFinished();
      } else {
        held.delete(message);
        events.failed(message, verdict.reason);
      }
    }),
  );
  try {
    const timeout = deadline(signal, options.shutdownTimeoutMs);
    try {
      await Promise.race([work, timeout.reached]);
    } finally {
      timeout.cancel();
    }
    if (working.size > 0) {
      // Shutting down and out of time: let another consumer have them now rather than after the timeout.
      giveUp.abort();
      const unfinished = [...working];
      for (const m of unfinished) held.delete(m);
      // A refused release only means the message reappears after its visibility timeout instead of now.
      await changeVisibility(client, queueUrl, unfinished, 0);
      events.released(unfinished);
    }
    await deletes;
  } finally {
    clearInterval(keepInvisible);
  }
}

/**
 * Half the visibility timeout, so one failed extension call still leaves time for the next before the message
 * reappears; never more often than 5 times a second.
 */
export function extensionIntervalMs(visibilityTimeoutSeconds: number): number {
  return Math.max(200, visibilityTimeoutSeconds * 500);
}

/**
 * Reached `ms` after the signal aborts; never while the process runs normally. `cancel` removes the listener, so a
 * daemon that handles millions of batches does not pile listeners onto one signal.
 */
function deadline(signal: AbortSignal, ms: number): { reached: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let start = (): void => undefined;
  const reached = new Promise<void>((resolve) => {
    start = () => void (timer = setTimeout(resolve, ms).unref());
  });
  if (signal.aborted) start();
  else signal.addEventListener('abort', start, { once: true });
  return {
    reached,
    cancel: () => {
      signal.removeEventListener('abort', start);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
