import { DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { ClaimOutcome, SharedStore, StoreTiming } from './store.ts';
import { batchGet, batchPut, expiresAt, isConditionFailed, n, pk, s, type Item } from './dynamodb-items.ts';
import { dynamoHistories } from './dynamodb-history.ts';

const IN_PROGRESS = 'in_progress';
const COMPLETED = 'completed';
const COMPLETION_WAIT_MS = 10;

/**
 * The store every replica shares: one DynamoDB table (partition key `pk`, TTL attribute `expires`). A claim is a
 * conditional PutItem that succeeds when no claim exists, the last one expired, or an in-progress one outlived its
 * `until` (its holder died): the protocol of Powertools' idempotency records, taken per event and completed in
 * batches. Expiry is part of every condition, so nothing depends on when TTL actually deletes an item.
 */
export function dynamoStore(client: DynamoDBClient, table: string, timing: StoreTiming): SharedStore {
  const owner = randomUUID();
  const completions = batcher((ids: readonly string[]) => {
    const expires = expiresAt(timing.now() + timing.retentionMs);
    return batchPut(
      client,
      table,
      ids.map((id) => ({ pk: s(pk.claim(id)), state: s(COMPLETED), owner: s(owner), expires })),
    );
  });

  async function claimOne(id: string): Promise<boolean> {
    const t = timing.now();
    try {
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: s(pk.claim(id)),
            state: s(IN_PROGRESS),
            owner: s(owner),
            until: n(t + timing.claimMs),
            expires: expiresAt(t + timing.retentionMs),
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR #expires < :nowS OR (#state = :inProgress AND #until < :now)',
          ExpressionAttributeNames: { '#expires': 'expires', '#state': 'state', '#until': 'until' },
          ExpressionAttributeValues: { ':nowS': n(Math.floor(t / 1000)), ':now': n(t), ':inProgress': s(IN_PROGRESS) },
        }),
      );
      return true;
    } catch (err: unknown) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  return {
    kind: 'dynamodb',
    async claim(ids) {
      const taken = await Promise.all(ids.map(claimOne));
      const out = new Map<string, ClaimOutcome>(ids.map((id, i) => [id, taken[i] === true ? 'claimed' : 'busy']));
      const refused = ids.filter((_, i) => taken[i] !== true);
      // Refused: logged already, or held by a worker still within its claim. The put cannot say which (dynalite
      // has no ReturnValuesOnConditionCheckFailure), so one read asks, for the refused ones only.
      for (const item of refused.length === 0 ? [] : await batchGet(client, table, refused.map(pk.claim))) {
        const id = item['pk']?.S?.slice('claim#'.length);
        if (id !== undefined && item['state']?.S === COMPLETED) out.set(id, 'done');
      }
      return out;
    },
    complete: (ids) => completions(ids),
    async release(ids) {
      await Promise.all(
        ids.map((id) =>
          client
            .send(
              new DeleteItemCommand({
                TableName: table,
                Key: { pk: s(pk.claim(id)) },
                ConditionExpression: '#owner = :me AND #state = :inProgress',
                ExpressionAttributeNames: { '#owner': 'owner', '#state': 'state' },
                ExpressionAttributeValues: { ':me': s(owner), ':inProgress': s(IN_PROGRESS) },
              }),
            )
            .catch((err: unknown) => {
              if (!isConditionFailed(err)) throw err;
            }),
        ),
      );
    },
    ...dynamoHistories(client, table, timing),
    async readCheckpoint() {
      const out = await client.send(
        new GetItemCommand({ TableName: table, Key: { pk: s(pk.checkpoint) }, ConsistentRead: true }),
      );
      const text = out.Item?.['readUntil']?.S;
      const time = text === undefined ? undefined : new Date(text);
      return time !== undefined && !Number.isNaN(time.getTime()) ? time : undefined;
    },
    async writeCheckpoint(readUntil) {
      const item: Item = { pk: s(pk.checkpoint), readUntil: s(readUntil.toISOString()) };
      await client.send(new PutItemCommand({ TableName: table, Item: item }));
    },
    async acquireLease(ms) {
      const t = timing.now();
      try {
        await client.send(
          new PutItemCommand({
            TableName: table,
            Item: { pk: s(pk.lease), owner: s(owner), until: n(t + ms), expires: expiresAt(t + ms) },
            ConditionExpression: 'attribute_not_exists(pk) OR #owner = :me OR #until < :now',
            ExpressionAttributeNames: { '#owner': 'owner', '#until': 'until' },
            ExpressionAttributeValues: { ':me': s(owner), ':now': n(t) },
          }),
        );
        return true;
      } catch (err: unknown) {
        if (isConditionFailed(err)) return false;
        throw err;
      }
    },
    async releaseLease() {
      await client
        .send(
          new DeleteItemCommand({
            TableName: table,
            Key: { pk: s(pk.lease) },
            ConditionExpression: '#owner = :me',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':me': s(owner) },
          }),
        )
        .catch((err: unknown) => {
          if (!isConditionFailed(err)) throw err;
        });
    },
  };
}

/**
 * Gathers the ids of calls made within a few milliseconds (the messages of one receive finish together, each a
 * little after the other) into one write, and settles every caller with that write's result. The wait is small
 * beside a message's round trips; it saves one BatchWriteItem per message.
 */
function batcher(write: (ids: readonly string[]) => Promise<void>): (ids: readonly string[]) => Promise<void> {
  let pending: { ids: string[]; done: Promise<void> } | undefined;
  return (ids) => {
    if (ids.length === 0) return Promise.resolve();
    if (pending === undefined) {
      const ids: string[] = [];
      const done = new Promise<void>((resolve) => setTimeout(resolve, COMPLETION_WAIT_MS)).then(() => {
        pending = undefined;
        return write(ids);
      });
      pending = { ids, done };
    }
    pending.ids.push(...ids);
    return pending.done;
  };
}
