// The daemon's observable facts, each one typed event named <Noun><Verb>[Error] (Vector's internal events): emitting
// it writes its diagnostic line (stderr, JSON) and counts it, in one place, so a fact cannot be logged and forgotten
// by the metrics, or counted and never said. Drift logs themselves go to stdout through the drift-log writer.
import type { Logger } from 'pino';
import type { Input, HealthTracker } from '../http/health.ts';
import type { EmittedLog, PayloadOutcome } from '../model/outcome.ts';
import type { Metrics } from '../sinks/metrics.ts';

export type InternalEvent =
  | {
      readonly type: 'DaemonStarted';
      readonly queueUrl: string | undefined;
      readonly states: readonly string[];
      readonly pollers: number;
      readonly http: number | undefined;
      /** What the loaded rules read (`kms (27 events: …)`): records outside it are skipped unparsed. */
      readonly reads: string;
    }
  | { readonly type: 'DaemonStopped' }
  | { readonly type: 'HttpServerStarted'; readonly port: number }
  | { readonly type: 'SqsMessagesReceived'; readonly count: number; readonly loop: string }
  | { readonly type: 'SqsReceiveError'; readonly err: string; readonly retryInMs: number; readonly loop: string }
  | { readonly type: 'SqsMessagesDeleted'; readonly messageIds: readonly string[] }
  | { readonly type: 'SqsMessageDeleteError'; readonly messageId: string; readonly reason: string }
  | {
      readonly type: 'SqsMessageFailed';
      readonly messageId: string;
      readonly receiveCount: number;
      readonly reason: string;
    }
  | {
      readonly type: 'SqsMessageTimedOut';
      readonly messageId: string;
      readonly receiveCount: number;
      readonly afterMs: number;
    }
  | { readonly type: 'SqsMessagesReleased'; readonly messageIds: readonly string[] }
  | { readonly type: 'SqsVisibilityExtendError'; readonly messageId: string; readonly reason: string }
  | { readonly type: 'SqsMessageProcessed'; readonly messageId: string; readonly seconds: number }
  | {
      readonly type: 'RecordProblem';
      readonly messageId: string | undefined;
      readonly problem: string;
      readonly code: string;
    }
  /** A payload's events that were not seen before, with the duplicates among its skips. */
  | { readonly type: 'PayloadProcessed'; readonly where: string; readonly outcome: PayloadOutcome }
  | {
      readonly type: 'StateLoaded';
      readonly states: readonly string[];
      readonly keys: number;
      readonly aliases: number;
    }
  | { readonly type: 'StateReloadError'; readonly problems: readonly string[] }
  | { readonly type: 'LookupEventsRead'; readonly from: string; readonly to: string; readonly events: number }
  | { readonly type: 'LookupEventsError'; readonly err: string }
  | { readonly type: 'LookupLeaseError'; readonly err: string }
  | { readonly type: 'ClaimCompleteError'; readonly eventIds: readonly string[]; readonly err: string }
  /** Logs of break-glass events classified over the store (re-classifications included), once written. */
  | { readonly type: 'BreakGlassLogged'; readonly logs: readonly EmittedLog[] }
  | {
      readonly type: 'StateReloaded';
      readonly states: readonly string[];
      readonly keys: number;
      readonly aliases: number;
    }
  /** A loop that must keep turning (liveness) and, when it reads an input, succeed recently (readiness). */
  | { readonly type: 'LoopStarted'; readonly loop: string; readonly staleMs: number; readonly input: Input }
  | { readonly type: 'LoopTurned'; readonly loop: string }
  | { readonly type: 'LoopEnded'; readonly loop: string }
  | {
      readonly type: 'MemoryBudget';
      /** What the S3 log files in flight may hold (`12.5 MiB`), and where the figure came from. */
      readonly memoryBudget: string;
      readonly from: 'derived' | 'memoryBudgetMb';
      readonly cgroupLimit?: string;
      readonly heapLimit: string;
      readonly rss: string;
      readonly heapUsed: string;
    }
  /** An alert acknowledged by `httpOutput` (2xx), after `attempts` attempts. */
  | {
      readonly type: 'HttpOutputPosted';
      readonly rule: string;
      readonly priority: string;
      readonly eventId: string;
      readonly attempts: number;
    }
  | {
      readonly type: 'HttpOutputRetry';
      readonly target: string;
      readonly rule: string;
      readonly eventId: string;
      readonly attempt: number;
      readonly reason: string;
      readonly retryInMs: number;
    }
  /** Not acknowledged after its retries: its message is failed (claims released) and redelivered. */
  | {
      readonly type: 'HttpOutputError';
      readonly target: string;
      readonly rule: string;
      readonly eventId: string;
      readonly attempts: number;
      readonly reason: string;
    };

type Level = 'error' | 'warn' | 'info' | 'debug';

interface Spec<E extends InternalEvent> {
  /** No level: the fact is counted (or feeds health) but says nothing on stderr. */
  readonly level?: Level;
  /** Appended to the event's name in the log line's `msg`. */
  readonly says?: string;
  /** The log line's fields; default: the event's own fields but `type`. */
  readonly fields?: (e: E) => Record<string, unknown>;
  readonly count?: (m: Metrics, e: E, nowMs: number) => void;
  readonly health?: (h: HealthTracker, e: E) => void;
}

type Specs = { readonly [T in InternalEvent['type']]: Spec<Extract<InternalEvent, { type: T }>> };

const input = (h: HealthTracker, which: Input, ok: boolean, loop: string): void => {
  h.inputResult(which, ok);
  h.loopTurned(loop);
};

const SPECS: Specs = {
  DaemonStarted: { level: 'info' },
  DaemonStopped: { level: 'info' },
  HttpServerStarted: { level: 'info' },
  SqsMessagesReceived: { level: 'debug', health: (h, e) => input(h, 'sqs', true, e.loop) },
  SqsReceiveError: {
    level: 'warn',
    says: ': retrying',
    count: (m) => m.receiveFailed(),
    health: (h, e) => input(h, 'sqs', false, e.loop),
  },
  SqsMessagesDeleted: {
    level: 'debug',
    fields: (e) => ({ count: e.messageIds.length }),
    count: (m, e) => m.message('deleted', e.messageIds.length),
  },
  SqsMessageDeleteError: {
    level: 'warn',
    says: ': logs were written; a redelivery will be dropped as a duplicate',
    count: (m) => m.message('delete_failed'),
  },
  SqsMessageFailed: {
    level: 'error',
    says: ': left for redelivery and the dead-letter queue',
    count: (m) => m.message('failed'),
  },
  SqsMessageTimedOut: {
    level: 'error',
    says: ': work abandoned, the message released for redelivery',
    count: (m) => m.message('timed_out'),
  },
  SqsMessagesReleased: {
    level: 'warn',
    says: ': unfinished at shutdown',
    count: (m, e) => m.message('released', e.messageIds.length),
  },
  SqsVisibilityExtendError: {
    level: 'warn',
    says: ': the message may be handled twice',
    count: (m) => m.extendFailed(),
  },
  SqsMessageProcessed: { level: 'debug', count: (m, e) => m.processed(e.seconds) },
  RecordProblem: {
    level: 'warn',
    fields: (e) => ({ ...(e.messageId === undefined ? {} : { messageId: e.messageId }), problem: e.problem }),
    count: (m, e) => m.problem(e.code),
  },
  PayloadProcessed: {
    level: 'debug',
    fields: (e) => ({
      where: e.where,
      events: e.outcome.events.length,
      logs: e.outcome.logs.length,
      skipped: e.outcome.skipped,
    }),
    count: (m, e, now) => m.observePayload(e.outcome, now),
  },
  StateLoaded: {
    level: 'info',
    fields: (e) => ({ states: e.states }),
    count: (m, e) => m.state(e.keys, e.aliases),
  },
  StateReloaded: {
    level: 'info',
    fields: (e) => ({ states: e.states }),
    count: (m, e) => m.state(e.keys, e.aliases),
  },
  StateReloadError: { level: 'error', says: ': keeping the last good state', count: (m) => m.stateReloadFailed() },
  LookupEventsRead: { level: 'info', health: (h) => h.inputResult('lookup', true) },
  LookupEventsError: {
    level: 'warn',
    says: ': retrying',
    count: (m) => m.lookupFailed(),
    health: (h) => h.inputResult('lookup', false),
  },
  LookupLeaseError: { level: 'warn', says: ': another replica may be reading; retrying' },
  ClaimCompleteError: { level: 'warn', says: ': logs written; a duplicate may be logged again' },
  BreakGlassLogged: {
    level: 'debug',
    fields: (e) => ({ logs: e.logs.length }),
    count: (m, e) =>
      m.observePayload({ logs: e.logs, problems: [], events: [], skipped: {}, s3Objects: [], held: [] }, 0),
  },
  LoopStarted: {
    level: 'debug',
    health: (h, e) => {
      h.expectLoop(e.loop, e.staleMs);
      h.expectInput(e.input, e.staleMs);
    },
  },
  LoopTurned: { health: (h, e) => h.loopTurned(e.loop) },
  LoopEnded: { health: (h, e) => h.loopEnded(e.loop) },
  MemoryBudget: { level: 'info' },
  HttpOutputPosted: { level: 'debug', count: (m) => m.httpOutput('posted') },
  HttpOutputRetry: { level: 'warn', says: ': retrying', count: (m) => m.httpOutputRetried() },
  HttpOutputError: {
    level: 'error',
    says: ': the message is left for redelivery (LookupEvents: read again), which logs and posts its alerts again',
    count: (m) => m.httpOutput('failed'),
  },
};

export type Emit = (event: InternalEvent) => void;

/** The one way the daemon reports what happens: logs on `log`, counts on `metrics`, feeds `health`. */
export function internalEvents(
  log: Logger,
  metrics: Metrics,
  health: HealthTracker | undefined,
  now: () => number,
): Emit {
  return (event) => {
    const spec = SPECS[event.type] as Spec<InternalEvent>;
    spec.count?.(metrics, event, now());
    if (health !== undefined) spec.health?.(health, event);
    if (spec.level !== undefined && log.isLevelEnabled(spec.level)) {
      const { type, ...own } = event;
      log[spec.level](spec.fields?.(event) ?? own, `${type}${spec.says ?? ''}`);
    }
  };
}
