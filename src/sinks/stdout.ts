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
 * One JSON object a line on the given file descriptor (stdout by default), through pino. Asynchronous writes
 * (sonic-boom) are measurably faster than sync writes for replays of large trails; `flush` is what makes the
 * daemon's "delete only after the log is written" true.
 */
export function pinoDriftLogWriter(fd = 1): DriftLogWriter {
  const destination = pino.destination({ fd, sync: false, minLength: 0 });
  const logger: Logger = pino(
    { base: null, level: 'trace', messageKey: 'msg', timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
  return {
    write(priority, log, msg) {
      logger[PINO_LEVEL[priority]](log, msg);
    },
    flush() {
      return new Promise((resolve, reject) => {
        destination.flush((err?: Error) => (err ? reject(err) : resolve()));
      });
    },
  };
}
