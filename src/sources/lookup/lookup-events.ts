import { LookupEventsCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LookedUpEvent {
  /** The CloudTrail record as a JSON string, as LookupEvents returns it. */
  readonly cloudTrailEvent: string;
  readonly eventTime: Date;
}

/** LookupEvents allows 2 requests per second per account and region. */
const MIN_INTERVAL_MS = 500;

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
  let last = 0;
  do {
    const wait = last + MIN_INTERVAL_MS - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal });
    last = Date.now();
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
