import { LookupEventsCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LookedUpEvent {
  /** The CloudTrail record as a JSON string, as LookupEvents returns it. */
  readonly cloudTrailEvent: string;
  readonly eventTime: Date;
}

/** LookupEvents allows 2 requests per second per account and region. */
const MIN_INTERVAL_MS = 500;
/** When each client last sent: the limit holds across calls (an hour slice after another), not only within one. */
const lastSent = new WeakMap<CloudTrailClient, number>();

/**
 * KMS management events between `start` and `end`, page by page (LookupEvents returns newest first), never faster
 * than LookupEvents' rate limit. Throttling errors are retried by the SDK.
 */
export async function* lookupKmsEvents(
  client: CloudTrailClient,
  start: Date,
  end: Date,
  signal: AbortSignal,
): AsyncIterable<readonly LookedUpEvent[]> {
  let token: string | undefined;
  do {
    const wait = (lastSent.get(client) ?? 0) + MIN_INTERVAL_MS - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal });
    lastSent.set(client, Date.now());
    const page = await client.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' }],
        StartTime: start,
        EndTime: end,
        MaxResults: 50,
        ...(token === undefined ? {} : { NextToken: token }),
      }),
      { abortSignal: signal },
    );
    token = page.NextToken;
    yield (page.Events ?? []).flatMap((e) =>
      e.CloudTrailEvent === undefined ? [] : [{ cloudTrailEvent: e.CloudTrailEvent, eventTime: e.EventTime ?? end }],
    );
  } while (token !== undefined && !signal.aborted);
}

/** A window's events are read whole, then processed, one slice of this length at a time. */
export const LOOKUP_SLICE_MS = 3_600_000;

/**
 * The window from `start` to `end` in slices of an hour, oldest slice first, each slice's events oldest first
 * (LookupEvents returns newest first, so a slice is read whole, then reversed): break-glass sees an emergency action
 * before its recovery, as it happened. A slice bounds what is held in memory.
 */
export async function* lookupOldestFirst(
  client: CloudTrailClient,
  start: Date,
  end: Date,
  signal: AbortSignal,
): AsyncIterable<{ readonly events: readonly LookedUpEvent[]; readonly until: Date }> {
  // Whole slices of about an hour: a window of 2 h and a few ms is two slices, not a third of a few ms.
  const count = Math.max(1, Math.round((end.getTime() - start.getTime()) / LOOKUP_SLICE_MS));
  const length = (end.getTime() - start.getTime()) / count;
  for (let i = 0; i < count && !signal.aborted; i++) {
    const from = start.getTime() + Math.round(i * length);
    const until = new Date(i === count - 1 ? end.getTime() : start.getTime() + Math.round((i + 1) * length));
    const events: LookedUpEvent[] = [];
    for await (const page of lookupKmsEvents(client, new Date(from), until, signal)) events.push(...page);
    events.sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime());
    yield { events, until };
  }
}
