import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KmsEvent } from '../model/kms-event.ts';
import { applyTagDelta } from '../diff/tags.ts';
import { readKey } from './read-account.ts';
import { scanEvent } from './scan-event.ts';

export interface LiveReadOptions {
  /** How long a reading of one key is reused. */
  readonly ttlMs: number;
  /** At most one KMS call this often, so a burst of events cannot exhaust the account's KMS request quota. */
  readonly minIntervalMs: number;
  readonly now: () => number;
}

/**
 * Fills in what an event does not say about its key (a DisableKey says nothing of rotation or tags) by reading the
 * key, so the diff compares every attribute. The event wins: its own attributes replace the reading's, and its tag
 * delta (TagResource, UntagResource) is applied to the reading's tags. A reading is reused for `ttlMs`, but never
 * for an event that happened after it was taken: it would not know what that event changed (a TagResource right
 * after another call on the key would be compared with the tags from before it). A failed read (throttled after the
 * SDK's retries, access denied) leaves the event as it was, with the reason. Each event says when its reading was
 * taken (`live.readAt`).
 */
export function liveReader(
  client: KMSClient | ((region: string | undefined) => KMSClient),
  options: LiveReadOptions,
): (event: KmsEvent) => Promise<KmsEvent> {
  const clientFor = typeof client === 'function' ? client : regionalClients(client);
  const cache = new Map<string, { at: number; event: KmsEvent }>();
  let next = 0;
  const throttle = async (): Promise<void> => {
    const wait = next - options.now();
    next = Math.max(next, options.now()) + options.minIntervalMs;
    if (wait > 0) await sleep(wait);
  };
  return async (event) => {
    const keyId = event.key?.arn ?? event.key?.keyId;
    if (event.change.kind !== 'key' || event.error !== undefined || keyId === undefined) return event;
    let reading = cache.get(keyId);
    const happened = Date.parse(event.eventTime);
    if (
      reading === undefined ||
      options.now() - reading.at > options.ttlMs ||
      (Number.isFinite(happened) && reading.at < happened)
    ) {
      try {
        await throttle();
        // Dated when it starts: whatever happened after that may be missing from it.
        const at = options.now();
        const kms = clientFor(event.key?.region ?? event.region);
        const { KeyMetadata: metadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
        if (metadata === undefined) throw new Error('DescribeKey returned no metadata');
        await throttle();
        const readAt = new Date(at).toISOString();
        reading = { at, event: scanEvent(await readKey(kms, metadata), readAt, event.account ?? '') };
        cache.set(keyId, reading);
      } catch (err: unknown) {
        return {
          ...event,
          live: { ok: false, reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
        };
      }
    }
    const live = reading.event.change;
    if (live.kind !== 'key') return event;
    const own = event.change;
    const delta = own.tagsSet !== undefined || own.tagsRemoved !== undefined;
    return {
      ...event,
      change: {
        kind: 'key',
        attributes: {
          ...live.attributes,
          ...own.attributes,
          ...(delta ? { tags: applyTagDelta(live.attributes.tags ?? {}, own.tagsSet, own.tagsRemoved) } : {}),
        },
        ...(own.pendingWindowInDays === undefined ? {} : { pendingWindowInDays: own.pendingWindowInDays }),
      },
      live: { ok: true, readAt: reading.event.eventTime },
    };
  };
}

/**
 * A key is read in its own Region (KMS keys are regional: a client of another Region does not find it), with the
 * base client's credentials; the base client for an event that names no Region.
 */
function regionalClients(base: KMSClient): (region: string | undefined) => KMSClient {
  const clients = new Map<string, KMSClient>();
  return (region) => {
    if (region === undefined) return base;
    let client = clients.get(region);
    if (client === undefined) {
      client = new KMSClient({ region, credentials: base.config.credentials, retryMode: 'adaptive' });
      clients.set(region, client);
    }
    return client;
  };
}
