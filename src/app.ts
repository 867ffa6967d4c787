// The composition root: the only file that knows the whole graph
//   payload → unwrap → normalize → diff → break-glass → evaluate → drift log
//   (a log file read by the byte scan enters at unwrap with only the records the rules may read: Core.readSet)
// Every stage it calls is pure but break-glass, which keeps each key's recent emergency history: in this process
// (replay, rules test), or, with `holdBreakGlass`, in the daemon's store (src/breakglass/resolve.ts), where the core
// hands those events back unevaluated. The commands (replay, the daemon) own the I/O around it.
import type { JsonValue } from './model/json.ts';
import type { DeclaredIndex } from './model/declared.ts';
import type { KmsEvent } from './model/kms-event.ts';
import type { DriftFinding } from './model/finding.ts';
import type { EmittedLog, EventResult, PayloadOutcome, S3ObjectRef } from './model/outcome.ts';
import type { Problem, SkipReason } from './model/problem.ts';
import { atLeast, type Priority } from './model/priority.ts';
import { unwrapPayload, unwrapRecordItems, type Unwrapped } from './unwrap/unwrap.ts';
import type { ScannedLogFile } from './sources/prefilter/log-file.ts';
import { normalizeRecord } from './normalize/normalize.ts';
import type { ReadSet } from './normalize/read-set.ts';
import { createDiffer } from './diff/diff.ts';
import { classifyTogether, createBreakGlass } from './breakglass/break-glass.ts';
import { createClassifier, type Classifier } from './breakglass/classify.ts';
import { historyKeyOf, type Evaluator } from './breakglass/logs.ts';
import { DEFAULT_COMPLIANCE, type ComplianceSettings } from './model/compliance.ts';
import type { Ruleset } from './rules/load/ruleset.ts';
import { toDriftLog } from './sinks/drift-log.ts';

export type { EmittedLog, PayloadOutcome } from './model/outcome.ts';

export interface CoreOptions extends Partial<ComplianceSettings> {
  readonly ruleset: Ruleset;
  /** ARN patterns (with `*`) of principals whose changes are Terraform's own, besides its user agent. */
  readonly terraformPrincipals: readonly string[];
  /** Matches less severe than this are not logged. */
  readonly minPriority?: Priority;
  /** Break-glass events are returned in `held` for the caller to classify over its store (the daemon). */
  readonly holdBreakGlass?: boolean;
  /**
   * Which records become events; default the ruleset's own (the records its rules can match). `rules test` and
   * `rules explain` read every record, to show what each rule makes of it.
   */
  readonly readSet?: ReadSet;
}

/** The state can be swapped while running (reloads); the core always reads the current one. */
export interface StateHolder {
  current(): DeclaredIndex;
}

export interface Core {
  /** The records this core turns into events: the byte scan of a log file must skip by the same set. */
  readonly readSet: ReadSet;
  processPayload(value: JsonValue, path?: string): PayloadOutcome;
  /** A log file the byte scan read: only its kept records are normalized; the outcome is processPayload's. */
  processLogFile(file: ScannedLogFile, path?: string): PayloadOutcome;
  /** The same, with each event passed through `enrich` (live KMS reads) before the diff. */
  processLogFileWith(
    file: ScannedLogFile,
    path: string,
    enrich: (event: KmsEvent) => Promise<KmsEvent>,
  ): Promise<PayloadOutcome>;
  /** The same, with each event passed through `enrich` (live KMS reads) before the diff. */
  processPayloadWith(
    value: JsonValue,
    path: string,
    enrich: (event: KmsEvent) => Promise<KmsEvent>,
  ): Promise<PayloadOutcome>;
  /** An event that did not come from CloudTrail (a scan finding): diffed and evaluated like any other. */
  processEvent(event: KmsEvent): EventResult;
  /** The findings a payload leads to, before any rule: what `rules explain` evaluates conditions on. */
  findings(value: JsonValue, path?: string): readonly DriftFinding[];
  /** With `holdBreakGlass` and emergency principals: what classifying the held events needs. */
  readonly breakGlass?: { readonly classifier: Classifier; readonly evaluator: Evaluator };
}

interface Normalized {
  readonly events: readonly KmsEvent[];
  readonly problems: Problem[];
  readonly skipped: Partial<Record<SkipReason, number>>;
  readonly s3Objects: readonly S3ObjectRef[];
}

export function createCore(options: CoreOptions, state: StateHolder): Core {
  const compliance = complianceOf(options);
  const differ = createDiffer({
    terraformPrincipals: options.terraformPrincipals,
    allowedAccounts: compliance.allowedAccounts,
  });
  const { ruleset, minPriority } = options;
  const readSet = options.readSet ?? ruleset.readSet;
  const evaluator: Evaluator = {
    diff: (event) => differ(event, state.current()),
    evaluate(finding) {
      const logs: EmittedLog[] = [];
      for (const hit of ruleset.evaluate(finding)) {
        if (minPriority !== undefined && !atLeast(hit.priority, minPriority)) continue;
        logs.push({ priority: hit.priority, msg: hit.output, log: toDriftLog(finding, hit) });
      }
      return logs;
    },
  };
  const classifier = createClassifier(compliance);
  const hold = options.holdBreakGlass === true && classifier !== undefined;
  const breakGlass = classifier === undefined || hold ? undefined : createBreakGlass(classifier, evaluator);
  const processEvent = (event: KmsEvent): EventResult => {
    const finding = evaluator.diff(event);
    if (hold && classifier.relevant(event) && historyKeyOf(finding) !== undefined)
      return { driftType: finding.driftType, logs: [], held: finding };
    return { driftType: finding.driftType, logs: breakGlass?.(finding) ?? evaluator.evaluate(finding) };
  };
  const outcome = (n: Normalized, results: readonly EventResult[]): PayloadOutcome => {
    const logs: EmittedLog[] = [];
    const held: DriftFinding[] = [];
    const heldAt: number[] = [];
    for (const r of results) {
      if (r.held !== undefined) {
        held.push(r.held);
        heldAt.push(logs.length);
      }
      for (const l of r.logs) logs.push(l);
    }
    return {
      logs,
      problems: n.problems,
      events: n.events.map((e, i) => ({
        name: e.name,
        eventId: e.eventId,
        eventTime: e.eventTime,
        driftType: results[i]?.driftType ?? 'none',
      })),
      skipped: n.skipped,
      s3Objects: n.s3Objects,
      held,
      ...(held.length === 0 ? {} : { heldAt }),
    };
  };
  const normalizePayload = (value: JsonValue, path: string | undefined): Normalized =>
    normalizeUnwrapped(unwrapPayload(value, path), readSet);
  const normalizeLogFile = (file: ScannedLogFile, path: string | undefined): Normalized =>
    withScanSkips(normalizeUnwrapped(unwrapRecordItems(file.kept, path), readSet), file);
  return {
    readSet,
    processEvent,
    ...(hold ? { breakGlass: { classifier, evaluator } } : {}),
    findings(value, path) {
      const findings = normalizePayload(value, path).events.map(evaluator.diff);
      return classifier === undefined ? findings : classifyTogether(classifier, findings);
    },
    processPayload(value, path) {
      const n = normalizePayload(value, path);
      return outcome(n, n.events.map(processEvent));
    },
    processLogFile(file, path) {
      const n = normalizeLogFile(file, path);
      return outcome(n, n.events.map(processEvent));
    },
    async processLogFileWith(file, path, enrich) {
      const n = normalizeLogFile(file, path);
      const results: EventResult[] = [];
      for (const event of n.events) results.push(processEvent(await enrich(event)));
      return outcome(n, results);
    },
    async processPayloadWith(value, path, enrich) {
      const n = normalizePayload(value, path);
      const results: EventResult[] = [];
      for (const event of n.events) results.push(processEvent(await enrich(event)));
      return outcome(n, results);
    },
  };
}

/** The kept records of a scanned log file, with the records the scan skipped added to the skip counts. */
function withScanSkips(n: Normalized, file: ScannedLogFile): Normalized {
  for (const [reason, count] of Object.entries(file.skipped) as [SkipReason, number][]) {
    n.skipped[reason] = (n.skipped[reason] ?? 0) + count;
  }
  return n;
}

function normalizeUnwrapped(unwrapped: Unwrapped, readSet: ReadSet): Normalized {
  const events: KmsEvent[] = [];
  const problems: Problem[] = [...unwrapped.problems];
  const skipped: Partial<Record<SkipReason, number>> = { ...unwrapped.skipped };
  for (const { record, path: recordPath } of unwrapped.records) {
    const normalized = normalizeRecord(record, recordPath, readSet);
    if (normalized.kind === 'skip') skipped[normalized.reason] = (skipped[normalized.reason] ?? 0) + 1;
    else if (normalized.kind === 'problem') problems.push(normalized.problem);
    else {
      problems.push(...normalized.warnings);
      events.push(normalized.event);
    }
  }
  return { events, problems, skipped, s3Objects: unwrapped.s3Objects };
}

function complianceOf(options: Partial<ComplianceSettings>): ComplianceSettings {
  return {
    allowedAccounts: options.allowedAccounts ?? DEFAULT_COMPLIANCE.allowedAccounts,
    emergencyPrincipals: options.emergencyPrincipals ?? DEFAULT_COMPLIANCE.emergencyPrincipals,
    recoveryPrincipals: options.recoveryPrincipals ?? DEFAULT_COMPLIANCE.recoveryPrincipals,
    recoveryWindowDays: options.recoveryWindowDays ?? DEFAULT_COMPLIANCE.recoveryWindowDays,
  };
}

export function fixedState(index: DeclaredIndex): StateHolder {
  return { current: () => index };
}
