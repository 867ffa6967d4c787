import { changeVisibility, deleteMessages } from './batch-ops.ts';
import type { ConsumerOptions, Handler, ReceivedMessage, Verdict } from './consumer.ts';

/**
 * The messages one receive loop holds: each is worked on as soon as it arrives and kept invisible until it is
 * deleted, failed, timed out or released. A message frees its slot when its handler ends, so one slow message never
 * holds up the others, and the delete of a finished batch overlaps the receive of the next; at most one batch more
 * waits for its delete (`room`).
 */
export class InFlight {
  private readonly options: ConsumerOptions;
  private readonly handle: Handler;
  /** Received and not yet deleted, failed, timed out or released: kept invisible. */
  private readonly held = new Set<ReceivedMessage>();
  /** Handlers still running, each with the signal that tells it its message is no longer ours. */
  private readonly working = new Map<ReceivedMessage, AbortController>();
  private readonly finished: ReceivedMessage[] = [];
  private deletes = Promise.resolve();
  private readonly releases = new Set<Promise<void>>();
  private waiters: (() => void)[] = [];
  private readonly extender: NodeJS.Timeout;

  constructor(options: ConsumerOptions, handle: Handler) {
    this.options = options;
    this.handle = handle;
    const { client, queueUrl, events } = options;
    this.extender = setInterval(() => {
      // At most 2 × `batchSize` (≤ 20) messages are held: a batch call covers 10.
      const held = [...this.held];
      for (let i = 0; i < held.length; i += 10) {
        const part = held.slice(i, i + 10);
        void changeVisibility(client, queueUrl, part, options.visibilityTimeoutSeconds).then((refused) => {
          // An extension that crossed the message's delete on the wire is refused harmlessly: report only the others.
          for (const r of refused) if (this.held.has(r.message)) events.extendFailed(r.message, r.reason);
        });
      }
    }, extensionIntervalMs(options.visibilityTimeoutSeconds));
  }

  /**
   * How many messages the loop may receive now: a slot for each handler not running, and no more than one batch
   * beyond those still waiting for their delete (a slow DeleteMessageBatch must not let the held messages grow).
   */
  get room(): number {
    const { batchSize } = this.options;
    return Math.min(batchSize - this.working.size, 2 * batchSize - this.held.size);
  }

  /** Resolves at the next change of `size`, or when `signal` aborts. */
  changed(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  start(message: ReceivedMessage): void {
    const giveUp = new AbortController();
    this.held.add(message);
    this.working.set(message, giveUp);
    const timer = setTimeout(() => this.timeOut(message), this.options.messageTimeoutMs);
    void this.run(message, giveUp.signal).finally(() => clearTimeout(timer));
  }

  /**
   * On shutdown (`stoppedAt`, once the loop's last receive has returned): the handlers still running get until
   * `stoppedAt` + `shutdownTimeoutMs` to finish; the messages of those that do not, and `unstarted` (what the last
   * receive brought), are released (visible again at once) rather than left to their visibility timeout. Resolves
   * when every delete and release call has returned.
   */
  async drain(stoppedAt: number, unstarted: readonly ReceivedMessage[]): Promise<void> {
    const timeUp = new AbortController();
    const left = Math.max(0, stoppedAt + this.options.shutdownTimeoutMs - this.options.now());
    const timer = setTimeout(() => timeUp.abort(), left);
    while (this.working.size > 0 && !timeUp.signal.aborted) await this.changed(timeUp.signal);
    clearTimeout(timer);
    const unfinished = [...this.working.keys()];
    this.giveUp(unfinished);
    const released = [...unfinished, ...unstarted];
    for (let i = 0; i < released.length; i += 10) {
      // A refused release only means the message reappears after its visibility timeout instead of now.
      await changeVisibility(this.options.client, this.options.queueUrl, released.slice(i, i + 10), 0);
    }
    if (released.length > 0) this.options.events.released(released);
    await this.deletes;
    await Promise.all(this.releases);
    clearInterval(this.extender);
  }

  private async run(message: ReceivedMessage, giveUp: AbortSignal): Promise<void> {
    let verdict: Verdict;
    try {
      verdict = await this.handle(message, giveUp);
    } catch (err: unknown) {
      verdict = { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
    // Timed out or released: another consumer may have it now, whatever this handler concluded.
    if (giveUp.aborted) return;
    this.working.delete(message);
    if (verdict.ok) {
      this.finished.push(message);
      this.deleteFinished();
    } else {
      this.held.delete(message);
      this.options.events.failed(message, verdict.reason);
    }
    this.notify();
  }

  /**
   * Each finished message is deleted as soon as it can be (those finishing together share one call): a slow sibling
   * must not widen the window in which a crash makes a logged message come back.
   */
  private deleteFinished(): void {
    const { client, queueUrl, events } = this.options;
    this.deletes = this.deletes.then(async () => {
      const batch = this.finished.splice(0, 10);
      if (batch.length === 0) return;
      const report = await deleteMessages(client, queueUrl, batch);
      for (const m of batch) this.held.delete(m);
      if (report.deleted.length > 0) events.deleted(report.deleted);
      for (const f of report.failed) events.deleteFailed(f.message, f.reason);
      this.notify();
    });
  }

  /** Past `messageTimeoutMs`: abandon the work, let another consumer (or this one) have the message now. */
  private timeOut(message: ReceivedMessage): void {
    if (!this.working.has(message)) return;
    this.giveUp([message]);
    const release = changeVisibility(this.options.client, this.options.queueUrl, [message], 0).then(() => {
      this.releases.delete(release);
    });
    this.releases.add(release);
    this.options.events.timedOut(message, this.options.messageTimeoutMs);
  }

  private giveUp(messages: readonly ReceivedMessage[]): void {
    for (const m of messages) {
      this.working.get(m)?.abort();
      this.working.delete(m);
      this.held.delete(m);
    }
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/**
 * Half the visibility timeout, so one failed extension call still leaves time for the next before the message
 * reappears; never more often than 5 times a second.
 */
export function extensionIntervalMs(visibilityTimeoutSeconds: number): number {
  return Math.max(200, visibilityTimeoutSeconds * 500);
}
