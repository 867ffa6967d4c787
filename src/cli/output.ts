import { pinoDriftLogWriter, type DriftLogWriter } from '../sinks/stdout.ts';
import { textDriftLogWriter } from '../sinks/text.ts';
import type { OutputFormat } from './options.ts';
import type { CliIo } from './replay.ts';
import { summaryTable } from './summary.ts';
import type { Progress, Terminal } from './terminal.ts';
import type { Tally } from './tally.ts';

/** Where replay, scan and demo write: drift logs in the chosen format, diagnostics, and the closing summary. */
export interface DriftLogOutput {
  readonly writer: DriftLogWriter;
  /** One diagnostic line on stderr, clearing the progress line first. */
  readonly err: (line: string) => void;
  /** The closing summary; `headline` replaces the first line of the text table. */
  readonly summary: (command: string, tally: Tally, headline?: string) => void;
  /** Resolves at once, or when `stdout` asks the writer to wait (its buffer is full): backpressure. */
  readonly drained: () => Promise<void>;
}

export function driftLogOutput(
  format: OutputFormat,
  io: CliIo,
  term: Terminal,
  progress: Progress | undefined,
  stdout?: NodeJS.WritableStream,
): DriftLogOutput {
  // With `stdout` (replay), JSON lines go through the stream like text lines do: a pipe then takes them without
  // blocking the thread, which goes on evaluating (and feeding its workers) while the reader catches up.
  const inner =
    format === 'text'
      ? textDriftLogWriter((line) => io.out(line), term.colour)
      : pinoDriftLogWriter(stdout === undefined ? 1 : { write: (line: string) => stdout.write(line) });
  return {
    writer: {
      write(priority, log, msg) {
        progress?.clear();
        inner.write(priority, log, msg);
      },
      flush: () => inner.flush(),
    },
    err(line) {
      progress?.clear();
      io.err(line);
    },
    drained: () =>
      stdout === undefined || !('writableNeedDrain' in stdout) || stdout.writableNeedDrain !== true
        ? Promise.resolve()
        : new Promise((resolve) => stdout.once('drain', resolve)),
    summary(command, tally, headline) {
      progress?.clear();
      if (format === 'text') for (const line of summaryTable(command, tally, headline)) io.err(line);
      else io.err(headline ?? `kms-drift ${command}: ${tally.summary()}`);
    },
  };
}
