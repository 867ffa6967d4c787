import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';

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

export interface ConsumerEvents {
  received(count: number): void;
  receiveFailed(err: unknown, retryInMs: number): void;
  failed(message: ReceivedMessage, reason: string): void;
  deleted(messages: readonly ReceivedMessage[]): void;
  deleteFailed(message: ReceivedMessage, reason: string): void;
  released(messages: readonly ReceivedMessage[]): void;
}

export interface ConsumerOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly pollers: number;
  readonly visibilityTimeoutSeconds: number;
  readonly shutdownTimeoutMs: number;
  /** 20 in production (long polling); tests shorten it so shutdown is quick. */
  readonly waitTimeSeconds: number;
  readonly events: ConsumerEvents;
  readonly now: () => number;
}

const MAX_BACKOFF_MS = 20_000;

/**
 * Long-polls the queue with `pollers` loops until `signal` aborts. Each loop receives up to 10 messages, handles
 * them concurrently, keeps them invisible while they are worked on, and deletes (in one batch) only those whose
 * handler said ok — after the handler has written and flushed their logs. On abort, receiving stops; unfinished
 * messages get `shutdownTimeoutMs` to finish and are then released (visibility 0) for another consumer.
 */
export async function consume(
  options: ConsumerOptions,
  handle: (message: ReceivedMessage) => Promise<Verdict>,
  signal: AbortSignal,
): Promise<void> {
  const loops = Array.from({ length: Math.max(1, options.pollers) }, () => poll(options, handle, signal));
  await Promise.all(loops);
}

async function poll(
  options: ConsumerOptions,
  handle: (message: ReceivedMessage) => Promise<Verdict>,
  signal: AbortSignal,
): Promise<void> {
  const { client, queueUrl, events } = options;
  let failures = 0;
  while (!signal.aborted) {
    let messages: Message[];
    try {
      const response = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
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
      // Network, throttling and credential errors: back off exponentially with full jitter, never give up.
      const ceiling = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 10));
      const wait = Math.round(Math.random() * ceiling);
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
  handle: (message: ReceivedMessage) => Promise<Verdict>,
  signal: AbortSignal,
): Promise<void> {
  const pending = new Set(batch);
  const done: ReceivedMessage[] = [];
  const keepInvisible = setInterval(
    () => void extendVisibility(options, [...pending]),
    Math.max(1000, (options.visibilityTimeoutSeconds * 1000) / 2),
  );
  const work = Promise.all(
    batch.map(async (message) => {
      let verdict: Verdict;
      try {
        verdict = await handle(message);
      } catch (err: unknown) {
        verdict = { ok: false, reason: err instanceof Error ? err.message : String(err) };
      }
      pending.delete(message);
      if (verdict.ok) done.push(message);
      else options.events.failed(message, verdict.reason);
    }),
  );
  try {
    const timeout = deadline(signal, options.shutdownTimeoutMs);
    try {
      await Promise.race([work, timeout.reached]);
    } finally {
      timeout.cancel();
    }
  } finally {
    clearInterval(keepInvisible);
  }
  if (pending.size > 0) {
    // Shutting down and out of time: let another consumer have them now rather than after the timeout.
    const unfinished = [...pending];
    await changeVisibility(options, unfinished, 0).catch(() => undefined);
    options.events.released(unfinished);
  }
  await deleteBatch(options, done);
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

async function extendVisibility(options: ConsumerOptions, messages: readonly ReceivedMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await changeVisibility(options, messages, options.visibilityTimeoutSeconds).catch(() => undefined);
}

async function changeVisibility(
  options: ConsumerOptions,
  messages: readonly ReceivedMessage[],
  seconds: number,
): Promise<void> {
  await options.client.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: options.queueUrl,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle, VisibilityTimeout: seconds })),
    }),
  );
}

async function deleteBatch(options: ConsumerOptions, messages: readonly ReceivedMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const { events } = options;
  try {
    const response = await options.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
      }),
    );
    const failed = new Map((response.Failed ?? []).map((f) => [f.Id ?? '', f.Message ?? f.Code ?? 'unknown']));
    for (const [i, m] of messages.entries()) {
      const reason = failed.get(String(i));
      if (reason !== undefined) events.deleteFailed(m, reason);
    }
    events.deleted(messages.filter((_, i) => !failed.has(String(i))));
  } catch (err: unknown) {
    // The logs are written; the messages will come back and be dropped as duplicates by eventID.
    for (const m of messages) events.deleteFailed(m, err instanceof Error ? err.message : String(err));
  }
}
