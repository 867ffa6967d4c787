import { hostname } from 'node:os';
import type { Config } from '../config/types.ts';
import type { Emit } from '../observe/internal-events.ts';
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
