import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonValue } from '../model/json.ts';
import type { Priority } from '../model/priority.ts';
import type { ClaimStore } from '../store/store.ts';
import { claimIdOf } from '../breakglass/logs.ts';

export interface LogToWrite {
  readonly priority: Priority;
  readonly msg: string;
  readonly log: Readonly<Record<string, JsonValue>>;
}

export interface WriteOnceDeps {
  readonly claims: ClaimStore;
  /** Writes one log; throws when it cannot. */
  readonly write: (l: LogToWrite) => void;
  readonly flush: () => Promise<void>;
  /** How long a claim held elsewhere is waited for before the message is left for redelivery. */
  readonly busyWaitMs: number;
  /** A completion that failed after the logs were written: they stand, a later duplicate may be logged again. */
  readonly completeFailed: (ids: readonly string[], err: unknown) => void;
}

/** The logs written, and the events found already logged (their logs dropped). */
export interface WriteOnceResult {
  readonly written: readonly LogToWrite[];
  readonly duplicates: number;
  readonly duplicateIds: ReadonlySet<string>;
}

/**
 * Writes the logs of events not logged before, under claims taken per event (its own eventID, or for a
 * re-classification the eventID that caused it) before the write and completed after the flush. `eventIds` are
 * claimed too, with or without logs, so that an event is counted once whatever it logs. A claim that another
 * worker holds is asked for again until it is completed (a duplicate: dropped) or expires (taken over); still held
 * after `busyWaitMs`, the call throws and the message stays for redelivery. Logs that could not be written release
 * their claims, so the redelivered message logs them.
 */
export async function writeOnce(
  logs: readonly LogToWrite[],
  deps: WriteOnceDeps,
  eventIds: readonly string[] = [],
): Promise<WriteOnceResult> {
  const byClaim = new Map<string, LogToWrite[]>();
  for (const id of eventIds) if (id !== '' && !byClaim.has(id)) byClaim.set(id, []);
  for (const l of logs) {
    const id = claimIdOf(l.log);
    if (id !== undefined) byClaim.set(id, [...(byClaim.get(id) ?? []), l]);
  }
  const claimed: string[] = [];
  const duplicateIds = new Set<string>();
  let duplicates = 0;
  let asking = [...byClaim.keys()];
  const deadline = Date.now() + deps.busyWaitMs;
  for (let attempt = 0; asking.length > 0; attempt++) {
    if (attempt > 0) {
      if (Date.now() >= deadline) {
        await deps.claims.release(claimed);
        throw new Error(`events ${asking.join(', ')} are being logged by another worker; left for redelivery`);
      }
      await sleep(Math.min(1000, 20 * 2 ** attempt, Math.max(1, deadline - Date.now())));
    }
    const outcomes = await deps.claims.claim(asking);
    for (const id of asking) {
      const o = outcomes.get(id);
      if (o === 'claimed') claimed.push(id);
      else if (o === 'done') {
        duplicates += byClaim.get(id)?.length ?? 0;
        duplicateIds.add(id);
      }
    }
    asking = asking.filter((id) => outcomes.get(id) === 'busy' || outcomes.get(id) === undefined);
  }
  const mine = new Set(claimed);
  const written = logs.filter((l) => {
    const id = claimIdOf(l.log);
    return id === undefined || mine.has(id);
  });
  try {
    for (const l of written) deps.write(l);
    await deps.flush();
  } catch (err: unknown) {
    await deps.claims.release(claimed).catch(() => undefined);
    throw err;
  }
  try {
    await deps.claims.complete(claimed);
  } catch (err: unknown) {
    deps.completeFailed(claimed, err);
  }
  return { written, duplicates, duplicateIds };
}
