/** What /healthz and /readyz ask. */
export interface Health {
  /** undefined when ready, else why not (the body of the 503). */
  notReadyReason(): string | undefined;
  /** undefined while every loop turns, else which one stopped (the body of /healthz's 503). */
  stuckReason(): string | undefined;
}

/** The inputs readiness can depend on: the SQS receive loops and the LookupEvents poll. */
export type Input = 'sqs' | 'lookup';

const INPUT_CALL: Readonly<Record<Input, string>> = { sqs: 'SQS receive', lookup: 'LookupEvents read' };

export interface HealthOptions {
  readonly now: () => number;
}

/**
 * The facts readiness and liveness are made of, fed by the daemon as they happen. Only the inputs and loops the
 * daemon runs are expected (LookupEvents-only mode has no SQS receive to wait for). The clock is injected so the
 * thresholds can be tested without waiting.
 */
export class HealthTracker implements Health {
  private readonly now: () => number;
  private rules = false;
  private stateProblem: string | undefined = 'state not loaded yet';
  private readonly inputs = new Map<
    Input,
    { readonly staleMs: number; last?: { readonly ok: boolean; readonly atMs: number } }
  >();
  private readonly loops = new Map<string, { readonly staleMs: number; lastMs: number }>();

  constructor(options: HealthOptions) {
    this.now = options.now;
  }

  rulesLoaded(): void {
    this.rules = true;
  }

  /** undefined = the state is loaded and current; else why it is not (a failed reload keeps the last good state). */
  stateStatus(problem: string | undefined): void {
    this.stateProblem = problem;
  }

  /** Readiness now needs this input's last call to have succeeded, less than `staleMs` ago. */
  expectInput(input: Input, staleMs: number): void {
    this.inputs.set(input, { staleMs });
  }

  inputResult(input: Input, ok: boolean): void {
    const entry = this.inputs.get(input);
    if (entry !== undefined) entry.last = { ok, atMs: this.now() };
  }

  /** Liveness now needs this loop to turn at least every `staleMs`, counted from now. */
  expectLoop(name: string, staleMs: number): void {
    this.loops.set(name, { staleMs, lastMs: this.now() });
  }

  loopTurned(name: string): void {
    const entry = this.loops.get(name);
    if (entry !== undefined) entry.lastMs = this.now();
  }

  /** The loop no longer runs (shutdown): it is not stuck. */
  loopEnded(name: string): void {
    this.loops.delete(name);
  }

  notReadyReason(): string | undefined {
    if (!this.rules) return 'rules not loaded yet';
    if (this.stateProblem !== undefined) return this.stateProblem;
    for (const [input, { staleMs, last }] of this.inputs) {
      const call = INPUT_CALL[input];
      if (last === undefined) return `no ${call} yet`;
      if (!last.ok) return `the last ${call} failed`;
      const age = this.now() - last.atMs;
      if (age > staleMs) return `the last successful ${call} was ${Math.round(age / 1000)} s ago`;
    }
    return undefined;
  }

  stuckReason(): string | undefined {
    for (const [name, { staleMs, lastMs }] of this.loops) {
      const age = this.now() - lastMs;
      if (age > staleMs) return `${name} has not turned for ${Math.round(age / 1000)} s`;
    }
    return undefined;
  }
}
