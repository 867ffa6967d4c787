import type { FieldDef, FieldResult, RuleSubject } from '../fields/types.ts';

/**
 * Field values computed once per event. The ruleset tests one event's candidate rules (conditions, then outputs) on
 * one subject object that it creates for that event; between beginEvent(subject) and endEvent(), a memoized field
 * read on that very object is computed once and reused by every rule. A read on any other subject (`rules explain`,
 * tests, a caller's own) is computed afresh, so a subject changed in place between two calls never sees a stale
 * value. Each field has a slot; a slot's value counts only when its stamp is the current event's: starting an event
 * is one increment, nothing is cleared or allocated per event.
 */
let current: RuleSubject | undefined;
let event = 0;
const stamps: number[] = [];
const values: (FieldResult | undefined)[] = [];
const slots = new WeakMap<FieldDef, number>();

/** The subject of the event now being evaluated (ruleset.ts), until endEvent. */
export function beginEvent(subject: RuleSubject): void {
  current = subject;
  event++;
}

export function endEvent(): void {
  current = undefined;
}

/** The field's value read through its slot: once per event for the ruleset's subject, every time for others. */
export function memoized(def: FieldDef): (subject: RuleSubject) => FieldResult | undefined {
  let slot = slots.get(def);
  if (slot === undefined) {
    slot = stamps.length;
    stamps.push(0);
    values.push(undefined);
    slots.set(def, slot);
  }
  const s = slot;
  const extract = def.extract;
  return (subject) => {
    if (subject !== current) return extract(subject);
    if (stamps[s] === event) return values[s];
    const v = extract(subject);
    stamps[s] = event;
    values[s] = v;
    return v;
  };
}
