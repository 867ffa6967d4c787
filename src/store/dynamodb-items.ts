import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';

export type Item = Record<string, AttributeValue>;

/** Partition key values: one table holds every kind of item, told apart by the prefix. */
export const pk = {
  claim: (eventId: string) => `claim#${eventId}`,
  history: (key: string) => `key#${key}`,
  checkpoint: 'lookup#checkpoint',
  lease: 'lookup#lease',
} as const;

/** The TTL attribute (epoch seconds): DynamoDB deletes expired items itself, within days, so reads also compare it. */
export const expiresAt = (ms: number): AttributeValue => ({ N: String(Math.ceil(ms / 1000)) });

export const n = (value: number): AttributeValue => ({ N: String(value) });
export const s = (value: string): AttributeValue => ({ S: value });

/** BatchGetItem answers at most 100 keys and may leave some unprocessed: asks until every key is answered. */
export async function batchGet(client: DynamoDBClient, table: string, ids: readonly string[]): Promise<Item[]> {
  const items: Item[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    let keys: Item[] = [...new Set(ids.slice(i, i + 100))].map((id) => ({ pk: s(id) }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const out = await client.send(
        new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
      );
      items.push(...(out.Responses?.[table] ?? []));
      keys = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return items;
}

/** BatchWriteItem takes at most 25 puts and may leave some unprocessed: sends until every put is written. */
export async function batchPut(client: DynamoDBClient, table: string, items: readonly Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests: WriteRequest[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = out.UnprocessedItems?.[table] ?? [];
    }
  }
}

export function isConditionFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}
