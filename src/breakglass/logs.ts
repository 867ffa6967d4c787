import type { DriftFinding, EmergencyContext } from '../model/finding.ts';
import type { KmsEvent } from '../model/kms-event.ts';
import type { JsonObject, JsonValue } from '../model/json.ts';
import type { Priority } from '../model/priority.ts';
import type { Reclassified, Step } from './classify.ts';

/** A drift log as the core emits it (structurally app.ts's EmittedLog; this stage does not import the root). */
export interface BreakGlassLog {
  readonly priority: Priority;
  readonly msg: string;
  readonly log: Readonly<Record<string, JsonValue>>;
}

/** What turning a classification into drift logs needs from the core: the diff and the rules. */
export interface Evaluator {
  /** The event compared with the current state, without break-glass. */
  diff(event: KmsEvent): DriftFinding;
  /** The drift logs the rules produce for a finding. */
  evaluate(finding: DriftFinding): readonly BreakGlassLog[];
}

/**
 * The logs of one event added to its key's history: its own, classified, and for every earlier-seen event whose
 * classification it changed, the logs of the rules that match now and did not before, marked `reclassified` with
 * the eventID that changed them (the claim a daemon takes for them) and the previous status. A log already written
 * cannot be taken back: a rule that no longer matches is not repeated.
 */
export function stepLogs(core: Evaluator, finding: DriftFinding, s: Step, withChanged = true): BreakGlassLog[] {
  const own = core.evaluate(withEmergency(finding, s.own));
  if (!withChanged) return [...own];
  return [...own, ...s.changed.flatMap((c) => reclassifiedLogs(core, c, finding.event.eventId))];
}

function reclassifiedLogs(core: Evaluator, c: Reclassified, by: string): BreakGlassLog[] {
  const base = core.diff(c.event);
  const before = new Set(core.evaluate(withEmergency(base, c.before)).map((l) => l.log['rule']));
  return core
    .evaluate(withEmergency(base, c.after))
    .filter((l) => !before.has(l.log['rule']))
    .map((l) => ({
      ...l,
      log: {
        ...l.log,
        reclassified: { by_event_id: by, ...(c.before === undefined ? {} : { previous_status: c.before.status }) },
      },
    }));
}

export function withEmergency(finding: DriftFinding, emergency: EmergencyContext | undefined): DriftFinding {
  if (emergency === undefined) {
    if (finding.emergency === undefined) return finding;
    const { emergency: _, ...rest } = finding;
    return rest;
  }
  return { ...finding, emergency };
}

/** The eventID whose claim covers a drift log: the event that re-classified it, else its own. */
export function claimIdOf(log: Readonly<Record<string, JsonValue>>): string | undefined {
  const re = log['reclassified'];
  const by =
    re !== null && typeof re === 'object' && !Array.isArray(re) ? (re as JsonObject)['by_event_id'] : undefined;
  if (typeof by === 'string') return by;
  const id = log['event_id'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The history a finding belongs to: its key. */
export function historyKeyOf(finding: DriftFinding): string | undefined {
  return finding.event.key?.keyId ?? finding.resource;
}
