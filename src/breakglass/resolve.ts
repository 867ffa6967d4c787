import type { DriftFinding } from '../model/finding.ts';
import type { KmsEvent } from '../model/kms-event.ts';
import type { HistoryStore, HistoryUpdate } from '../store/store.ts';
import { step, type Classifier, type Step } from './classify.ts';
import { historyKeyOf, stepLogs, type BreakGlassLog, type Evaluator } from './logs.ts';

/** Saves that lost to another worker are retried with the newer history; past this many rounds, the message fails. */
const MAX_ROUNDS = 10;

/**
 * Break-glass in the daemon: the held events of one message added to their keys' histories in the store, oldest
 * first, each classified by event time (and what they re-classify logged), and the histories saved over the version
 * read. A key that another replica changed meanwhile is read again and its events classified again, so two replicas
 * classify as one process would. A redelivered event changes no history; its logs are recomputed the same, and the
 * daemon's claims drop them (or, after a crash before they were written, write them).
 */
export async function resolveHeld(
  held: readonly DriftFinding[],
  store: HistoryStore,
  stage: { readonly classifier: Classifier; readonly evaluator: Evaluator },
): Promise<BreakGlassLog[]> {
  const byId = new Map(held.map((f) => [f.event.eventId, f]));
  let pending = [...byId.values()].sort((a, b) => Date.parse(a.event.eventTime) - Date.parse(b.event.eventTime));
  const logs: BreakGlassLog[] = [];
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_ROUNDS) throw new Error(`break-glass history of ${keysOf(pending).join(', ')} kept changing`);
    const keys = keysOf(pending);
    const stored = await store.loadHistories(keys);
    const working = new Map<string, readonly KmsEvent[]>(keys.map((k) => [k, stored.get(k)?.events ?? []]));
    const steps: { finding: DriftFinding; key: string; step: Step }[] = [];
    for (const finding of pending) {
      const key = historyKeyOf(finding) ?? '';
      const s = step(stage.classifier, working.get(key) ?? [], finding.event);
      working.set(key, s.history);
      steps.push({ finding, key, step: s });
    }
    const updates: HistoryUpdate[] = keys
      .filter((k) => ids(working.get(k)) !== ids(stored.get(k)?.events))
      .map((k) => ({ key: k, events: working.get(k) ?? [], version: stored.get(k)?.version ?? 0 }));
    const conflicts = await store.saveHistories(updates);
    for (const s of steps) if (!conflicts.has(s.key)) logs.push(...stepLogs(stage.evaluator, s.finding, s.step));
    pending = pending.filter((f) => conflicts.has(historyKeyOf(f) ?? ''));
  }
  return logs;
}

function keysOf(findings: readonly DriftFinding[]): string[] {
  return [...new Set(findings.map((f) => historyKeyOf(f) ?? ''))];
}

function ids(events: readonly KmsEvent[] | undefined): string {
  return (events ?? []).map((e) => e.eventId).join('\n');
}
