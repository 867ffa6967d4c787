import { setTimeout as sleep } from 'node:timers/promises';
import type { Priority } from '../model/priority.ts';
import { falcoPayload, type AlertLog } from './falco-payload.ts';

/** Which alert an event is about, for the diagnostics (never its output: that is the drift log's business). */
export interface AlertRef {
  readonly rule: string;
  readonly priority: Priority;
  readonly eventId: string;
}

export interface HttpOutputEvents {
  posted(alert: AlertRef, attempts: number): void;
  /** An attempt failed with a reason worth retrying; the next comes after `retryInMs`. */
  retried(alert: AlertRef, attempt: number, reason: string, retryInMs: number): void;
  /** Not acknowledged after every attempt (or refused outright): the caller fails what the alert belongs to. */
  failed(alert: AlertRef, attempts: number, reason: string): void;
}

export interface HttpOutputOptions {
  readonly url: string;
  /** One attempt: from sending the request to the response's status line. */
  readonly timeoutMs: number;
  readonly retries: number;
  readonly hostname: string;
  readonly now: () => number;
  readonly events: HttpOutputEvents;
  /** In [0, 1): the backoff's jitter. Default Math.random. */
  readonly random?: () => number;
}

export interface AlertOutput {
  /** The endpoint as diagnostics may show it: scheme, host and port (a webhook's path or user can be a secret). */
  readonly target: string;
  /**
   * POSTs the alerts one after the other and resolves once each was acknowledged (2xx). Throws on the first that
   * is not, after its retries; the alerts after it are not posted. `signal` abandons the work (the message was given
   * up or the process stops): then it throws at once, without reporting a failure.
   */
  post(alerts: readonly AlertLog[], signal: AbortSignal): Promise<void>;
}

export class HttpOutputError extends Error {
  override readonly name = 'HttpOutputError';
}

const MAX_BACKOFF_MS = 10_000;
/** What is kept of an error response's body for the diagnostic line. */
const REASON_CHARS = 200;

type Attempt = { readonly ok: true } | { readonly ok: false; readonly retry: boolean; readonly reason: string };

/**
 * The wait before attempt `attempt` + 1: exponential from 0.5 s, capped at 10 s, with half of it jittered (`random`
 * in [0, 1)), so that many replicas cut off together do not come back in step, yet each waits a little.
 */
export function retryDelayMs(attempt: number, random: number): number {
  const cap = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt - 1, 10));
  return Math.round(cap / 2 + (random * cap) / 2);
}

/**
 * Alerts to one HTTP endpoint, in Falco's JSON format (src/sinks/falco-payload.ts), one POST each as Falco's
 * `http_output` sends them. A 2xx acknowledges; a 5xx, 408 or 429, a timeout or a network error is retried with
 * backoff; any other answer (400: falcosidekick refused the payload; a redirect, which is not followed so that a
 * POST is never turned into a GET) fails at once, retrying would not change it.
 */
export function httpOutput(options: HttpOutputOptions): AlertOutput {
  const url = new URL(options.url);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'kms-drift' };
  // fetch refuses a URL with credentials: user:password@ becomes Basic authentication, as curl (Falco) does.
  if (url.username !== '' || url.password !== '') {
    const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers['authorization'] = `Basic ${Buffer.from(user, 'utf8').toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const random = options.random ?? Math.random;
  const postOne = async (alert: AlertLog, signal: AbortSignal): Promise<void> => {
    const ref = refOf(alert);
    const body = JSON.stringify(falcoPayload(alert, options.hostname, options.now()));
    for (let attempt = 1; ; attempt++) {
      const result = await send(url, headers, body, options.timeoutMs, signal);
      if (signal.aborted) throw new HttpOutputError('given up');
      if (result.ok) return options.events.posted(ref, attempt);
      if (!result.retry || attempt > options.retries) {
        options.events.failed(ref, attempt, result.reason);
        throw new HttpOutputError(
          `alert of ${ref.rule} for event ${ref.eventId} not acknowledged by ${url.origin} after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${result.reason}`,
        );
      }
      const wait = retryDelayMs(attempt, random());
      options.events.retried(ref, attempt, result.reason, wait);
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
  };
  return {
    target: url.origin,
    async post(alerts, signal) {
      for (const alert of alerts) await postOne(alert, signal);
    },
  };
}

async function send(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Attempt> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal: both, redirect: 'manual' });
    if (response.status >= 200 && response.status < 300) {
      // The connection goes back to the pool only once the body is consumed.
      await response.body?.cancel().catch(() => undefined);
      return { ok: true };
    }
    const said = await bodyStart(response);
    const status = response.status;
    return {
      ok: false,
      retry: status >= 500 || status === 408 || status === 429,
      reason: `HTTP ${status}${said === '' ? '' : `: ${said}`}${status >= 300 && status < 400 ? ' (redirects are not followed: give the final URL)' : ''}`,
    };
  } catch (err: unknown) {
    if (timeout.aborted && !signal.aborted)
      return { ok: false, retry: true, reason: `no answer within ${timeoutMs} ms` };
    return { ok: false, retry: true, reason: networkReason(err) };
  }
}

/** The first characters of an error response (falcosidekick says why it refused), on one line. */
async function bodyStart(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  let text = '';
  const decoder = new TextDecoder();
  try {
    while (text.length < REASON_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut off or timed out: what arrived is still the reason.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, REASON_CHARS);
}

/** undici's `fetch failed` hides the reason in `cause` (ECONNREFUSED, ECONNRESET, …). */
function networkReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === undefined ? `${err.message}: ${cause.message}` : `${err.message}: ${code}`;
  }
  return `${err.name}: ${err.message}`;
}

function refOf(alert: AlertLog): AlertRef {
  const rule = alert.log['rule'];
  const eventId = alert.log['event_id'];
  return {
    rule: typeof rule === 'string' ? rule : '',
    priority: alert.priority,
    eventId: typeof eventId === 'string' ? eventId : '',
  };
}
