import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KmsEvent } from '../model/kms-event.ts';
import type { HistoryStore, KeyHistory, StoreTiming } from './store.ts';
import { batchGet, expiresAt, isConditionFailed, n, pk, s } from './dynamodb-items.ts';

/**
 * Each key's break-glass history as one item: the events (normalized, with their CloudTrail record, so a late
 * emergency action can re-evaluate a recovery's rules) as gzipped JSON, and a version for conditional saves. An item
 * lives until its newest event, or its last save, is older than what classify.ts keeps (window, grace, lateness).
 */
export function dynamoHistories(
  client: DynamoDBClient,
  table: string,
  timing: Pick<StoreTiming, 'now' | 'historyMs'>,
): Pick<HistoryStore, 'loadHistories' | 'saveHistories'> {
  return {
    async loadHistories(keys) {
      const out = new Map<string, KeyHistory>(keys.map((k) => [k, { events: [], version: 0 }]));
      const nowS = timing.now() / 1000;
      for (const item of keys.length === 0 ? [] : await batchGet(client, table, keys.map(pk.history))) {
        const key = item['pk']?.S?.slice('key#'.length);
        if (key === undefined) continue;
        const version = Number(item['version']?.N ?? 0);
        const expired = Number(item['expires']?.N ?? Infinity) < nowS;
        const bytes = item['history']?.B;
        out.set(key, { events: expired || bytes === undefined ? [] : decode(bytes), version });
      }
      return out;
    },
    async saveHistories(updates) {
      const conflicts = new Set<string>();
      await Promise.all(
        updates.map(async (u) => {
          // Kept while a late event could still need it: the newest event (or this save) plus what classify.ts keeps.
          const newest = Math.max(timing.now(), ...u.events.map((e) => Date.parse(e.eventTime)));
          try {
            await client.send(
              new PutItemCommand({
                TableName: table,
                Item: {
                  pk: s(pk.history(u.key)),
                  version: n(u.version + 1),
                  history: { B: gzipSync(JSON.stringify(u.events)) },
                  expires: expiresAt(newest + timing.historyMs),
                },
                ...(u.version === 0
                  ? { ConditionExpression: 'attribute_not_exists(pk)' }
                  : {
                      ConditionExpression: '#version = :version',
                      ExpressionAttributeNames: { '#version': 'version' },
                      ExpressionAttributeValues: { ':version': n(u.version) },
                    }),
              }),
            );
          } catch (err: unknown) {
            if (!isConditionFailed(err)) throw err;
            conflicts.add(u.key);
          }
        }),
      );
      return conflicts;
    },
  };
}

function decode(bytes: Uint8Array): KmsEvent[] {
  const parsed = JSON.parse(gunzipSync(bytes).toString('utf8')) as unknown;
  return Array.isArray(parsed) ? (parsed as KmsEvent[]) : [];
}
