import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PayloadOutcome } from '../app.ts';

/**
 * The daemon's metrics, in a registry of its own (not prom-client's global one, so tests and several daemons in one
 * process do not share counters). Labels are bounded: rule, priority, event names, outcomes and codes are finite
 * sets; keys, users and accounts never become labels.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly events = new Counter({
    name: 'kms_drift_events_total',
    help: 'KMS events normalized, by event name and drift type',
    labelNames: ['event', 'drift_type'] as const,
    registers: [this.registry],
  });
  private readonly logs = new Counter({
    name: 'kms_drift_logs_total',
    help: 'Drift logs written, by rule and priority',
    labelNames: ['rule', 'priority'] as const,
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: 'kms_drift_sqs_messages_total',
    help: 'SQS messages by outcome (deleted, failed, released, delete_failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly problems = new Counter({
    name: 'kms_drift_problems_total',
    help: 'Input problems, by diagnostic code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  private readonly skipped = new Counter({
    name: 'kms_drift_skipped_records_total',
    help: 'Records skipped, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly receiveErrors = new Counter({
    name: 'kms_drift_receive_errors_total',
    help: 'Failed SQS ReceiveMessage calls (retried with backoff)',
    registers: [this.registry],
  });
  private readonly processing = new Histogram({
    name: 'kms_drift_processing_seconds',
    help: 'From receiving a message to its drift logs being written',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });
  private readonly lag = new Histogram({
    name: 'kms_drift_event_lag_seconds',
    help: 'From the CloudTrail eventTime to the drift log',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600],
    registers: [this.registry],
  });
  private readonly resources = new Gauge({
    name: 'kms_drift_state_resources',
    help: 'KMS resources declared by the loaded Terraform states',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  private readonly reloadFailures = new Counter({
    name: 'kms_drift_state_reload_failures_total',
    help: 'State reloads that failed (the last good state stays in use)',
    registers: [this.registry],
  });
  private readonly ready = new Gauge({
    name: 'kms_drift_ready',
    help: '1 when rules and state are loaded and SQS answers',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  payload(outcome: PayloadOutcome): void {
    for (const e of outcome.events) this.events.inc({ event: e.name, drift_type: e.driftType });
    for (const p of outcome.problems) this.problems.inc({ code: p.code });
    for (const [reason, n] of Object.entries(outcome.skipped)) this.skipped.inc({ reason }, n ?? 0);
  }

  logged(rule: string, priority: string, eventTimeMs: number, nowMs: number): void {
    this.logs.inc({ rule, priority });
    if (Number.isFinite(eventTimeMs)) this.lag.observe(Math.max(0, (nowMs - eventTimeMs) / 1000));
  }

  message(outcome: 'deleted' | 'failed' | 'released' | 'delete_failed', n = 1): void {
    this.messages.inc({ outcome }, n);
  }

  processed(seconds: number): void {
    this.processing.observe(seconds);
  }

  receiveFailed(): void {
    this.receiveErrors.inc();
  }

  state(keys: number, aliases: number): void {
    this.resources.set({ type: 'aws_kms_key' }, keys);
    this.resources.set({ type: 'aws_kms_alias' }, aliases);
  }

  stateReloadFailed(): void {
    this.reloadFailures.inc();
  }

  setReady(ready: boolean): void {
    this.ready.set(ready ? 1 : 0);
  }
}
