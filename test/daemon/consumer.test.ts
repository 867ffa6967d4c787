import { afterEach, describe, expect, it } from 'vitest';
import { DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { consume, type ConsumerEvents, type ReceivedMessage } from '../../src/sources/sqs/consumer.ts';
import { startQueues, until } from '../helpers/fauxqs.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
});

function recorder() {
  const seen = {
    deleted: [] as string[],
    deleteFailed: [] as string[],
    failed: [] as string[],
    released: [] as string[],
  };
  const events: ConsumerEvents = {
    received: () => undefined,
    receiveFailed: () => undefined,
    failed: (m, reason) => seen.failed.push(`${m.body}:${reason}`),
    deleted: (ms) => seen.deleted.push(...ms.map((m) => m.body)),
    deleteFailed: (m, reason) => seen.deleteFailed.push(`${m.body}:${reason}`),
    released: (ms) => seen.released.push(...ms.map((m) => m.body)),
  };
  return { seen, events };
}

describe('SQS consumer against fauxqs', () => {
  it('entries that fail to delete are reported by message; the message comes back', async () => {
    const q = await startQueues({ maxReceiveCount: 10 });
    stops.push(q.stop);
    await q.send('a');
    await q.send('b');
    // fauxqs never reports failed entries: this wrapper turns the first delete of "b" into one, as SQS can.
    let failOnce = true;
    const faulty = {
      send: async (command: unknown, options?: unknown) => {
        if (command instanceof DeleteMessageBatchCommand && failOnce) {
          failOnce = false;
          const entries = command.input.Entries ?? [];
          const real = await q.sqs.send(
            new DeleteMessageBatchCommand({ ...command.input, Entries: entries.slice(0, 1) }),
          );
          return {
            ...real,
            Failed: entries
              .slice(1)
              .map((e) => ({ Id: e.Id, Code: 'ReceiptHandleIsInvalid', Message: 'injected', SenderFault: true })),
          };
        }
        return q.sqs.send(command as never, options as never);
      },
    } as unknown as SQSClient;
    const { seen, events } = recorder();
    const handled: string[] = [];
    const stop = new AbortController();
    const running = consume(
      {
        client: faulty,
        queueUrl: q.queueUrl,
        pollers: 1,
        visibilityTimeoutSeconds: 1,
        waitTimeSeconds: 1,
        shutdownTimeoutMs: 1000,
        events,
        now: Date.now,
      },
      async (m: ReceivedMessage) => {
        handled.push(m.body);
        return { ok: true };
      },
      stop.signal,
    );
    await until('the queue to drain', async () => (await q.depth(q.queueUrl)) === 0, 15_000);
    stop.abort();
    await running;
    expect(seen.deleteFailed).toHaveLength(1);
    expect(seen.deleteFailed[0]).toMatch(/:injected$/);
    // The message whose delete failed was received again and then deleted.
    expect(handled.length).toBe(3);
  });

  it('a handler that is still working at shutdown has its message released, not deleted', async () => {
    const q = await startQueues();
    stops.push(q.stop);
    await q.send('slow');
    const { seen, events } = recorder();
    const stop = new AbortController();
    let started = false;
    const running = consume(
      {
        client: q.sqs,
        queueUrl: q.queueUrl,
        pollers: 1,
        visibilityTimeoutSeconds: 30,
        waitTimeSeconds: 1,
        shutdownTimeoutMs: 200,
        events,
        now: Date.now,
      },
      async () => {
        started = true;
        await new Promise((r) => setTimeout(r, 3000));
        return { ok: true };
      },
      stop.signal,
    );
    await until('the handler to start', () => started);
    stop.abort();
    await running;
    expect(seen.released).toEqual([JSON.stringify('slow')]);
    expect(seen.deleted).toEqual([]);
    // Released means visible again at once, although the visibility timeout was 30 s.
    expect(await q.depth(q.queueUrl)).toBe(1);
  });
});
