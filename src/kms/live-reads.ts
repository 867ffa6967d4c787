import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KmsEvent } from '../model/kms-event.ts';
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
 * key now, so the diff compares every attribute. What the event itself determined wins over the reading. A failed
 * read (throttled after the SDK's retries, access denied) leaves the event as it was, with the reason.
 */
export function liveReader(client: KMSClient, options: LiveReadOptions): (event: KmsEvent) => Promise<KmsEvent> {
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
    if (reading === undefined || options.now() - reading.at > options.ttlMs) {
      try {
        await throttle();
        const { KeyMetadata: metadata } = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
        if (metadata === undefined) throw new Error('DescribeKey returned no metadata');
        await throttle();
        const readAt = new Date(options.now()).toISOString();
        reading = { at: options.now(), event: scanEvent(await readKey(client, metadata), readAt, event.account ?? '') };
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
    return {
      ...event,
      // Live tags are the key's whole tag set, so they replace the event's tag delta.
      change: {
        kind: 'key',
        attributes: { ...live.attributes, ...own.attributes },
        ...(own.pendingWindowInDays === undefined ? {} : { pendingWindowInDays: own.pendingWindowInDays }),
      },
      live: { ok: true, readAt: reading.event.eventTime },
    };
  };
}
