// The composition root: the only file that knows the whole graph
//   payload → unwrap → normalize → diff → evaluate → drift log
// Every stage it calls is pure; the commands (replay, the daemon) own the I/O around it.
import type { JsonValue } from './model/json.ts';
import type { DeclaredIndex } from './model/declared.ts';
import type { KmsEvent, KmsEventName, SCAN_EVENT } from './model/kms-event.ts';
import type { DriftType } from './model/finding.ts';
import type { Problem, SkipReason } from './model/problem.ts';
import { atLeast, type Priority } from './model/priority.ts';
import { unwrapPayload } from './unwrap/unwrap.ts';
import { normalizeRecord } from './normalize/normalize.ts';
import { createDiffer } from './diff/diff.ts';
import type { Ruleset } from './rules/load/ruleset.ts';
import { toDriftLog, type DriftLog } from './sinks/drift-log.ts';

export interface CoreOptions {
  readonly ruleset: Ruleset;
  /** ARN patterns (with `*`) of principals whose changes are Terraform's own, besides its user agent. */
  readonly terraformPrincipals: readonly string[];
  /** Matches less severe than this are not logged. */
  readonly minPriority?: Priority;
}

/** The state can be swapped while running (reloads); the core always reads the current one. */
export interface StateHolder {
  current(): DeclaredIndex;
}

export interface EmittedLog {
  readonly priority: Priority;
  readonly msg: string;
  readonly log: DriftLog;
}

export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly path: string;
}

/** Everything one payload produced. Plain data: the caller writes the logs, counts, and decides what to delete. */
export interface PayloadOutcome {
  readonly logs: readonly EmittedLog[];
  readonly problems: readonly Problem[];
  readonly events: readonly {
    readonly name: KmsEventName | typeof SCAN_EVENT;
    readonly eventId: string;
    readonly eventTime: string;
    readonly driftType: DriftType;
  }[];
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  /** Log files an envelope points at (S3 notifications); only a source with S3 access can follow them. */
  readonly s3Objects: readonly S3ObjectRef[];
}

export interface Core {
  processPayload(value: JsonValue, path?: string): PayloadOutcome;
  /** An event that did not come from CloudTrail (a scan finding): diffed and evaluated like any other. */
  processEvent(event: KmsEvent): { readonly driftType: DriftType; readonly logs: readonly EmittedLog[] };
}

export function createCore(options: CoreOptions, state: StateHolder): Core {
  const diff = createDiffer({ terraformPrincipals: options.terraformPrincipals });
  const { ruleset, minPriority } = options;
  const processEvent: Core['processEvent'] = (event) => {
    const finding = diff(event, state.current());
    const logs: EmittedLog[] = [];
    for (const hit of ruleset.evaluate(finding)) {
      if (minPriority !== undefined && !atLeast(hit.priority, minPriority)) continue;
      logs.push({ priority: hit.priority, msg: hit.output, log: toDriftLog(finding, hit) });
    }
    return { driftType: finding.driftType, logs };
  };
  return {
    processEvent,
    processPayload(value, path) {
      const unwrapped = unwrapPayload(value, path);
      const logs: EmittedLog[] = [];
      const problems: Problem[] = [...unwrapped.problems];
      const events: PayloadOutcome['events'][number][] = [];
      const skipped: Partial<Record<SkipReason, number>> = { ...unwrapped.skipped };
      for (const { record, path: recordPath } of unwrapped.records) {
        const normalized = normalizeRecord(record, recordPath);
        if (normalized.kind === 'skip') {
          skipped[normalized.reason] = (skipped[normalized.reason] ?? 0) + 1;
          continue;
        }
        if (normalized.kind === 'problem') {
          problems.push(normalized.problem);
          continue;
        }
        const { event } = normalized;
        problems.push(...normalized.warnings);
        const result = processEvent(event);
        events.push({
          name: event.name,
          eventId: event.eventId,
          eventTime: event.eventTime,
          driftType: result.driftType,
        });
        logs.push(...result.logs);
      }
      return { logs, problems, events, skipped, s3Objects: unwrapped.s3Objects };
    },
  };
}

export function fixedState(index: DeclaredIndex): StateHolder {
  return { current: () => index };
}
