import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setupCore } from '../../src/cli/setup.ts';
import type { JsonValue } from '../../src/model/json.ts';
import { Metrics } from '../../src/sinks/metrics.ts';
import { internalEvents } from '../../src/observe/internal-events.ts';
import { countOnce } from '../../src/dedup/count-once.ts';
import { SeenEventIds } from '../../src/dedup/event-ids.ts';
import { pino } from 'pino';
import { ROOT } from '../helpers/cli.ts';

const read = (p: string): JsonValue => JSON.parse(readFileSync(`${ROOT}${p}`, 'utf8')) as JsonValue;

/**
 * Real records through the real core against the bundled example state and rules, deduplicated and reported as the
 * daemon does (typed internal events); the metrics see what the daemon's would.
 */
async function observed(now: number): Promise<{ metrics: Metrics; text: string }> {
  const { core, ruleset } = await setupCore({
    states: [`${ROOT}examples/terraform.tfstate`],
    rules: [],
    terraformPrincipals: [],
  });
  const metrics = new Metrics({ now: () => now });
  metrics.declareRules(ruleset.rules.map((r) => ({ name: r.name, priority: r.priority })));
  const emit = internalEvents(pino({ level: 'silent' }), metrics, undefined, () => now);
  const seen = new SeenEventIds(100);
  const payloads: [string, JsonValue][] = [
    ['DisableKey (2014-11-04T00:52:43Z)', read('fixtures/cloudtrail/aws-kms-developer-guide/ct-disablekey.1.json')],
    ['DisableKeyRotation', read('fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json')],
    // The same event again (a redelivery, or the log file after the EventBridge copy): one count, as a duplicate.
    ['DisableKeyRotation again', read('fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json')],
    ['Decrypt: not tracked', read('fixtures/cloudtrail/aws-kms-developer-guide/ct-decrypt.1.json')],
    ['KMS CMK Deletion', read('fixtures/envelopes/eventbridge/aws-docs.kms-service-event.kms-events.3.json')],
    // Our own: a DisableKey record without its eventTime and key, to count a problem.
    ['broken', { eventSource: 'kms.amazonaws.com', eventName: 'DisableKey', eventVersion: '1.08' }],
  ];
  for (const [path, payload] of payloads) {
    const outcome = core.processPayload(payload, path);
    for (const p of outcome.problems)
      emit({ type: 'RecordProblem', messageId: path, problem: p.message, code: p.code });
    // As the daemon's claims answer: an eventID claimed before is a duplicate.
    const duplicates = new Set(outcome.events.map((e) => e.eventId).filter((id) => id !== '' && seen.claim(id)));
    for (const fresh of countOnce([outcome], duplicates))
      emit({ type: 'PayloadProcessed', where: path, outcome: fresh });
    // Received 250 ms before "now": one processing observation per message.
    emit({ type: 'SqsMessageProcessed', messageId: path, seconds: 0.25 });
  }
  emit({ type: 'SqsMessagesDeleted', messageIds: ['a', 'b', 'c', 'd'] });
  emit({ type: 'SqsMessageFailed', messageId: 'e', receiveCount: 1, reason: 'broken' });
  emit({ type: 'SqsMessageTimedOut', messageId: 'f', receiveCount: 1, afterMs: 120_000 });
  metrics.state(3, 2, now - 90_000);
  emit({ type: 'StateReloadError', problems: ['STATE_JSON'] });
  return { metrics, text: await metrics.registry.metrics() };
}

describe('metrics after observing real outcomes', () => {
  it.each([
    'kms_drift_events_total{event="DisableKey",outcome="modified"} 1',
    'kms_drift_events_total{event="DisableKeyRotation",outcome="modified"} 1',
    'kms_drift_events_total{event="none",outcome="untracked_kms_event"} 1',
    'kms_drift_events_total{event="none",outcome="kms_service_event"} 1',
    'kms_drift_logs_total{rule="kms_key_disabled",priority="Error"} 1',
    'kms_drift_logs_total{rule="kms_key_rotation_disabled",priority="Error"} 1',
    'kms_drift_sqs_messages_total{outcome="deleted"} 4',
    'kms_drift_sqs_messages_total{outcome="failed"} 1',
    'kms_drift_sqs_messages_total{outcome="timed_out"} 1',
    'kms_drift_sqs_messages_total{outcome="released"} 0',
    // Each event once: the second copy of DisableKeyRotation is a duplicate, and its logs are not written again.
    'kms_drift_events_total{event="none",outcome="duplicate"} 1',
    // Every loaded rule's series exists from the start, at 0 until its first log.
    'kms_drift_logs_total{rule="kms_key_deletion_scheduled",priority="Critical"} 0',
    'kms_drift_processing_seconds_count 6',
    'kms_drift_processing_seconds_bucket{le="0.25"} 6',
    'kms_drift_processing_seconds_bucket{le="0.1"} 0',
    // Both events are years old: every lag lands above the last bucket.
    'kms_drift_event_lag_seconds_count 2',
    'kms_drift_event_lag_seconds_bucket{le="3600"} 0',
    'kms_drift_state_age_seconds 90',
    'kms_drift_state_resources{type="aws_kms_key"} 3',
    'kms_drift_state_resources{type="aws_kms_alias"} 2',
    'kms_drift_state_reload_failures_total 1',
    'process_cpu_user_seconds_total',
    'nodejs_heap_size_used_bytes',
  ])('%s', async (series) => {
    const { text } = await observed(Date.parse('2025-06-01T00:00:00Z'));
    expect(text).toContain(series);
  });

  it('a broken record is a counted problem, with its code as the only label', async () => {
    const { text } = await observed(Date.parse('2025-06-01T00:00:00Z'));
    expect(text).toMatch(/^kms_drift_problems_total\{code="RECORD_[A-Z_]+"\} 1$/m);
  });

  it('event lag is now − eventTime, on the injected clock', async () => {
    // 30 s after the DisableKey call; the rotation record (2022) is then in the future: a skewed clock counts as 0.
    const { text } = await observed(Date.parse('2014-11-04T00:53:13Z'));
    expect(text).toContain('kms_drift_event_lag_seconds_sum 30');
    expect(text).toContain('kms_drift_event_lag_seconds_bucket{le="1"} 1');
    expect(text).toContain('kms_drift_event_lag_seconds_bucket{le="15"} 1');
    expect(text).toContain('kms_drift_event_lag_seconds_bucket{le="30"} 2');
  });

  it('labels are bounded: no key ARN, account or user ever becomes a label value', async () => {
    const { text } = await observed(Date.parse('2025-06-01T00:00:00Z'));
    const values = [...text.matchAll(/="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(values.filter((v) => /arn:|:key\/|\d{12}|@|\//.test(v))).toEqual([]);
  });

  it('each Metrics has its own registry', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.message('deleted');
    expect(await a.registry.metrics()).toContain('kms_drift_sqs_messages_total{outcome="deleted"} 1');
    expect(await b.registry.metrics()).toContain('kms_drift_sqs_messages_total{outcome="deleted"} 0');
  });
});
