import type { DriftFinding } from '../model/finding.ts';
import type { KmsEvent } from '../model/kms-event.ts';
import { step, type Classifier } from './classify.ts';
import { historyKeyOf, stepLogs, withEmergency, type BreakGlassLog, type Evaluator } from './logs.ts';

/** Keys remembered at most; the least recently changed is forgotten first (a bound, not an expected load). */
const MAX_KEYS = 10_000;

/** The logs of a break-glass event (its own and what it re-classified), or undefined for any other event. */
export type BreakGlass = (finding: DriftFinding) => readonly BreakGlassLog[] | undefined;

/**
 * Break-glass inside one process (replay, `rules test`, `rules explain`): each key's history in memory, classified
 * by event time (src/breakglass/classify.ts), so the input's order does not change the classifications. An event
 * seen before changes nothing here: replay has no claims to drop a repeated event's re-classifications. The daemon
 * classifies over its store instead (src/breakglass/resolve.ts).
 */
export function createBreakGlass(classifier: Classifier, core: Evaluator): BreakGlass {
  const histories = new Map<string, readonly KmsEvent[]>();
  return (finding) => {
    const key = historyKeyOf(finding);
    if (key === undefined || !classifier.relevant(finding.event)) return undefined;
    const s = step(classifier, histories.get(key) ?? [], finding.event);
    histories.delete(key);
    histories.set(key, s.history);
    if (histories.size > MAX_KEYS) {
      const oldest = histories.keys().next();
      if (oldest.done !== true) histories.delete(oldest.value);
    }
    return stepLogs(core, finding, s, !s.known);
  };
}

/** The findings of one payload, each break-glass event classified among the payload's events of its key. */
export function classifyTogether(classifier: Classifier, findings: readonly DriftFinding[]): DriftFinding[] {
  const byKey = new Map<string, KmsEvent[]>();
  for (const f of findings) {
    const key = historyKeyOf(f);
    if (key === undefined || !classifier.relevant(f.event)) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), f.event]);
  }
  const classes = new Map([...byKey.values()].flatMap((events) => [...classifier.classify(events)]));
  return findings.map((f) => withEmergency(f, classes.get(f.event.eventId)));
}
