/** What /healthz and /readyz ask. */
export interface Health {
  /** undefined when ready, else why not (the body of the 503). */
  notReadyReason(): string | undefined;
  /** False when the process loop has stopped turning; absent = alive while the process answers. */
  alive?(): boolean;
}

export interface HealthOptions {
  readonly now: () => number;
  /** A successful receive older than this is no longer "recent" (at least a few long polls). */
  readonly receiveStaleMs: number;
  /** A loop heartbeat older than this means the loop is stuck. */
  readonly loopStaleMs: number;
}

/**
 * The facts readiness and liveness are made of, fed by the daemon as they happen. The clock is injected so the
 * thresholds can be tested without waiting.
 */
export class HealthTracker implements Health {
  private readonly options: HealthOptions;
  private rules = false;
  private stateProblem: string | undefined = 'state not loaded yet';
  private lastReceive: { readonly ok: boolean; readonly atMs: number } | undefined;
  private lastBeatMs: number | undefined;

  constructor(options: HealthOptions) {
    this.options = options;
  }

  rulesLoaded(): void {
    this.rules = true;
  }

  /** undefined = the state is loaded and current; else why it is not (a failed reload keeps the last good state). */
  stateStatus(problem: string | undefined): void {
    this.stateProblem = problem;
  }

  received(ok: boolean): void {
    this.lastReceive = { ok, atMs: this.options.now() };
    this.heartbeat();
  }

  heartbeat(): void {
    this.lastBeatMs = this.options.now();
  }

  notReadyReason(): string | undefined {
    if (!this.rules) return 'rules not loaded yet';
    if (this.stateProblem !== undefined) return this.stateProblem;
    const last = this.lastReceive;
    if (last === undefined) return 'no SQS receive yet';
    if (!last.ok) return 'the last SQS receive failed';
    const age = this.options.now() - last.atMs;
    if (age > this.options.receiveStaleMs) return `the last successful SQS receive was ${Math.round(age / 1000)} s ago`;
    return undefined;
  }

  alive(): boolean {
    return this.lastBeatMs === undefined || this.options.now() - this.lastBeatMs <= this.options.loopStaleMs;
  }
}
