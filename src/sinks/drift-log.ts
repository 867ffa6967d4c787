import type { JsonValue } from '../model/json.ts';
import type { DriftFinding } from '../model/finding.ts';
import type { Priority } from '../model/priority.ts';
import { KMS_EVENT_SOURCE } from '../model/kms-event.ts';
import { shortSource } from '../normalize/read-set.ts';

/** What the evaluator reports for one matching rule (kept here so the sink does not import the rules stage). */
export interface RuleHit {
  readonly rule: string;
  readonly priority: Priority;
  readonly output: string;
  readonly tags: readonly string[];
  readonly source: string;
  readonly outputFields: Readonly<Record<string, JsonValue | null>>;
}

/**
 * The drift log's own keys (DESIGN.md §3), without pino's `level`, `time` and `msg`. Absent facts are omitted rather
 * than written as null, so a consumer can test for a key's presence.
 */
export type DriftLog = Readonly<Record<string, JsonValue>>;

export function toDriftLog(finding: DriftFinding, hit: RuleHit): DriftLog {
  const { event } = finding;
  const { actor } = event;
  const log: Record<string, JsonValue> = {
    rule: hit.rule,
    priority: hit.priority,
    output: hit.output,
    tags: [...hit.tags],
    source: hit.source,
    output_fields: { ...hit.outputFields },
    service: shortSource(event.eventSource),
    event: event.name,
    event_id: event.eventId,
    timestamp: event.eventTime,
  };
  put(log, 'account', finding.account);
  put(log, 'region', finding.region);
  put(log, 'user', actor.user ?? actor.arn ?? actor.invokedBy);
  put(log, 'user_arn', actor.arn);
  put(log, 'user_type', actor.type);
  put(log, 'source_ip', actor.sourceIp);
  put(log, 'user_agent', actor.userAgent);
  // Another service's record read by a rule: what happened and who did it, nothing about drift.
  if (event.eventSource === KMS_EVENT_SOURCE) {
    put(log, 'resource', finding.resource);
    put(log, 'resource_type', finding.resourceType);
    log['drift_type'] = finding.driftType;
    log['changes'] = finding.changes as unknown as JsonValue;
    if (finding.byTerraform) log['by_terraform'] = true;
  }
  if (event.error !== undefined) {
    log['error_code'] = event.error.code;
    put(log, 'error_message', event.error.message);
  }
  if (event.live !== undefined) log['live'] = { ...event.live };
  if (event.missing !== undefined && finding.driftType === 'deleted') {
    const { reason, deletionDate } = event.missing;
    log['missing'] = { reason, ...(deletionDate === undefined ? {} : { deletion_date: deletionDate }) };
  }
  if (finding.emergency !== undefined) log['emergency'] = { ...finding.emergency };
  if (finding.terraform !== undefined) {
    const { address, type, state } = finding.terraform;
    log['terraform'] = { address, type, state };
  }
  // An unmanaged grant on a managed key: where the key is declared is where the grant belongs.
  if (finding.keyTerraform !== undefined && finding.terraform === undefined) {
    const { address, type, state } = finding.keyTerraform;
    log['key_terraform'] = { address, type, state };
  }
  return log;
}

function put(log: Record<string, JsonValue>, key: string, value: string | undefined): void {
  if (value !== undefined && value !== '') log[key] = value;
}
