import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PayloadOutcome } from '../model/outcome.ts';

/** What became of one SQS message. */
export const MESSAGE_OUTCOMES = ['deleted', 'failed', 'released', 'timed_out', 'delete_failed'] as const;
export type MessageOutcome = (typeof MESSAGE_OUTCOMES)[number];

/** What became of one alert posted to `httpOutput`. */
export const HTTP_OUTPUT_OUTCOMES = ['posted', 'failed'] as const;
export type HttpOutputOutcome = (typeof HTTP_OUTPUT_OUTCOMES)[number];

/** A loaded rule: its drift-log series exist (at 0) from the start, so an alert sees the first log as an increase. */
export interface DeclaredRule {
  readonly name: string;
  readonly priority: string;
}

/** Skipped records have no tracked event name; they are counted under this one, with the reason as outcome. */
export const SKIPPED_EVENT = 'none';

export interface MetricsOptions {
  /** The clock for the state's age at scrape time. */
  readonly now?: () => number;
}

/**
 * The daemon's metrics, in a registry of its own (not prom-client's global one, so tests and several daemons in one
 * process do not share counters). Labels are bounded: event names, rule names (the loaded rules), priorities,
 * outcomes, skip reasons and diagnostic codes are finite sets; keys, users and accounts never become labels.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly now: () => number;
  private stateLoadedAtMs: number | undefined;
  private readiness: (() => boolean) | undefined;

  private readonly events = new Counter({
    name: 'kms_drift_events_total',
    help: 'Records seen: tracked KMS events by drift type, skipped records (event="none") by reason',
    labelNames: ['event', 'outcome'] as const,
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
    help: 'SQS messages by outcome (deleted, failed, released, timed_out, delete_failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly problems = new Counter({
    name: 'kms_drift_problems_total',
    help: 'Input problems, by diagnostic code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  private readonly receiveErrors = new Counter({
    name: 'kms_drift_receive_errors_total',
    help: 'Failed SQS ReceiveMessage calls (retried with backoff)',
    registers: [this.registry],
  });
  private readonly extendErrors = new Counter({
    name: 'kms_drift_sqs_visibility_extend_errors_total',
    help: 'Visibility extensions SQS refused or that failed (the message may be handled twice)',
    registers: [this.registry],
  });
  private readonly lookupErrors = new Counter({
    name: 'kms_drift_lookup_errors_total',
    help: 'Failed CloudTrail LookupEvents reads (retried at the next poll)',
    registers: [this.registry],
  });
  private readonly processing = new Histogram({
    name: 'kms_drift_processing_seconds',
    help: 'From receiving a message to its drift logs being written (or the message failing)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [this.registry],
  });
  private readonly lag = new Histogram({
    name: 'kms_drift_event_lag_seconds',
    help: 'From the CloudTrail eventTime to the event being processed',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600],
    registers: [this.registry],
  });
  private readonly stateAge = new Gauge({
    name: 'kms_drift_state_age_seconds',
    help: 'Seconds since the Terraform state in use was loaded',
    registers: [this.registry],
    collect: () => {
      if (this.stateLoadedAtMs !== undefined)
        this.stateAge.set(Math.max(0, (this.now() - this.stateLoadedAtMs) / 1000));
    },
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
    help: '1 when rules and state are loaded and the last read of each input succeeded recently (as /readyz)',
    registers: [this.registry],
    collect: () => {
      if (this.readiness !== undefined) this.ready.set(this.readiness() ? 1 : 0);
    },
  });

  private readonly httpAlerts = new Counter({
    name: 'kms_drift_http_output_alerts_total',
    help: 'Alerts POSTed to httpOutput, by outcome: posted (acknowledged), failed (not after the retries: message redelivered)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly httpRetries = new Counter({
    name: 'kms_drift_http_output_retries_total',
    help: 'POSTs to httpOutput retried (a 5xx, 408 or 429 answer, a timeout, a network error)',
    registers: [this.registry],
  });

  constructor(options: MetricsOptions = {}) {
    this.now = options.now ?? Date.now;
    collectDefaultMetrics({ register: this.registry });
    for (const outcome of MESSAGE_OUTCOMES) this.messages.inc({ outcome }, 0);
    for (const outcome of HTTP_OUTPUT_OUTCOMES) this.httpAlerts.inc({ outcome }, 0);
  }

  /**
   * Creates every loaded rule's drift-log series at 0. Prometheus sees a counter's first increase only from a
   * sample before it: a series born at 1 (the first, often only, key deletion) would never raise `increase() > 0`.
   */
  declareRules(rules: readonly DeclaredRule[]): void {
    for (const r of rules) this.logs.inc({ rule: r.name, priority: r.priority }, 0);
  }

  /**
   * One payload's events (each counted once: the daemon passes only events not seen before), skipped records, drift
   * logs, and each event's lag from its eventTime. Problems are counted where they are reported (`problem`).
   */
  observePayload(outcome: PayloadOutcome, nowMs: number): void {
    for (const e of outcome.events) {
      this.events.inc({ event: e.name, outcome: e.driftType });
      const at = Date.parse(e.eventTime);
      if (Number.isFinite(at)) this.lag.observe(Math.max(0, (nowMs - at) / 1000));
    }
    for (const [reason, n] of Object.entries(outcome.skipped)) {
      if (n !== undefined && n > 0) this.events.inc({ event: SKIPPED_EVENT, outcome: reason }, n);
    }
    for (const l of outcome.logs) {
      const rule = l.log['rule'];
      this.logs.inc({ rule: typeof rule === 'string' ? rule : 'unknown', priority: l.priority });
    }
  }

  problem(code: string): void {
    this.problems.inc({ code });
  }

  /** From receiving a message to its end (logs written, or failed). */
  processed(seconds: number): void {
    this.processing.observe(Math.max(0, seconds));
  }

  message(outcome: MessageOutcome, n = 1): void {
    this.messages.inc({ outcome }, n);
  }

  /** The state in use: how many keys and aliases it declares, and when it was loaded (default: now). */
  state(keys: number, aliases: number, loadedAtMs: number = this.now()): void {
    this.resources.set({ type: 'aws_kms_key' }, keys);
    this.resources.set({ type: 'aws_kms_alias' }, aliases);
    this.stateLoadedAtMs = loadedAtMs;
  }

  stateReloadFailed(): void {
    this.reloadFailures.inc();
  }

  receiveFailed(): void {
    this.receiveErrors.inc();
  }

  extendFailed(): void {
    this.extendErrors.inc();
  }

  lookupFailed(): void {
    this.lookupErrors.inc();
  }

  httpOutput(outcome: HttpOutputOutcome): void {
    this.httpAlerts.inc({ outcome });
  }

  httpOutputRetried(): void {
    this.httpRetries.inc();
  }

  /** kms_drift_ready follows this at every scrape, so the gauge and /readyz cannot disagree. */
  trackReadiness(isReady: () => boolean): void {
    this.readiness = isReady;
  }
}
