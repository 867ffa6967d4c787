import type { PayloadOutcome } from '../app.ts';
import { SeenEventIds } from '../dedup/event-ids.ts';
import { atLeast, type Priority } from '../model/priority.ts';
import { formatProblem } from '../model/problem.ts';
import { replayResults } from './replay-workers.ts';
import { breakGlassInOrder } from './replay-breakglass.ts';
import { defaultJobs, usableCores } from '../config/cgroup-cpu.ts';
import { cgroupMemoryLimit } from '../config/cgroup.ts';
import { EXIT } from './exit-codes.ts';
import type { OutputFormat } from './options.ts';
import { setupCore, type SetupOptions } from './setup.ts';
import { driftLogOutput } from './output.ts';
import { NO_TERMINAL, Progress, type Terminal } from './terminal.ts';
import { Tally } from './tally.ts';
import { replayAlerts, type ReplayAlertOptions } from './alert-output.ts';
import { describeReadSet } from '../normalize/read-set.ts';

export interface ReplayOptions extends SetupOptions {
  readonly inputs: readonly string[];
  readonly failOn?: Priority;
  /** Default json. */
  readonly format?: OutputFormat;
  /** CloudTrail eventIDs remembered to drop duplicates (the daemon's dedupSize). Default 100000. */
  readonly dedupSize?: number;
  /** `--http-output`: every drift log is also posted there. */
  readonly httpOutput?: ReplayAlertOptions;
  /** `--jobs`: threads that evaluate files, the main one included (replay-workers.ts). Default: defaultJobs(). */
  readonly jobs?: number;
}

export interface CliIo {
  /** One line of a command's primary output, for commands whose output is not drift logs (no trailing newline). */
  readonly out: (line: string) => void;
  /** One diagnostic line (no trailing newline). */
  readonly err: (line: string) => void;
  readonly stdin: NodeJS.ReadableStream;
  /** Where replay writes drift logs, as a stream (backpressure); without it, JSON goes to fd 1 synchronously. */
  readonly stdout?: NodeJS.WritableStream;
}

/**
 * Exit codes (src/cli/exit-codes.ts): 0 done, 1 rules or state unusable (nothing replayed), 3 `--fail-on` reached,
 * 4 an input missing, unreadable or with an error record (the rest was replayed), 5 an alert not delivered to
 * `--http-output`.
 */
export async function replay(options: ReplayOptions, io: CliIo, term: Terminal = NO_TERMINAL): Promise<number> {
  // Break-glass events are held and classified here in input order (replay-breakglass.ts), on one thread or many.
  const setup = await setupCore({ ...options, holdBreakGlass: true });
  for (const p of setup.problems) io.err(formatProblem(p));
  if (!setup.ok) {
    io.err('kms-drift replay: not replaying: fix the errors above');
    return EXIT.unusable;
  }
  if (options.states.length === 0) {
    io.err('kms-drift replay: warning: no --state, so every key and alias is unmanaged and reported as such');
  }
  const { core } = setup;
  const progress = term.stderrIsTTY ? new Progress(term) : undefined;
  const output = driftLogOutput(options.format ?? 'json', io, term, progress, io.stdout);
  const seen = new SeenEventIds(options.dedupSize ?? 100_000);
  const tally = new Tally();
  const alerts = options.httpOutput === undefined ? undefined : replayAlerts(options.httpOutput, output.err);
  tally.reads = describeReadSet(core.readSet);
  let failed = false;
  let incomplete = false;
  let files = 0;
  let lastSource: string | undefined;
  const inOrder = breakGlassInOrder(core);
  const jobs = options.jobs ?? defaultJobs(usableCores(), cgroupMemoryLimit(), process.memoryUsage.rss());
  for await (const payload of replayResults(options.inputs, { core, jobs, setup: options, stdin: io.stdin })) {
    if (payload.source !== lastSource) {
      files++;
      lastSource = payload.source;
    }
    if ('problem' in payload) {
      output.err(formatProblem(payload.problem));
      tally.addProblem(payload.problem.code);
      if (payload.problem.severity === 'error') incomplete = true;
      continue;
    }
    const outcome = dropDuplicates(inOrder(payload.outcome), seen);
    tally.add(outcome);
    for (const p of outcome.problems) {
      output.err(formatProblem({ ...p, source: p.source ?? payload.source }));
      if (p.severity === 'error') incomplete = true;
    }
    for (const ref of outcome.s3Objects) {
      output.err(
        `${payload.source} ${ref.path} s3://${ref.bucket}/${ref.key}: not read: S3 log files are fetched by \`kms-drift run\`, not by replay`,
      );
      incomplete = true;
    }
    for (const l of outcome.logs) {
      output.writer.write(l.priority, l.log, l.msg);
      await alerts?.post(l);
      if (options.failOn !== undefined && atLeast(l.priority, options.failOn)) failed = true;
    }
    await output.drained();
    progress?.update(
      () => `kms-drift replay: ${files} inputs, ${tally.eventCount} events, ${tally.logCount} drift logs…`,
    );
  }
  await output.writer.flush();
  output.summary('replay', tally);
  if (incomplete) io.err(`kms-drift replay: inputs incomplete: see the problems above`);
  const undelivered = alerts?.undelivered();
  if (undelivered !== undefined) io.err(`kms-drift replay: ${undelivered}`);
  return failed ? EXIT.failOn : incomplete ? EXIT.incomplete : undelivered !== undefined ? EXIT.undelivered : EXIT.ok;
}

/**
 * Events whose CloudTrail eventID an earlier payload carried are dropped and counted as `duplicate`, as the daemon
 * drops them: the same file given twice, or overlapping exports, log each event once. Within one payload every
 * event stands (one event may log several rules).
 */
function dropDuplicates(outcome: PayloadOutcome, seen: SeenEventIds): PayloadOutcome {
  const duplicates = new Set<string>();
  const fresh = new Set<string>();
  const events = outcome.events.filter((e) => {
    if (e.eventId === '' || fresh.has(e.eventId)) return true;
    if (seen.claim(e.eventId)) {
      duplicates.add(e.eventId);
      return false;
    }
    fresh.add(e.eventId);
    return true;
  });
  if (duplicates.size === 0) return outcome;
  return {
    ...outcome,
    events,
    logs: outcome.logs.filter((l) => !duplicates.has(String(l.log['event_id']))),
    skipped: {
      ...outcome.skipped,
      duplicate: (outcome.skipped.duplicate ?? 0) + outcome.events.length - events.length,
    },
  };
}
