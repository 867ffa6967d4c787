import { SeenEventIds } from '../dedup/event-ids.ts';
import type { KmsEvent } from '../model/kms-event.ts';
import { readCheckpoint, writeCheckpoint } from '../sources/lookup/checkpoint.ts';
import type { ClaimOutcome, KeyHistory, SharedStore, StoreTiming } from './store.ts';

/** Keys whose history is remembered at most; the least recently changed is forgotten first. */
const MAX_KEYS = 10_000;

/**
 * The store of a single process: completed eventIDs bounded by `dedupSize` (least recently seen forgotten first),
 * histories of at most 10,000 keys, the checkpoint in `checkpointFile`, and a lease that is always its own.
 */
export function memoryStore(options: {
  readonly dedupSize: number;
  readonly checkpointFile?: string | undefined;
  readonly timing: Pick<StoreTiming, 'claimMs' | 'now'>;
}): SharedStore {
  const done = new SeenEventIds(options.dedupSize);
  const inProgress = new Map<string, number>();
  const histories = new Map<string, KeyHistory>();
  const { claimMs, now } = options.timing;
  return {
    kind: 'memory',
    claim(ids) {
      const out = new Map<string, ClaimOutcome>();
      const t = now();
      for (const id of ids) {
        if (done.has(id)) out.set(id, 'done');
        else if ((inProgress.get(id) ?? -Infinity) > t) out.set(id, 'busy');
        else {
          inProgress.set(id, t + claimMs);
          out.set(id, 'claimed');
        }
      }
      return Promise.resolve(out);
    },
    complete(ids) {
      for (const id of ids) {
        inProgress.delete(id);
        done.claim(id);
      }
      return Promise.resolve();
    },
    release(ids) {
      for (const id of ids) inProgress.delete(id);
      return Promise.resolve();
    },
    loadHistories(keys) {
      return Promise.resolve(new Map(keys.map((k) => [k, histories.get(k) ?? { events: [], version: 0 }])));
    },
    saveHistories(updates) {
      const conflicts = new Set<string>();
      for (const u of updates) {
        const current = histories.get(u.key)?.version ?? 0;
        if (current !== u.version) {
          conflicts.add(u.key);
          continue;
        }
        histories.delete(u.key);
        histories.set(u.key, { events: [...u.events] as KmsEvent[], version: current + 1 });
        if (histories.size > MAX_KEYS) {
          const oldest = histories.keys().next();
          if (oldest.done !== true) histories.delete(oldest.value);
        }
      }
      return Promise.resolve(conflicts);
    },
    readCheckpoint: () => readCheckpoint(options.checkpointFile),
    writeCheckpoint: (readUntil) => writeCheckpoint(options.checkpointFile, readUntil),
    acquireLease: () => Promise.resolve(true),
    releaseLease: () => Promise.resolve(),
  };
}
