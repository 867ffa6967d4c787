import { writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino, type DestinationStream } from 'pino';
import type { DriftLog } from './drift-log.ts';
import type { Priority } from '../model/priority.ts';
import { PINO_LEVEL } from './log-level.ts';

export interface DriftLogWriter {
  write(priority: Priority, log: DriftLog, msg: string): void;
  /** Resolves when every written line has reached the destination (at once for a synchronous writer). */
  flush(): Promise<void>;
}

/**
 * The drift logger's own level names, with pino's numbers (the contract: 60 for Critical and above). pino tells a
 * pino-pretty transport its levels (the PINO_CONFIG message), so Critical reads as CRITICAL there, not FATAL; a
 * pino-pretty reading a pipe learns them from `--customLevels` (docs/operations.md).
 */
export const DRIFT_LOG_LEVELS = { debug: 20, info: 30, warning: 40, error: 50, critical: 60 } as const;
type DriftLevel = keyof typeof DRIFT_LOG_LEVELS;

const LABEL: Readonly<Record<(typeof PINO_LEVEL)[Priority], DriftLevel>> = {
  fatal: 'critical',
  error: 'error',
  warn: 'warning',
  info: 'info',
  debug: 'debug',
};

/**
 * One JSON object a line on the given file descriptor (stdout by default), through pino, written synchronously:
 * every line reaches the descriptor before `write` returns, so a message deleted after its logs were written cannot
 * lose them to a crash. (sonic-boom's asynchronous mode calls a flush callback at once while writes are still queued
 * when minLength is 0, and fsyncs — EINVAL on a pipe — when it is not; the SIGKILL test caught the first.) Drift logs
 * are about 1% of the records, so per-line writes do not show in the replay benchmark.
 *
 * `batched` (the daemon): lines are held until `flush`, and the flushes asked for in one turn of the event loop
 * (the messages of one receive, which finish together) write all their lines with one write call; each `flush`
 * resolves only once its lines have reached the descriptor, which is what the daemon waits for before it deletes a
 * message. A full pipe is waited for without blocking the event loop (sonic-boom's synchronous mode sleeps 100 ms in
 * the write call: it stalled every message, the visibility extensions and /healthz with it).
 */
export function pinoDriftLogWriter(
  target: number | DestinationStream = 1,
  options: { readonly batched?: boolean } = {},
): DriftLogWriter {
  const batch = options.batched === true && typeof target === 'number' ? new BatchedFd(target) : undefined;
  const destination = batch ?? (typeof target === 'number' ? pino.destination({ fd: target, sync: true }) : target);
  const logger = pino<DriftLevel, true>(
    {
      base: null,
      level: 'debug',
      customLevels: DRIFT_LOG_LEVELS,
      useOnlyCustomLevels: true,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  return {
    write(priority, log, msg) {
      logger[LABEL[PINO_LEVEL[priority]]](log, msg);
    },
    flush: () => (batch === undefined ? Promise.resolve() : batch.flush()),
  };
}

/** Lines held until a flush; the flushes of one event-loop turn share one write. */
class BatchedFd implements DestinationStream {
  readonly #fd: number;
  #pending: string[] = [];
  /** The write that will take the lines held now (set from the first flush of a turn until it starts). */
  #next: Promise<void> | undefined;
  /** The writes started so far, in order: a flush resolves after every earlier line has been written too. */
  #written: Promise<void> = Promise.resolve();

  constructor(fd: number) {
    this.#fd = fd;
  }

  write(line: string): void {
    this.#pending.push(line);
  }

  flush(): Promise<void> {
    if (this.#next !== undefined) return this.#next;
    if (this.#pending.length === 0) return this.#written;
    this.#next = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const text = this.#pending.join('');
      this.#pending = [];
      this.#next = undefined;
      // A failed write fails its own flushes (their messages stay in the queue); the next write still runs.
      const write = this.#written.catch(() => undefined).then(() => writeAll(this.#fd, text));
      this.#written = write;
      return write;
    });
    return this.#next;
  }
}

/** Every byte of `text`, partial writes continued; a full non-blocking pipe (EAGAIN) is retried after a short wait. */
async function writeAll(fd: number, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  let waitMs = 1;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
      waitMs = 1;
    } catch (err: unknown) {
      if (!(err instanceof Error && 'code' in err && err.code === 'EAGAIN')) throw err;
      await sleep(waitMs);
      waitMs = Math.min(50, waitMs * 2);
    }
  }
}
