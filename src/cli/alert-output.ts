import { hostname } from 'node:os';
import type { Config } from '../config/types.ts';
import type { Emit } from '../observe/internal-events.ts';
import type { AlertLog } from '../sinks/falco-payload.ts';
import { httpOutput, type AlertOutput } from '../sinks/http-output.ts';

/** `httpOutput` with its bounds from the settings, reporting through the daemon's typed events. */
export function alertOutput(config: Config, url: string, emit: Emit): AlertOutput {
  const target = new URL(url).origin;
  return httpOutput({
    url,
    timeoutMs: config.httpOutputTimeoutMs ?? 5000,
    retries: config.httpOutputRetries ?? 3,
    // Falco's `hostname`: in Kubernetes the pod's name.
    hostname: hostname(),
    now: Date.now,
    events: {
      posted: (a, attempts) =>
        emit({ type: 'HttpOutputPosted', rule: a.rule, priority: a.priority, eventId: a.eventId, attempts }),
      retried: (a, attempt, reason, retryInMs) =>
        emit({ type: 'HttpOutputRetry', target, rule: a.rule, eventId: a.eventId, attempt, reason, retryInMs }),
      failed: (a, attempts, reason) =>
        emit({ type: 'HttpOutputError', target, rule: a.rule, eventId: a.eventId, attempts, reason }),
    },
  });
}

export interface ReplayAlertOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly retries: number;
}

/** replay's alerts: posted one by one as the logs are written; after one that failed, the rest are only counted. */
export interface ReplayAlerts {
  post(alert: AlertLog): Promise<void>;
  /** Why alerts were not delivered and how many, or undefined when every one was. */
  undelivered(): string | undefined;
}

export function replayAlerts(options: ReplayAlertOptions, err: (line: string) => void): ReplayAlerts {
  const output = httpOutput({
    ...options,
    hostname: hostname(),
    now: Date.now,
    events: {
      posted: () => undefined,
      retried: (a, attempt, reason, retryInMs) =>
        err(
          `kms-drift replay: alert of ${a.rule} for event ${a.eventId}: attempt ${attempt}: ${reason}; retrying in ${retryInMs} ms`,
        ),
      failed: () => undefined,
    },
  });
  // replay is stopped by a signal's default action: nothing to abandon.
  const never = new AbortController().signal;
  let failure: string | undefined;
  let skipped = 0;
  return {
    async post(alert) {
      if (failure !== undefined) {
        skipped++;
        return;
      }
      try {
        await output.post([alert], never);
      } catch (e: unknown) {
        failure = e instanceof Error ? e.message : String(e);
      }
    },
    undelivered: () =>
      failure === undefined
        ? undefined
        : `${skipped + 1} alert${skipped === 0 ? '' : 's'} not delivered (the drift logs are on stdout): ${failure}${skipped === 0 ? '' : `; the ${skipped} after it were not posted`}`,
  };
}
