import type { ComplianceSettings } from '../model/compliance.ts';
import type { EmergencyContext, EmergencyStatus } from '../model/finding.ts';
import type { KmsEvent, KmsEventName } from '../model/kms-event.ts';
import { principalMatcher, type PrincipalMatcher } from '../diff/by-terraform.ts';

const EMERGENCY_ACTIONS: ReadonlySet<string> = new Set<KmsEventName>([
  'DisableKey',
  'ScheduleKeyDeletion',
  'RevokeGrant',
]);
const RECOVERY_ACTIONS: ReadonlySet<string> = new Set<KmsEventName>(['EnableKey', 'CancelKeyDeletion']);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * An episode that no EnableKey closes ends this long after its window: a recovery later than that is an ordinary
 * change, so an emergency whose recovery was never seen cannot turn an unrelated EnableKey months later into a
 * Critical.
 */
export const EPISODE_GRACE_DAYS = 14;
/**
 * How late an event may arrive behind the newest event of its key and still be classified as if it had come in
 * order: SQS keeps a message at most 14 days, so no delivery path brings it later.
 */
export const LATENESS_DAYS = 14;
/** Events kept per key at most (the newest); a bound against a flood of EnableKey calls, not an expected load. */
export const MAX_EVENTS_PER_KEY = 100;

/** How long, in event time behind a key's newest event, its history keeps an event. */
export function historyKeepMs(windowDays: number): number {
  return (windowDays + EPISODE_GRACE_DAYS + LATENESS_DAYS) * DAY_MS;
}

/** The break-glass settings compiled once. */
export interface Classifier {
  /** An emergency principal's emergency action, or any recovery action: the events a key's history keeps. */
  relevant(event: KmsEvent): boolean;
  /** Each event of a key's history → its classification (events that are no part of an episode are absent). */
  classify(history: readonly KmsEvent[]): ReadonlyMap<string, EmergencyContext>;
  /** The history bounded by event time and count, in event-time order. */
  bound(history: readonly KmsEvent[]): KmsEvent[];
  readonly windowDays: number;
}

interface Emergency {
  readonly event: KmsEvent;
  readonly ms: number;
}

export function createClassifier(settings: ComplianceSettings): Classifier | undefined {
  if (settings.emergencyPrincipals.length === 0) return undefined;
  const isEmergency = principalMatcher(settings.emergencyPrincipals);
  const isRecovery: PrincipalMatcher = principalMatcher(
    settings.recoveryPrincipals.length > 0 ? settings.recoveryPrincipals : settings.emergencyPrincipals,
  );
  const windowDays = settings.recoveryWindowDays;
  const windowMs = windowDays * DAY_MS;
  const episodeMs = windowMs + EPISODE_GRACE_DAYS * DAY_MS;
  const keepMs = historyKeepMs(windowDays);
  const emergency = (e: KmsEvent): boolean => EMERGENCY_ACTIONS.has(e.name) && isEmergency(e.actor);
  const order = inEventTimeOrder(emergency);

  return {
    windowDays,
    relevant: (e) =>
      e.error === undefined && !Number.isNaN(Date.parse(e.eventTime)) && (emergency(e) || RECOVERY_ACTIONS.has(e.name)),
    bound(history) {
      const sorted = order(history);
      const newest = sorted.at(-1);
      if (newest === undefined) return sorted;
      const from = Date.parse(newest.eventTime) - keepMs;
      return sorted.filter((e) => Date.parse(e.eventTime) >= from).slice(-MAX_EVENTS_PER_KEY);
    },
    classify(history) {
      const out = new Map<string, EmergencyContext>();
      let episode: Emergency | undefined;
      for (const e of order(history)) {
        const ms = Date.parse(e.eventTime);
        if (episode !== undefined && ms - episode.ms > episodeMs) episode = undefined;
        if (emergency(e)) {
          episode ??= { event: e, ms };
          out.set(e.eventId, context('authorized_emergency', episode.event, windowDays));
          continue;
        }
        if (episode === undefined || !RECOVERY_ACTIONS.has(e.name)) continue;
        const elapsed = ms - episode.ms;
        const status: EmergencyStatus = !isRecovery(e.actor)
          ? 'unauthorized_recovery'
          : elapsed <= windowMs
            ? 'recovery'
            : 'recovery_outside_window';
        out.set(e.eventId, {
          ...context(status, episode.event, windowDays),
          elapsed_hours: Math.round((elapsed / HOUR_MS) * 100) / 100,
        });
        if (e.name === 'EnableKey') episode = undefined;
      }
      return out;
    },
  };
}

/**
 * Event time, then (CloudTrail's times have whole seconds) emergency actions before recoveries of the same second,
 * then eventID: one order whatever order the events arrived in.
 */
function inEventTimeOrder(emergency: (e: KmsEvent) => boolean): (events: readonly KmsEvent[]) => KmsEvent[] {
  return (events) =>
    [...events].sort(
      (a, b) =>
        Date.parse(a.eventTime) - Date.parse(b.eventTime) ||
        Number(emergency(b)) - Number(emergency(a)) ||
        (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
    );
}

function context(status: EmergencyStatus, e: KmsEvent, windowDays: number): EmergencyContext {
  const user = e.actor.arn ?? e.actor.user;
  return {
    status,
    emergency_event: e.name,
    emergency_event_id: e.eventId,
    emergency_time: e.eventTime,
    ...(user === undefined ? {} : { emergency_user: user }),
    window_days: windowDays,
  };
}

/** One event added to its key's history: its own classification and the earlier-seen events it re-classifies. */
export interface Step {
  readonly history: readonly KmsEvent[];
  /** The event was in the history already (a redelivery, or a retry after a crash). */
  readonly known: boolean;
  readonly own: EmergencyContext | undefined;
  readonly changed: readonly Reclassified[];
}

export interface Reclassified {
  readonly event: KmsEvent;
  readonly before: EmergencyContext | undefined;
  readonly after: EmergencyContext | undefined;
}

/**
 * Adds `event` to `history` and compares every other event's classification without and with it. The result depends
 * only on the set of events, not on the order they came in: a redelivered event (already in the history) yields the
 * same `own` and `changed` as its first delivery, so a retry after a crash re-emits what the crash lost; the caller's
 * claims (or `known`) keep a redelivery from logging twice.
 */
export function step(classifier: Classifier, history: readonly KmsEvent[], event: KmsEvent): Step {
  const without = history.filter((e) => e.eventId !== event.eventId);
  const next = classifier.bound([...without, event]);
  const before = classifier.classify(without);
  const after = classifier.classify(next);
  const changed: Reclassified[] = [];
  for (const e of next) {
    if (e.eventId === event.eventId) continue;
    const b = before.get(e.eventId);
    const a = after.get(e.eventId);
    if (b?.status !== a?.status || b?.emergency_event_id !== a?.emergency_event_id)
      changed.push({ event: e, before: b, after: a });
  }
  return {
    history: next,
    known: without.length !== history.length,
    own: after.get(event.eventId),
    changed,
  };
}
