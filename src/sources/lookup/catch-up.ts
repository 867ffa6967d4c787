import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Emit } from '../../observe/internal-events.ts';
import type { LookupStore } from '../../store/store.ts';
import { lookupOldestFirst, type LookedUpEvent } from './lookup-events.ts';

/** Overlap between LookupEvents windows: CloudTrail can make an event visible there a little late. */
const LOOKUP_OVERLAP_MS = 5 * 60_000;
/** How often a replica that is not the reader checks whether the reader is done. */
const WAIT_MS = 1000;

export interface CatchUpOptions {
  readonly client: CloudTrailClient;
  readonly store: LookupStore;
  /** `backfillSince` in ms: how far back to read without a checkpoint. */
  readonly sinceMs?: number | undefined;
  /** `lookupPollSeconds`: 0 reads once (the backfill), else every N seconds. */
  readonly pollSeconds: number;
  readonly now: () => number;
  readonly emit: Emit;
  /** Called as the reader makes progress (each slice, each poll), for the daemon's liveness. */
  readonly turned?: () => void;
  /** The events of one slice, oldest first; resolves when their logs are written. */
  readonly handle: (events: readonly LookedUpEvent[]) => Promise<void>;
}

/**
 * LookupEvents catch-up beside the live queue: from the shared checkpoint (or `sinceMs` back), in hour slices oldest
 * first, the checkpoint advanced after each slice's logs are written. One replica reads at a time (a lease in the
 * store, renewed before each slice); with `pollSeconds` 0 the others wait until the reader's checkpoint reaches their
 * own start, or read the rest themselves when they get the lease.
 */
export async function catchUp(o: CatchUpOptions, signal: AbortSignal): Promise<void> {
  const startedAt = o.now();
  const leaseMs = Math.max(120_000, 2 * o.pollSeconds * 1000);
  if ((await o.store.readCheckpoint()) === undefined && o.sinceMs === undefined && o.pollSeconds === 0) return;
  let first = true;
  while (!signal.aborted) {
    // Waiting for the lease, or between polls, is the loop turning too: only a stuck read is not.
    o.turned?.();
    // A backfill is done once some reader's checkpoint has reached this replica's start: the queue, which kept
    // collecting, has the rest.
    if (o.pollSeconds === 0 && !first) {
      const checkpoint = await o.store.readCheckpoint().catch(() => undefined);
      if (checkpoint !== undefined && checkpoint.getTime() >= startedAt - LOOKUP_OVERLAP_MS) return;
    }
    first = false;
    if (!(await lease(o, leaseMs))) {
      await sleep(WAIT_MS, undefined, { signal }).catch(() => undefined);
      continue;
    }
    try {
      await readWindow(o, startedAt, leaseMs, signal);
    } catch (err: unknown) {
      if (signal.aborted) return;
      o.emit({ type: 'LookupEventsError', err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
    if (o.pollSeconds === 0) {
      await o.store.releaseLease().catch(() => undefined);
      return;
    }
    await sleep(o.pollSeconds * 1000, undefined, { signal }).catch(() => undefined);
  }
  await o.store.releaseLease().catch(() => undefined);
}

async function lease(o: CatchUpOptions, leaseMs: number): Promise<boolean> {
  try {
    return await o.store.acquireLease(leaseMs);
  } catch (err: unknown) {
    o.emit({ type: 'LookupLeaseError', err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    return false;
  }
}

async function readWindow(o: CatchUpOptions, startedAt: number, leaseMs: number, signal: AbortSignal): Promise<void> {
  const checkpoint = await o.store.readCheckpoint();
  const start = new Date(
    checkpoint !== undefined
      ? checkpoint.getTime() - LOOKUP_OVERLAP_MS
      : o.sinceMs !== undefined
        ? startedAt - o.sinceMs
        : o.now() - LOOKUP_OVERLAP_MS,
  );
  const end = new Date(o.now());
  let events = 0;
  for await (const slice of lookupOldestFirst(o.client, start, end, signal)) {
    o.turned?.();
    await o.handle(slice.events);
    events += slice.events.length;
    await o.store.writeCheckpoint(slice.until);
    if (!(await o.store.acquireLease(leaseMs))) throw new Error('the LookupEvents lease was taken by another replica');
  }
  o.emit({ type: 'LookupEventsRead', from: start.toISOString(), to: end.toISOString(), events });
}
