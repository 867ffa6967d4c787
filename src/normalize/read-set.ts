import { KMS_EVENT_NAMES, KMS_EVENT_SOURCE } from '../model/kms-event.ts';
import type { SkipReason } from '../model/problem.ts';

/**
 * Which CloudTrail records become events: those whose (eventSource, eventName) some loaded rule can match. The rules
 * decide it (src/rules/load/read-set.ts); the byte scan and normalize both ask `readsRecord`, so a record is skipped
 * without a parse exactly when the parse would skip it too. Sources are short names, as ct.shortsrc gives them.
 */
export interface ReadSet {
  /** Event names read whatever their source; 'all': every record. */
  readonly anySource: ReadonlySet<string> | 'all';
  /** Short source → the event names read from it ('all': every event of that source). */
  readonly bySource: ReadonlyMap<string, ReadonlySet<string> | 'all'>;
}

const AWS_SUFFIX = '.amazonaws.com';

/** ct.shortsrc: eventSource without `.amazonaws.com` (only when something precedes it). */
export function shortSource(src: string): string {
  return src.length > AWS_SUFFIX.length && src.endsWith(AWS_SUFFIX) ? src.slice(0, -AWS_SUFFIX.length) : src;
}

/** Every record: `rules test` and `rules explain` show what each rule makes of any record. */
export const READ_ALL: ReadSet = { anySource: 'all', bySource: new Map() };

/** The KMS events that change something: what the bundled rules read (the default of the pure stages). */
export const READ_TRACKED: ReadSet = {
  anySource: new Set(),
  bySource: new Map([[shortSource(KMS_EVENT_SOURCE), new Set<string>(KMS_EVENT_NAMES)]]),
};

/**
 * Whether a record of `source` named `name` is read. `name` is undefined when the record has no eventName: then only
 * a source read whole reads it (no rule naming events can match it). `short` is shortSource(source), when known.
 */
export function reads(set: ReadSet, source: string, name: string | undefined, short = shortSource(source)): boolean {
  const { anySource } = set;
  if (anySource === 'all') return true;
  if (name !== undefined && anySource.has(name)) return true;
  const names = set.bySource.get(short);
  return names !== undefined && (names === 'all' || (name !== undefined && names.has(name)));
}

/**
 * Why a record with a string eventSource is not read, or undefined when it is: the reasons normalize always gave
 * (another service's record; KMS's own service events; a KMS event no rule reads). Insight events are skipped before.
 */
export function notReadReason(
  set: ReadSet,
  source: string,
  eventType: string | undefined,
  name: string | undefined,
): SkipReason | undefined {
  if (reads(set, source, name)) return undefined;
  if (source !== KMS_EVENT_SOURCE) return 'other_service';
  return eventType === 'AwsServiceEvent' ? 'kms_service_event' : 'untracked_kms_event';
}

/**
 * What the rules read, short, for replay's summary: `kms (28 events)`, `ecs (CreateService, RunTask, StartTask)`,
 * `any service (ConsoleLogin, CreateUser, …)`, `every event of s3`, or `every record`.
 */
export function describeReadSet(set: ReadSet, maxNames = 4): string {
  if (set.anySource === 'all') return 'every record';
  const names = (list: ReadonlySet<string>): string => {
    const sorted = [...list].sort();
    if (sorted.length <= maxNames) return sorted.join(', ');
    return `${sorted.length} events: ${sorted.slice(0, maxNames).join(', ')}, …`;
  };
  const parts: string[] = [];
  for (const [source, list] of [...set.bySource].sort(([a], [b]) => a.localeCompare(b))) {
    parts.push(list === 'all' ? `every event of ${source}` : `${source} (${names(list)})`);
  }
  if (set.anySource.size > 0) parts.push(`any service (${names(set.anySource)})`);
  return parts.length === 0 ? 'nothing' : parts.join('; ');
}
