import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoStore } from '../../src/store/dynamodb.ts';
import { memoryStore } from '../../src/store/memory.ts';
import type { SharedStore } from '../../src/store/store.ts';
import type { KmsEvent } from '../../src/model/kms-event.ts';
import { startDynamo } from '../helpers/dynamo.ts';

// The claim protocol, the versioned histories and the lease, the same on both stores: in this process, and in a
// DynamoDB table (dynalite on loopback through the real SDK). Two stores over one table are two replicas.
const dynamo = await startDynamo();
afterAll(() => dynamo.stop());

const CLAIM_MS = 2_000;
let clock = Date.parse('2026-11-01T08:00:00Z');
const now = (): number => clock;
const timing = { claimMs: CLAIM_MS, retentionMs: 3_600_000, historyMs: 86_400_000, now };
let run = 0;

interface Pair {
  readonly a: SharedStore;
  readonly b: SharedStore;
  readonly ns: string;
}

const kinds: [string, () => Pair][] = [
  [
    'in this process',
    () => {
      const store = memoryStore({ dedupSize: 100, timing });
      return { a: store, b: store, ns: `m${run++}` };
    },
  ],
  [
    'in DynamoDB, two replicas',
    () => ({
      a: dynamoStore(dynamo.client, dynamo.table, timing),
      b: dynamoStore(dynamo.client, dynamo.table, timing),
      ns: `d${run++}`,
    }),
  ],
];

const event = (id: string, time: string): KmsEvent => ({
  name: 'EnableKey',
  eventId: id,
  eventTime: time,
  eventSource: 'kms.amazonaws.com',
  actor: { arn: 'arn:aws:iam::111122223333:user/Alice' },
  resourceType: 'aws_kms_key',
  key: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' },
  change: { kind: 'key', attributes: { key_state: 'Enabled' } },
  record: { eventID: id, eventTime: time },
});

describe.each(kinds)('the store %s', (_, make) => {
  let p: Pair;
  beforeAll(() => {
    p = make();
  });

  it('a claim is taken once; while in progress others are told busy; once completed, done', async () => {
    const id = `${p.ns}-e1`;
    expect((await p.a.claim([id])).get(id)).toBe('claimed');
    expect((await p.b.claim([id])).get(id)).toBe('busy');
    await p.a.complete([id]);
    expect((await p.b.claim([id])).get(id)).toBe('done');
    expect((await p.a.claim([id])).get(id)).toBe('done');
  });

  it('an in-progress claim whose holder died is taken over once it expires', async () => {
    const id = `${p.ns}-e2`;
    expect((await p.a.claim([id])).get(id)).toBe('claimed');
    clock += CLAIM_MS - 1000;
    expect((await p.b.claim([id])).get(id)).toBe('busy');
    clock += 1001;
    expect((await p.b.claim([id])).get(id)).toBe('claimed');
  });

  it('a released claim (logs not written) can be taken at once', async () => {
    const id = `${p.ns}-e3`;
    await p.a.claim([id]);
    await p.a.release([id]);
    expect((await p.b.claim([id])).get(id)).toBe('claimed');
  });

  it('claims many ids in one call, each with its own outcome', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `${p.ns}-m${i}`);
    await p.a.claim(ids.slice(0, 10));
    await p.a.complete(ids.slice(0, 5));
    const out = await p.b.claim(ids);
    expect(ids.map((id) => out.get(id))).toEqual([
      ...Array<string>(5).fill('done'),
      ...Array<string>(5).fill('busy'),
      ...Array<string>(20).fill('claimed'),
    ]);
  });

  it('a history is saved only over the version it was read at', async () => {
    const key = `${p.ns}-key`;
    const first = (await p.a.loadHistories([key])).get(key);
    expect(first).toEqual({ events: [], version: 0 });
    const e1 = event('h1', '2026-11-01T08:00:00Z');
    expect(await p.a.saveHistories([{ key, events: [e1], version: 0 }])).toEqual(new Set());
    // The other replica read version 0 too: its save loses and it must read again.
    expect(await p.b.saveHistories([{ key, events: [event('h2', '2026-11-01T09:00:00Z')], version: 0 }])).toEqual(
      new Set([key]),
    );
    const again = (await p.b.loadHistories([key])).get(key);
    expect(again).toEqual({ events: [e1], version: 1 });
  });

  it('one LookupEvents reader at a time: the lease is exclusive, renewable, and free once expired or released', async () => {
    if (p.a === p.b) {
      expect(await p.a.acquireLease(1000)).toBe(true);
      return;
    }
    expect(await p.a.acquireLease(1000)).toBe(true);
    expect(await p.b.acquireLease(1000)).toBe(false);
    expect(await p.a.acquireLease(1000)).toBe(true);
    clock += 1001;
    expect(await p.b.acquireLease(1000)).toBe(true);
    expect(await p.a.acquireLease(1000)).toBe(false);
    await p.b.releaseLease();
    expect(await p.a.acquireLease(1000)).toBe(true);
    await p.a.releaseLease();
  });
});

describe('the checkpoint in DynamoDB', () => {
  it('is shared by the replicas', async () => {
    const a = dynamoStore(dynamo.client, dynamo.table, timing);
    const b = dynamoStore(dynamo.client, dynamo.table, timing);
    expect(await a.readCheckpoint()).toBeUndefined();
    await a.writeCheckpoint(new Date('2026-11-01T08:00:00Z'));
    expect(await b.readCheckpoint()).toEqual(new Date('2026-11-01T08:00:00Z'));
  });
});
