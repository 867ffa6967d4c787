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
}

export function driftLogOutput(
  format: OutputFormat,
  io: CliIo,
  term: Terminal,
  progress: Progress | undefined,
): DriftLogOutput {
  const inner = format === 'text' ? textDriftLogWriter((line) => io.out(line), term.colour) : pinoDriftLogWriter(1);
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
    summary(command, tally, headline) {
      progress?.clear();
      if (format === 'text') for (const line of summaryTable(command, tally, headline)) io.err(line);
      else io.err(headline ?? `kms-drift ${command}: ${tally.summary()}`);
    },
  };
}
