import { pino, type Logger } from 'pino';
import type { DriftLog } from './drift-log.ts';
import type { Priority } from '../model/priority.ts';
import { PINO_LEVEL } from './log-level.ts';

export interface DriftLogWriter {
  write(priority: Priority, log: DriftLog, msg: string): void;
  /** Resolves when every written line has reached the destination (at once for a synchronous writer). */
  flush(): Promise<void>;
}

/**
 * One JSON object a line on the given file descriptor (stdout by default), through pino, written synchronously:
 * every line reaches the descriptor before `write` returns, so a message deleted after its logs were written cannot
 * lose them to a crash. (sonic-boom's asynchronous mode calls a flush callback at once while writes are still queued
 * when minLength is 0, and fsyncs — EINVAL on a pipe — when it is not; the SIGKILL test caught the first.) Drift logs
 * are about 1% of the records, so per-line writes do not show in the replay benchmark.
 */
export function pinoDriftLogWriter(fd = 1): DriftLogWriter {
  const destination = pino.destination({ fd, sync: true });
  const logger: Logger = pino(
    { base: null, level: 'trace', messageKey: 'msg', timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
  return {
    write(priority, log, msg) {
      logger[PINO_LEVEL[priority]](log, msg);
    },
    flush: () => Promise.resolve(),
  };
}
