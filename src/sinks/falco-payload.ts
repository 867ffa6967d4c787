import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../model/json.ts';
import type { Priority } from '../model/priority.ts';

/**
 * Falco's JSON alert, as falcosidekick's `/` endpoint decodes it (its `FalcoPayload`): it refuses an alert without a
 * known priority, a rule, a time or at least one output field. `time` is RFC 3339 with nanoseconds, as Falco writes it.
 */
export interface FalcoPayload {
  readonly uuid: string;
  readonly output: string;
  readonly priority: Priority;
  readonly rule: string;
  readonly time: string;
  readonly output_fields: Readonly<Record<string, JsonValue>>;
  readonly source: string;
  readonly tags: readonly string[];
  readonly hostname: string;
}

/** What a drift log carries that the alert is built from (an EmittedLog, or a LogToWrite). */
export interface AlertLog {
  readonly priority: Priority;
  readonly log: Readonly<Record<string, JsonValue>>;
}

/** Fixed namespace of the alerts' name-based UUIDs (RFC 9562 version 5). */
const NAMESPACE = Buffer.from('6f0f4a52a1d34b5e9c1e4f5d2b7a8c90', 'hex');

/**
 * The Falco alert of one drift log. `output` is Falco's: the event time and the priority before the rule output
 * (`19:31:39.000000000: Error KMS Key Rotation Disabled (…)`), the shape falcosidekick's `outputFieldFormat`
 * recognises. `output_fields` are the rule output's fields, plus the event's identity under rule-field names when
 * the output did not name them (`evt.name`, `evt.id`, `user`, `resource`, `drift.type`, `tf.address`): falcosidekick
 * refuses an alert without output fields, and a Slack message is more use with them. `uuid` is derived from the event
 * and the rule, so a receiver can drop the repeat of an alert posted again after a redelivery.
 */
export function falcoPayload(alert: AlertLog, hostname: string, nowMs: number): FalcoPayload {
  const { log } = alert;
  const time = rfc3339Nanos(text(log['timestamp']), nowMs);
  const rule = text(log['rule']);
  return {
    uuid: nameBasedUuid(`${text(log['event_id'])}\n${rule}\n${reclassifiedBy(log)}`),
    output: `${time.slice(11, 29)}: ${alert.priority} ${text(log['output'])}`,
    priority: alert.priority,
    rule,
    time,
    output_fields: outputFields(log),
    source: text(log['source']) || 'aws_cloudtrail',
    tags: Array.isArray(log['tags']) ? log['tags'].filter((t): t is string => typeof t === 'string') : [],
    hostname,
  };
}

function outputFields(log: Readonly<Record<string, JsonValue>>): Record<string, JsonValue> {
  const own = log['output_fields'];
  const fields: Record<string, JsonValue> = isObject(own) ? { ...own } : {};
  const terraform = log['terraform'];
  const identity: [string, JsonValue | undefined][] = [
    ['evt.name', log['event']],
    ['evt.id', log['event_id']],
    ['user', log['user']],
    ['resource', log['resource']],
    ['drift.type', log['drift_type']],
    ['tf.address', isObject(terraform) ? terraform['address'] : undefined],
  ];
  for (const [name, value] of identity) {
    if (value !== undefined && !Object.hasOwn(fields, name)) fields[name] = value;
  }
  return fields;
}

/** An ISO 8601 instant as RFC 3339 in UTC with nine fraction digits; an unreadable time is the current one. */
export function rfc3339Nanos(iso: string, nowMs: number): string {
  const parsed = Date.parse(iso);
  const fraction = /\.(\d{1,9})(?:Z|[+-]\d\d:\d\d)$/i.exec(iso)?.[1] ?? '';
  const at = new Date(Number.isFinite(parsed) ? parsed : nowMs).toISOString();
  // Date keeps milliseconds; digits past them in the input are kept rather than rounded away.
  const nanos = Number.isFinite(parsed) && fraction.length > 3 ? fraction.padEnd(9, '0') : `${at.slice(20, 23)}000000`;
  return `${at.slice(0, 19)}.${nanos}Z`;
}

function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function reclassifiedBy(log: Readonly<Record<string, JsonValue>>): string {
  const re = log['reclassified'];
  return isObject(re) ? text(re['by_event_id']) : '';
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}
