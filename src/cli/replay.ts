import { atLeast, type Priority } from '../model/priority.ts';
import { formatProblem } from '../model/problem.ts';
import { readInputs } from '../sources/files/read-inputs.ts';
import { setupCore, type SetupOptions } from './setup.ts';
import { pinoDriftLogWriter } from '../sinks/stdout.ts';
import { Tally } from './tally.ts';

export interface ReplayOptions extends SetupOptions {
  readonly inputs: readonly string[];
  readonly failOn?: Priority;
}

export interface CliIo {
  /** One line of a command's primary output, for commands whose output is not drift logs (no trailing newline). */
  readonly out: (line: string) => void;
  /** One diagnostic line (no trailing newline). */
  readonly err: (line: string) => void;
  readonly stdin: NodeJS.ReadableStream;
}

/** Exit codes: 0 done, 1 rules or state unusable (nothing replayed), 3 `--fail-on` threshold reached. */
export async function replay(options: ReplayOptions, io: CliIo): Promise<number> {
  const setup = await setupCore(options);
  for (const p of setup.problems) io.err(formatProblem(p));
  if (!setup.ok) {
    io.err('kms-drift: not replaying: fix the errors above');
    return 1;
  }
  const { core } = setup;
  const writer = pinoDriftLogWriter(1);
  const tally = new Tally();
  let failed = false;
  for await (const payload of readInputs(options.inputs, { stdin: io.stdin })) {
    if ('problem' in payload) {
      io.err(formatProblem(payload.problem));
      tally.addProblem(payload.problem.code);
      continue;
    }
    const outcome =
      'logFile' in payload ? core.processLogFile(payload.logFile) : core.processPayload(payload.value, payload.path);
    tally.add(outcome);
    for (const p of outcome.problems) io.err(formatProblem({ ...p, source: p.source ?? payload.source }));
    for (const ref of outcome.s3Objects) {
      io.err(
        `${payload.source} ${ref.path} s3://${ref.bucket}/${ref.key}: S3 log files are fetched by \`kms-drift run\`, not by replay`,
      );
    }
    for (const l of outcome.logs) {
      writer.write(l.priority, l.log, l.msg);
      if (options.failOn !== undefined && atLeast(l.priority, options.failOn)) failed = true;
    }
  }
  await writer.flush();
  io.err(`kms-drift replay: ${tally.summary()}`);
  return failed ? 3 : 0;
}
