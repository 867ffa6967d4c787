import type { PayloadOutcome } from '../app.ts';

/** Counts of what a run saw, for the summary line on stderr (and, in the daemon, for metrics). */
export class Tally {
  readonly events = new Map<string, number>();
  readonly skipped = new Map<string, number>();
  readonly problems = new Map<string, number>();
  readonly logs = new Map<string, number>();
  /** Drift logs by priority and rule, for the summary table of `--format text`. */
  readonly byRule = new Map<string, { readonly priority: string; readonly rule: string; count: number }>();
  /** What the loaded rules read (normalize/read-set.ts describeReadSet), named at the end of the summary. */
  reads: string | undefined;

  add(outcome: PayloadOutcome): void {
    for (const e of outcome.events) bump(this.events, e.name);
    for (const [reason, n] of Object.entries(outcome.skipped)) bump(this.skipped, reason, n ?? 0);
    for (const p of outcome.problems) bump(this.problems, p.code);
    for (const l of outcome.logs) this.addLog(l.priority, String(l.log['rule'] ?? ''));
  }

  addLog(priority: string, rule: string): void {
    bump(this.logs, priority);
    const key = `${priority} ${rule}`;
    const row = this.byRule.get(key);
    if (row === undefined) this.byRule.set(key, { priority, rule, count: 1 });
    else row.count++;
  }

  get eventCount(): number {
    return total(this.events);
  }

  get logCount(): number {
    return total(this.logs);
  }

  get problemCount(): number {
    return total(this.problems);
  }

  addProblem(code: string): void {
    bump(this.problems, code);
  }

  addSkip(reason: string): void {
    bump(this.skipped, reason);
  }

  summary(): string {
    return [
      `events ${total(this.events)}${detail(this.events)}`,
      `drift logs ${total(this.logs)}${detail(this.logs)}`,
      `skipped ${total(this.skipped)}${detail(this.skipped)}`,
      `problems ${total(this.problems)}${detail(this.problems)}`,
      ...(this.reads === undefined ? [] : [`reads ${this.reads}`]),
    ].join('; ');
  }
}

function bump(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

export function total(map: Map<string, number>): number {
  let t = 0;
  for (const n of map.values()) t += n;
  return t;
}

function detail(map: Map<string, number>): string {
  if (map.size === 0) return '';
  const parts = [...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}=${n}`);
  return ` (${parts.join(', ')})`;
}
