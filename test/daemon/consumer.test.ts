import { afterEach, describe, expect, it } from 'vitest';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  consume,
  type ConsumerEvents,
  type ConsumerOptions,
  type Handler,
  type ReceivedMessage,
} from '../../src/sources/sqs/consumer.ts';
import { startQueues, until } from '../helpers/fauxqs.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the consumer until `stop` is called; `stop` resolves when it has returned. */
function start(
  options: Omit<
    ConsumerOptions,
    'events' | 'now' | 'pollers' | 'waitTimeSeconds' | 'batchSize' | 'messageTimeoutMs'
  > & {
    pollers?: number;
    batchSize?: number;
    messageTimeoutMs?: number;
  },
  events: ConsumerEvents,
  handle: Handler,
) {
  const controller = new AbortController();
  const running = consume(
    { pollers: 1, batchSize: 10, waitTimeSeconds: 1, messageTimeoutMs: 60_000, now: Date.now, events, ...options },
    handle,
    controller.signal,
  );
  return async () => {
    controller.abort();
    await running;
  };
}

function recorder() {
  const seen = {
    deleted: [] as string[],
    deleteFailed: [] as string[],
    failed: [] as string[],
    released: [] as string[],
    extendFailed: [] as string[],
    timedOut: [] as string[],
  };
  const events: ConsumerEvents = {
    received: () => undefined,
    receiveFailed: () => undefined,
    failed: (m, reason) => seen.failed.push(`${m.body}:${reason}`),
    deleted: (ms) => seen.deleted.push(...ms.map((m) => m.body)),
    deleteFailed: (m, reason) => seen.deleteFailed.push(`${m.body}:${reason}`),
    released: (ms) => seen.released.push(...ms.map((m) => m.body)),
    extendFailed: (m, reason) => seen.extendFailed.push(`${m.body}:${reason}`),
    timedOut: (m, afterMs) => seen.timedOut.push(`${m.body}:${afterMs}`),
  };
  return { seen, events };
}

describe('SQS consumer against fauxqs', () => {
  it('entries that fail to delete are reported by message; the message comes back', async () => {
    const q = await startQueues({ maxReceiveCount: 10 });
    stops.push(q.stop);
    await q.send('a');
    await q.send('b');
    // fauxqs never reports failed entries: this wrapper makes the last entry of the first delete call fail, as SQS
    // can, and passes the rest to the server.
    let failOnce = true;
    const faulty = {
      send: async (command: unknown, options?: unknown) => {
        if (command instanceof DeleteMessageBatchCommand && failOnce) {
          failOnce = false;
          const entries = command.input.Entries ?? [];
          const rest = entries.slice(0, -1);
          const real =
            rest.length === 0
              ? { Successful: [] }
              : await q.sqs.send(new DeleteMessageBatchCommand({ ...command.input, Entries: rest }));
          return {
            ...real,
            Failed: entries
              .slice(-1)
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
        batchSize: 10,
        visibilityTimeoutSeconds: 1,
        waitTimeSeconds: 1,
        shutdownTimeoutMs: 1000,
        messageTimeoutMs: 60_000,
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
    expect(seen.deleteFailed[0]).toMatch(/:ReceiptHandleIsInvalid: injected$/);
    // The message whose delete failed was received again and then deleted.
    expect(handled.length).toBe(3);
  });

  it('each loop works on at most batchSize messages at once (the concurrency setting)', async () => {
    const q = await startQueues();
    stops.push(q.stop);
    for (let i = 0; i < 7; i++) await q.send(`m${i}`);
    const { seen, events } = recorder();
    let working = 0;
    let most = 0;
    const stop = start(
      { client: q.sqs, queueUrl: q.queueUrl, batchSize: 2, visibilityTimeoutSeconds: 30, shutdownTimeoutMs: 1000 },
      events,
      async () => {
        most = Math.max(most, ++working);
        await sleep(50);
        working--;
        return { ok: true };
      },
    );
    await until('all seven deleted', () => seen.deleted.length === 7);
    await stop();
    expect(most).toBe(2);
  });

  it('a handler that is still working at shutdown has its message released, not deleted', async () => {
    const q = await startQueues();
    stops.push(q.stop);
    await q.send('slow');
    const { seen, events } = recorder();
    let started = false;
    let gaveUp = false;
    const stop = start(
      { client: q.sqs, queueUrl: q.queueUrl, visibilityTimeoutSeconds: 30, shutdownTimeoutMs: 200 },
      events,
      async (_, giveUp) => {
        started = true;
        // Works until told its message is no longer ours, then answers "ok" late.
        await new Promise((resolve) => giveUp.addEventListener('abort', resolve, { once: true }));
        gaveUp = giveUp.aborted;
        return { ok: true };
      },
    );
    await until('the handler to start', () => started);
    await stop();
    expect(seen.released).toEqual([JSON.stringify('slow')]);
    expect(seen.deleted).toEqual([]);
    // Released means visible again at once, although the visibility timeout was 30 s: another consumer receives it.
    expect(await q.receiveNow(q.queueUrl)).toEqual([JSON.stringify('slow')]);
    await until('the abandoned handler to end', () => gaveUp, 5000);
    // Its late "ok" did not delete a message another consumer may hold by now.
    expect(seen.deleted).toEqual([]);
  });

  it('a message that arrives during the last long poll at shutdown is released, not left invisible', async () => {
    const q = await startQueues();
    stops.push(q.stop);
    let receives = 0;
    const counting = {
      send: (command: unknown, options?: unknown) => {
        if (command instanceof ReceiveMessageCommand) receives++;
        return q.sqs.send(command as never, options as never);
      },
    } as unknown as SQSClient;
    const { seen, events } = recorder();
    const handled: string[] = [];
    const stop = start(
      { client: counting, queueUrl: q.queueUrl, visibilityTimeoutSeconds: 30, shutdownTimeoutMs: 1000 },
      events,
      async (m) => {
        handled.push(m.body);
        return { ok: true };
      },
    );
    await until('a long poll to be open', () => receives > 0);
    // SQS keeps an abandoned long poll open and gives it the next message: cancelling it would leave this one
    // invisible for 30 s with nobody working on it.
    const stopping = stop();
    await q.send('late');
    await stopping;
    expect(handled).toEqual([]);
    expect(seen.deleted).toEqual([]);
    expect(seen.released).toEqual([JSON.stringify('late')]);
    expect(await q.receiveNow(q.queueUrl)).toEqual([JSON.stringify('late')]);
  });

  it('a handler in flight at shutdown finishes within the deadline, undisturbed, and its message is deleted', async () => {
    const q = await startQueues();
    stops.push(q.stop);
    await q.send('in-flight');
    const { seen, events } = recorder();
    let started = false;
    let stopping = false;
    let abortedDuringWork: boolean | undefined;
    const stop = start(
      { client: q.sqs, queueUrl: q.queueUrl, visibilityTimeoutSeconds: 30, shutdownTimeoutMs: 5000 },
      events,
      async (_, giveUp) => {
        started = true;
        // Still working when shutdown begins; done well within its deadline.
        await until('shutdown to begin', () => stopping, 5000);
        await sleep(100);
        abortedDuringWork = giveUp.aborted;
        return { ok: true };
      },
    );
    await until('the handler to start', () => started);
    stopping = true;
    await stop();
    expect(abortedDuringWork).toBe(false);
    expect(seen.deleted).toEqual([JSON.stringify('in-flight')]);
    expect(seen.released).toEqual([]);
    expect(await q.depth(q.queueUrl)).toBe(0);
  });

  it('visibility is extended while a handler works longer than the timeout: no other poller gets the message', async () => {
    const q = await startQueues({ maxReceiveCount: 10 });
    stops.push(q.stop);
    await q.send('long');
    const { seen, events } = recorder();
    const handled: number[] = [];
    let extensions = 0;
    let receives = 0;
    const counting = {
      send: (command: unknown, options?: unknown) => {
        if (command instanceof ChangeMessageVisibilityBatchCommand) extensions++;
        if (command instanceof ReceiveMessageCommand) receives++;
        return q.sqs.send(command as never, options as never);
      },
    } as unknown as SQSClient;
    const stop = start(
      // 2 s: extended every second, so a loaded machine has a second of slack before the visibility would lapse.
      { client: counting, queueUrl: q.queueUrl, pollers: 3, visibilityTimeoutSeconds: 2, shutdownTimeoutMs: 1000 },
      events,
      async (m) => {
        handled.push(m.receiveCount);
        // Works past two visibility timeouts, and until three extensions were sent.
        const until4s = Date.now() + 4000;
        await until('three extensions and two visibility timeouts', () => extensions >= 3 && Date.now() >= until4s);
        return { ok: true };
      },
    );
    await until('the message to be deleted', () => seen.deleted.length === 1, 15_000);
    // The other pollers kept polling all along (each long poll is 1 s): had its visibility lapsed, one would have
    // received it. Three more receives after the delete close the window of a receive answered late.
    const after = receives;
    await until('three more receives', () => receives >= after + 3);
    await stop();
    expect(handled).toEqual([1]);
    expect(seen.extendFailed).toEqual([]);
    expect(await q.depth(q.queueUrl)).toBe(0);
  });

  it('an extension SQS refuses is reported by message (the server cannot produce it: injected)', async () => {
    const q = await startQueues();
    stops.push(q.stop);
    await q.send('long');
    const refusing = {
      send: async (command: unknown, options?: unknown) =>
        command instanceof ChangeMessageVisibilityBatchCommand
          ? {
              Successful: [],
              Failed: (command.input.Entries ?? []).map((e) => ({
                Id: e.Id,
                Code: 'MessageNotInflight',
                Message: 'injected',
                SenderFault: true,
              })),
            }
          : q.sqs.send(command as never, options as never),
    } as unknown as SQSClient;
    const { seen, events } = recorder();
    const stop = start(
      { client: refusing, queueUrl: q.queueUrl, visibilityTimeoutSeconds: 1, shutdownTimeoutMs: 1000 },
      events,
      async () => {
        await until('an extension to be refused', () => seen.extendFailed.length > 0, 10_000);
        return { ok: true };
      },
    );
    await until('the message to be deleted', () => seen.deleted.length === 1, 15_000);
    await stop();
    expect(seen.extendFailed.length).toBeGreaterThan(0);
    expect(seen.extendFailed[0]).toBe(`${JSON.stringify('long')}:MessageNotInflight: injected`);
  });

  it('a finished message is deleted at once, not after its slow batch-mates', async () => {
    const q = await startQueues();
    stops.push(q.stop);
    await q.send('fast');
    await q.send('slow');
    const { seen, events } = recorder();
    let slowDone = false;
    let deletedBeforeSlowDone: string[] = [];
    const stop = start(
      { client: q.sqs, queueUrl: q.queueUrl, visibilityTimeoutSeconds: 30, shutdownTimeoutMs: 5000 },
      events,
      async (m) => {
        if (m.body === JSON.stringify('slow')) {
          await until('the fast one to be deleted', () => seen.deleted.length > 0, 5000).catch(() => undefined);
          deletedBeforeSlowDone = [...seen.deleted];
          slowDone = true;
        }
        return { ok: true };
      },
    );
    await until('both to be deleted', () => slowDone && seen.deleted.length === 2, 10_000);
    await stop();
    expect(deletedBeforeSlowDone).toEqual([JSON.stringify('fast')]);
  });

  it('a failed message is not deleted: it comes back with a higher receive count, then goes to the DLQ', async () => {
    const q = await startQueues({ maxReceiveCount: 2 });
    stops.push(q.stop);
    await q.send('bad');
    const { seen, events } = recorder();
    const counts: number[] = [];
    const stop = start(
      { client: q.sqs, queueUrl: q.queueUrl, visibilityTimeoutSeconds: 1, shutdownTimeoutMs: 1000 },
      events,
      async (m) => {
        counts.push(m.receiveCount);
        return { ok: false, reason: 'broken' };
      },
    );
    await until('the message in the DLQ', async () => (await q.depth(q.dlqUrl)) === 1, 15_000);
    await stop();
    expect(counts).toEqual([1, 2]);
    expect(seen.failed).toEqual([`${JSON.stringify('bad')}:broken`, `${JSON.stringify('bad')}:broken`]);
    expect(seen.deleted).toEqual([]);
    expect(await q.depth(q.queueUrl)).toBe(0);
  });

  it('messages that finish together share one delete call (SQS bills per request)', async () => {
    const q = await startQueues();
    stops.push(q.stop);
    await q.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.queueUrl,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: String(i) })),
      }),
    );
    let receives = 0;
    let deleteCalls = 0;
    const counting = {
      send: async (command: unknown, options?: unknown) => {
        const response = (await q.sqs.send(command as never, options as never)) as { Messages?: unknown[] };
        if (command instanceof ReceiveMessageCommand && (response.Messages ?? []).length > 0) receives++;
        if (command instanceof DeleteMessageBatchCommand) deleteCalls++;
        return response;
      },
    } as unknown as SQSClient;
    const { seen, events } = recorder();
    const stop = start(
      { client: counting, queueUrl: q.queueUrl, visibilityTimeoutSeconds: 30, shutdownTimeoutMs: 1000 },
      events,
      async () => ({ ok: true }),
    );
    await until('all ten deleted', () => seen.deleted.length === 10, 10_000);
    await stop();
    expect(receives).toBeGreaterThan(0);
    expect(deleteCalls).toBe(receives);
  });

  it('the next receive does not wait for the delete of the messages just done; at most one batch waits for its delete', async () => {
    const q = await startQueues();
    stops.push(q.stop);
    for (let b = 0; b < 5; b++) {
      await q.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: q.queueUrl,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `${b}-${i}` })),
        }),
      );
    }
    let deleting = 0;
    let receivedDuringDelete = 0;
    let received = 0;
    let deleted = 0;
    let mostHeld = 0;
    // A slow DeleteMessageBatch (the real call, answered 300 ms late).
    const slowDeletes = {
      send: async (command: unknown, options?: unknown) => {
        if (command instanceof DeleteMessageBatchCommand) {
          deleting++;
          await sleep(300);
          const response = await q.sqs.send(command as never, options as never);
          deleted += command.input.Entries?.length ?? 0;
          deleting--;
          return response;
        }
        // A whole batch still waiting for its delete, and the loop receives the next.
        if (command instanceof ReceiveMessageCommand && deleting > 0 && received - deleted >= 10)
          receivedDuringDelete++;
        const response = (await q.sqs.send(command as never, options as never)) as { Messages?: unknown[] };
        received += response.Messages?.length ?? 0;
        mostHeld = Math.max(mostHeld, received - deleted);
        return response;
      },
    } as unknown as SQSClient;
    const { seen, events } = recorder();
    let working = 0;
    let mostWorking = 0;
    const stop = start(
      { client: slowDeletes, queueUrl: q.queueUrl, visibilityTimeoutSeconds: 30, shutdownTimeoutMs: 5000 },
      events,
      async () => {
        mostWorking = Math.max(mostWorking, ++working);
        await sleep(20);
        working--;
        return { ok: true };
      },
    );
    await until('all fifty deleted', () => seen.deleted.length === 50, 20_000);
    await stop();
    expect(receivedDuringDelete).toBeGreaterThan(0);
    expect(mostWorking).toBeLessThanOrEqual(10);
    expect(mostHeld).toBeLessThanOrEqual(20);
    expect(new Set(seen.deleted).size).toBe(50);
  });

  it('a message stuck past messageTimeoutMs holds one slot, not the loop: the others flow, and it is released, counted and redelivered', async () => {
    const q = await startQueues({ maxReceiveCount: 10 });
    stops.push(q.stop);
    await q.send('stuck');
    const { seen, events } = recorder();
    const others: string[] = [];
    let stuckGaveUp = false;
    const receiveCounts: number[] = [];
    const stop = start(
      // One loop, four slots: the stuck message must not keep the other slots idle.
      {
        client: q.sqs,
        queueUrl: q.queueUrl,
        batchSize: 4,
        visibilityTimeoutSeconds: 30,
        shutdownTimeoutMs: 1000,
        messageTimeoutMs: 4000,
      },
      events,
      async (m, giveUp) => {
        if (m.body === JSON.stringify('stuck')) {
          receiveCounts.push(m.receiveCount);
          if (m.receiveCount > 1) return { ok: true };
          // Never answers on its own: like a stalled read, it ends only when told to give up.
          await new Promise((resolve) => giveUp.addEventListener('abort', resolve, { once: true }));
          stuckGaveUp = true;
          return { ok: true };
        }
        others.push(m.body);
        return { ok: true };
      },
    );
    await until('the stuck message to be received', () => receiveCounts.length === 1);
    for (let i = 0; i < 20; i++) await q.send(`m${i}`);
    await until('the twenty others to be deleted while it is stuck', () => seen.deleted.length === 20, 15_000);
    expect(seen.timedOut).toEqual([]);
    await until('the timeout', () => seen.timedOut.length === 1, 15_000);
    expect(seen.timedOut).toEqual([`${JSON.stringify('stuck')}:4000`]);
    expect(stuckGaveUp).toBe(true);
    // Released (visibility 0), not left for the 30 s visibility timeout: it comes back at once and is handled.
    await until('the redelivery to be deleted', () => seen.deleted.includes(JSON.stringify('stuck')), 10_000);
    await stop();
    expect(receiveCounts).toEqual([1, 2]);
    expect(others).toHaveLength(20);
    expect(seen.failed).toEqual([]);
    expect(await q.depth(q.queueUrl)).toBe(0);
  });
});
