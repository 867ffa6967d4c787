import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { InFlight } from './in-flight.ts';

export { extensionIntervalMs } from './in-flight.ts';

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
 * Handles one message: resolves when its logs are written and flushed. `giveUp` aborts when the consumer has let the
 * message go (`messageTimeoutMs` passed, or the shutdown deadline): the handler should stop and must not write. It
 * does not abort when shutdown starts, so in-flight work can finish.
 */
export type Handler = (message: ReceivedMessage, giveUp: AbortSignal) => Promise<Verdict>;

export interface ConsumerEvents {
  /** A receive returned (`count` messages, 0 for an empty long poll) in loop number `loop`. */
  received(count: number, loop: number): void;
  receiveFailed(err: unknown, retryInMs: number, loop: number): void;
  failed(message: ReceivedMessage, reason: string): void;
  deleted(messages: readonly ReceivedMessage[]): void;
  deleteFailed(message: ReceivedMessage, reason: string): void;
  /** Unfinished at the shutdown deadline: released (visible again at once). */
  released(messages: readonly ReceivedMessage[]): void;
  /** Still being worked on after `messageTimeoutMs`: abandoned and released for redelivery. */
  timedOut(message: ReceivedMessage, afterMs: number): void;
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
  /** A message still being worked on after this long is given up and released; its slot goes to the next one. */
  readonly messageTimeoutMs: number;
  /**
   * The longest a ReceiveMessage call may take to answer, long-poll wait included; absent = the client's own
   * setting. A silent endpoint then costs one failed receive, not a loop stuck forever.
   */
  readonly receiveTimeoutMs?: number;
  /** 20 in production (long polling); tests shorten it so shutdown is quick. */
  readonly waitTimeSeconds: number;
  readonly events: ConsumerEvents;
  readonly now: () => number;
}

const MAX_BACKOFF_MS = 20_000;
/** How long after its long poll a receive still open at shutdown may take to answer before it is cancelled. */
const LAST_RECEIVE_GRACE_MS = 3000;

/**
 * Long-polls the queue with `pollers` loops until `signal` aborts. Each loop works on up to `batchSize` messages at
 * once, each from the moment it arrives, and receives more as handlers end: a message that takes long (or never
 * ends, until `messageTimeoutMs`) holds one slot, not the loop, and the next receive does not wait for the delete of
 * the messages just done. Messages are kept invisible until deleted, and deleted only when their handler said ok —
 * after it has written and flushed their logs. A failed message is left alone: SQS makes it visible again after the
 * visibility timeout and, after maxReceiveCount, moves it to the dead-letter queue. On abort, receiving stops;
 * unfinished messages get `shutdownTimeoutMs` to finish and are then released (visibility 0).
 *
 * A receive still open at the abort is not cancelled: SQS keeps an abandoned long poll open on its side and hands it
 * the next visible message — the messages just released among them — which then stays invisible for the visibility
 * timeout with nobody working on it (aws-sdk-js#2350, aws-sdk-java-v2#1395). So the last receive runs to its end
 * (`waitTimeSeconds`, while the handlers' deadline runs; cancelled only if SQS has not answered a few seconds after
 * that), what it brings is released unstarted, and the unfinished messages are released only after it has returned.
 */
export async function consume(options: ConsumerOptions, handle: Handler, signal: AbortSignal): Promise<void> {
  const loops = Array.from({ length: Math.max(1, options.pollers) }, (_, i) => poll(options, handle, signal, i));
  await Promise.all(loops);
}

async function poll(options: ConsumerOptions, handle: Handler, signal: AbortSignal, loop: number): Promise<void> {
  const { client, queueUrl, events } = options;
  const inFlight = new InFlight(options, handle);
  let stoppedAt = Number.POSITIVE_INFINITY;
  // Cancels the last receive only when SQS is silent past its long poll (a stalled endpoint must not hold shutdown).
  const cancelReceive = new AbortController();
  let cancelTimer: NodeJS.Timeout | undefined;
  const stopped = (): void => {
    stoppedAt = options.now();
    cancelTimer = setTimeout(() => cancelReceive.abort(), options.waitTimeSeconds * 1000 + LAST_RECEIVE_GRACE_MS);
  };
  if (signal.aborted) stopped();
  else signal.addEventListener('abort', stopped, { once: true });
  let lastReceived: readonly ReceivedMessage[] = [];
  let failures = 0;
  while (!signal.aborted) {
    const room = inFlight.room;
    if (room <= 0) {
      await inFlight.changed(signal);
      // Messages that finish together free their slots together: one receive then fetches them all.
      await new Promise((r) => setImmediate(r));
      continue;
    }
    let messages: Message[];
    try {
      const response = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: room,
          WaitTimeSeconds: options.waitTimeSeconds,
          VisibilityTimeout: options.visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        // Not `signal`: see above.
        options.receiveTimeoutMs === undefined
          ? { abortSignal: cancelReceive.signal }
          : { abortSignal: cancelReceive.signal, requestTimeout: options.receiveTimeoutMs },
      );
      messages = response.Messages ?? [];
      failures = 0;
    } catch (err: unknown) {
      if (signal.aborted) break;
      // Network, throttling and credential errors: back off, never give up.
      const wait = backoffMs(failures, Math.random());
      failures++;
      events.receiveFailed(err, wait, loop);
      await sleep(wait, undefined, { signal }).catch(() => undefined);
      continue;
    }
    // Reported for empty receives too: a successful long poll is what tells /readyz that SQS answers.
    events.received(messages.length, loop);
    const received = messages.flatMap(toReceived(options.now()));
    if (signal.aborted) {
      lastReceived = received;
      break;
    }
    for (const m of received) inFlight.start(m);
  }
  clearTimeout(cancelTimer);
  signal.removeEventListener('abort', stopped);
  await inFlight.drain(stoppedAt, lastReceived);
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
