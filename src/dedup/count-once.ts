import type { EmittedLog, PayloadOutcome } from '../model/outcome.ts';

/**
 * The payloads of one message (or one LookupEvents slice) as they are counted: every event already logged before
 * (`duplicateIds`, from the claims) or earlier in the same batch taken out — its drift logs dropped, the event counted
 * as a `duplicate` skip instead of under its drift type — so each event is counted once. Events without an eventID
 * cannot be recognised and always count. Pure.
 */
export function countOnce(outcomes: readonly PayloadOutcome[], duplicateIds: ReadonlySet<string>): PayloadOutcome[] {
  const mine = new Set<string>();
  // One log per event and rule, even when one message carries an event twice (an EventBridge copy and its log file).
  const written = new Set<string>();
  return outcomes.map((o): PayloadOutcome => {
    let duplicates = 0;
    const events = o.events.filter((e) => {
      if (e.eventId === '') return true;
      if (mine.has(e.eventId) || duplicateIds.has(e.eventId)) {
        duplicates++;
        return false;
      }
      mine.add(e.eventId);
      return true;
    });
    const kept = new Set(events.map((e) => e.eventId));
    const logs = o.logs.filter((l: EmittedLog) => {
      const id = l.log['event_id'];
      if (typeof id !== 'string' || id === '') return true;
      const key = `${id}\u0000${String(l.log['rule'])}`;
      if (!kept.has(id) || written.has(key)) return false;
      written.add(key);
      return true;
    });
    if (duplicates === 0 && logs.length === o.logs.length) return o;
    return {
      ...o,
      events,
      logs,
      skipped: duplicates === 0 ? o.skipped : { ...o.skipped, duplicate: (o.skipped.duplicate ?? 0) + duplicates },
    };
  });
}
