import { pino, type Logger } from 'pino';
import type { DriftLog } from './drift-log.ts';
import type { Priority } from '../model/priority.ts';
import { PINO_LEVEL } from './log-level.ts';

export interface DriftLogWriter {
  write(priority: Priority, log: DriftLog, msg: string): void;
  /** Resolves when every written line has reached the destination. */
  flush(): Promise<void>;
}

/**
 * One JSON object a line on the given file descriptor (stdout by default), through pino.
 * - `durable` (the daemon): every write reaches the descriptor before `write` returns, so a message deleted after
 *   its logs were written cannot lose them to a crash. (sonic-boom's asynchronous mode with minLength 0 calls a
 *   flush callback at once, while writes are still queued: the SIGKILL test caught that.)
 * - `buffered` (replay): 4-KB batches for throughput; `flush` then waits for the buffer to drain.
 */
export function pinoDriftLogWriter(fd = 1, mode: 'durable' | 'buffered' = 'durable'): DriftLogWriter {
  const destination =
    mode === 'durable' ? pino.destination({ fd, sync: true }) : pino.destination({ fd, sync: false, minLength: 4096 });
  const logger: Logger = pino(
    { base: null, level: 'trace', messageKey: 'msg', timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
  return {
    write(priority, log, msg) {
      logger[PINO_LEVEL[priority]](log, msg);
    },
    flush() {
      if (mode === 'durable') return Promise.resolve();
      return new Promise((resolve, reject) => {
        destination.flush((err?: Error) => (err ? reject(err) : resolve()));
      });
    },
  };
}
