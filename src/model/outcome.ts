// What the core hands back for one payload: plain data shared by the core (app.ts), the daemon, replay's tally and
// the metrics. It lives here, not in the composition root, so a sink can know it without knowing the graph.
import type { KmsEvent } from './kms-event.ts';
import type { DriftFinding, DriftType } from './finding.ts';
import type { Priority } from './priority.ts';
import type { Problem, SkipReason } from './problem.ts';
import type { JsonValue } from './json.ts';

export interface EmittedLog {
  readonly priority: Priority;
  readonly msg: string;
  /** The drift log's keys (sinks/drift-log.ts `DriftLog`, the same type). */
  readonly log: Readonly<Record<string, JsonValue>>;
}

export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly path: string;
}

/** One event a payload carried, with what the diff made of it. */
export interface OutcomeEvent {
  readonly name: KmsEvent['name'];
  readonly eventId: string;
  readonly eventTime: string;
  readonly driftType: DriftType;
}

/** Everything one payload produced. Plain data: the caller writes the logs, counts, and decides what to delete. */
export interface PayloadOutcome {
  readonly logs: readonly EmittedLog[];
  readonly problems: readonly Problem[];
  readonly events: readonly OutcomeEvent[];
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  /** Log files an envelope points at (S3 notifications); only a source with S3 access can follow them. */
  readonly s3Objects: readonly S3ObjectRef[];
  /** With `holdBreakGlass`: the break-glass events, diffed, whose logs the caller produces (`Core.breakGlass`). */
  readonly held: readonly DriftFinding[];
  /**
   * For each of `held`, how many of `logs` come before its place: a caller that writes in input order (replay)
   * puts the held event's logs there, where the core would have put them without `holdBreakGlass`.
   */
  readonly heldAt?: readonly number[];
}

export interface EventResult {
  readonly driftType: DriftType;
  readonly logs: readonly EmittedLog[];
  readonly held?: DriftFinding;
}
