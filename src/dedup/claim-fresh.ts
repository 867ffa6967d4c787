import type { EmittedLog, PayloadOutcome } from '../model/outcome.ts';

/** The dedup store as the daemon uses it: check-and-claim in one step, and undo a claim whose logs were not written. */
export interface EventIdClaims {
  /** True when `id` was claimed before (a duplicate); otherwise claims it. */
  claim(id: string): boolean;
  forget(id: string): void;
}

/**
 * The payloads of one message (or one LookupEvents page) with every event seen before taken out: its drift logs
 * dropped, and the event counted as a `duplicate` skip instead of under its drift type, so each event is counted
 * once. Claims are made in the same synchronous step as the checks, so two messages carrying one event cannot both
 * pass. Events without an eventID cannot be recognised and always pass.
 */
export function claimFresh(
  outcomes: readonly PayloadOutcome[],
  seen: EventIdClaims,
): { readonly fresh: PayloadOutcome[]; readonly claimed: string[] } {
  const claimed: string[] = [];
  const mine = new Set<string>();
  // One log per event and rule, even when one message carries an event twice (an EventBridge copy and its log file).
  const written = new Set<string>();
  const fresh = outcomes.map((o): PayloadOutcome => {
    let duplicates = 0;
    const events = o.events.filter((e) => {
      if (e.eventId === '') return true;
      if (mine.has(e.eventId) || seen.claim(e.eventId)) {
        duplicates++;
        return false;
      }
      mine.add(e.eventId);
      claimed.push(e.eventId);
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
  return { fresh, claimed };
}
