import type { ComplianceSettings } from '../model/compliance.ts';
import type { DriftFinding, EmergencyContext } from '../model/finding.ts';
import type { KmsEventName } from '../model/kms-event.ts';
import { principalMatcher } from '../diff/by-terraform.ts';

const EMERGENCY_ACTIONS: ReadonlySet<string> = new Set<KmsEventName>([
  'DisableKey',
  'ScheduleKeyDeletion',
  'RevokeGrant',
]);
const RECOVERY_ACTIONS: ReadonlySet<string> = new Set<KmsEventName>(['EnableKey', 'CancelKeyDeletion']);
const HOUR_MS = 3_600_000;
/** Keys remembered at most; the oldest emergency is forgotten first (a bound, not an expected load). */
const MAX_KEYS = 10_000;

interface Emergency {
  readonly event: string;
  readonly eventId: string;
  readonly time: string;
  readonly ms: number;
  readonly user?: string;
}

export type BreakGlass = (finding: DriftFinding) => DriftFinding;

/**
 * The break-glass stage: remembers, per key, the first emergency action of an emergency principal, and classifies a
 * later recovery of that key by who made it and how long after (event times, not arrival times, so a replay of old
 * logs classifies as the daemon would have). An EnableKey ends the episode. The memory is this process's: a recovery
 * whose emergency this process did not see is an ordinary change. Without emergency principals it does nothing.
 */
export function createBreakGlass(settings: ComplianceSettings): BreakGlass {
  if (settings.emergencyPrincipals.length === 0) return (finding) => finding;
  const isEmergency = principalMatcher(settings.emergencyPrincipals);
  const isRecovery = principalMatcher(
    settings.recoveryPrincipals.length > 0 ? settings.recoveryPrincipals : settings.emergencyPrincipals,
  );
  const windowMs = settings.recoveryWindowDays * 24 * HOUR_MS;
  const episodes = new Map<string, Emergency>();

  return (finding) => {
    const { event } = finding;
    const key = event.key?.keyId ?? finding.resource;
    const ms = Date.parse(event.eventTime);
    if (event.error !== undefined || key === undefined || Number.isNaN(ms)) return finding;
    const user = event.actor.arn ?? event.actor.user;

    if (EMERGENCY_ACTIONS.has(event.name) && isEmergency(event.actor)) {
      const known = episodes.get(key);
      const episode = known ?? {
        event: event.name,
        eventId: event.eventId,
        time: event.eventTime,
        ms,
        ...(user === undefined ? {} : { user }),
      };
      if (known === undefined) remember(episodes, key, episode);
      return { ...finding, emergency: context('authorized_emergency', episode, settings.recoveryWindowDays) };
    }
    if (!RECOVERY_ACTIONS.has(event.name)) return finding;
    const episode = episodes.get(key);
    if (episode === undefined || ms < episode.ms) return finding;
    if (event.name === 'EnableKey') episodes.delete(key);
    const elapsed = ms - episode.ms;
    const status = !isRecovery(event.actor)
      ? 'unauthorized_recovery'
      : elapsed <= windowMs
        ? 'recovery'
        : 'recovery_outside_window';
    return {
      ...finding,
      emergency: {
        ...context(status, episode, settings.recoveryWindowDays),
        elapsed_hours: Math.round((elapsed / HOUR_MS) * 100) / 100,
      },
    };
  };
}

function context(status: EmergencyContext['status'], e: Emergency, windowDays: number): EmergencyContext {
  return {
    status,
    emergency_event: e.event,
    emergency_event_id: e.eventId,
    emergency_time: e.time,
    ...(e.user === undefined ? {} : { emergency_user: e.user }),
    window_days: windowDays,
  };
}

function remember(episodes: Map<string, Emergency>, key: string, e: Emergency): void {
  if (episodes.size >= MAX_KEYS) {
    const oldest = episodes.keys().next();
    if (oldest.done !== true) episodes.delete(oldest.value);
  }
  episodes.set(key, e);
}
