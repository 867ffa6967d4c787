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
 */
export function pinoDriftLogWriter(target: number | DestinationStream = 1): DriftLogWriter {
  const destination = typeof target === 'number' ? pino.destination({ fd: target, sync: true }) : target;
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
    flush: () => Promise.resolve(),
  };
}
