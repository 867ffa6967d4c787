import { afterAll, describe, expect, it } from 'vitest';
import type { Core, EmittedLog } from '../../src/app.ts';
import type { JsonObject } from '../../src/model/json.ts';
import { dynamoStore } from '../../src/store/dynamodb.ts';
import { memoryStore } from '../../src/store/memory.ts';
import type { SharedStore } from '../../src/store/store.ts';
import { startDynamo } from '../helpers/dynamo.ts';
import { call, conclusions, core, DAY, EMERGENCY_ROLE, MINUTE, RECOVERY_ROLE, T0, throughStore } from './records.ts';

// Break-glass by event time: whatever order the events come in, redelivered or not, in one process or over a store
// shared by replicas and restarts, a reader of the logs ends with the same classification of every event, and the
// unauthorized recovery always has its Critical.
const dynamo = await startDynamo();
afterAll(() => dynamo.stop());
let tables = 0;
const timing = { claimMs: 60_000, retentionMs: 3_600_000, historyMs: 40 * DAY, now: Date.now };
const freshTable = async (): Promise<string> => dynamo.createTable(`bg-${tables++}`);

const emergency = call('ct-disablekey.1.json', EMERGENCY_ROLE, T0, 'disable-emergency');
const unauthorized = call('ct-enablekey.1.json', null, T0 + 10 * MINUTE, 'enable-by-alice');
const recovery = call('ct-enablekey.1.json', RECOVERY_ROLE, T0 + 60 * MINUTE, 'enable-by-recovery');
const laterDisable = call('ct-disablekey.1.json', null, T0 + 21 * DAY, 'disable-later');
const laterEnable = call('ct-enablekey.1.json', null, T0 + 21 * DAY + MINUTE, 'enable-later');

type Mode = (records: readonly JsonObject[]) => Promise<EmittedLog[]>;

const modes: [string, Mode][] = [
  ['replay (this process)', (records) => Promise.resolve(sequential(core(), records))],
  [
    'the daemon, its store in memory',
    async (records) => {
      const c = core(undefined, true);
      const store = memoryStore({ dedupSize: 100, timing });
      const logs: EmittedLog[] = [];
      for (const r of records) logs.push(...(await throughStore(c, store, r)));
      return logs;
    },
  ],
  [
    'the daemon restarted before every event, its store in DynamoDB',
    async (records) => {
      const table = await freshTable();
      const logs: EmittedLog[] = [];
      for (const r of records)
        logs.push(...(await throughStore(core(undefined, true), dynamoStore(dynamo.client, table, timing), r)));
      return logs;
    },
  ],
  [
    'two replicas over one table, every event at once',
    async (records) => {
      const table = await freshTable();
      const replicas: [Core, SharedStore][] = [0, 1].map(() => [
        core(undefined, true),
        dynamoStore(dynamo.client, table, timing),
      ]);
      const all = await Promise.all(
        records.map((r, i) => {
          const [c, store] = replicas[i % 2] ?? replicas[0]!;
          return throughStore(c, store, r);
        }),
      );
      return all.flat();
    },
  ],
];

function sequential(c: Core, records: readonly JsonObject[]): EmittedLog[] {
  return records.flatMap((r) => c.processPayload(r).logs);
}

const scenarios: { name: string; records: JsonObject[]; status: Record<string, string>; critical: string[] }[] = [
  {
    name: 'an emergency DisableKey, then an EnableKey by someone who may not recover it 10 minutes later',
    records: [emergency, unauthorized],
    status: { 'disable-emergency': 'authorized_emergency', 'enable-by-alice': 'unauthorized_recovery' },
    critical: ['enable-by-alice'],
  },
  {
    name: 'an emergency and its recovery, then an ordinary DisableKey and EnableKey 21 days later',
    records: [emergency, recovery, laterDisable, laterEnable],
    status: { 'disable-emergency': 'authorized_emergency', 'enable-by-recovery': 'recovery', 'disable-later': 'none' },
    critical: [],
  },
];

/** Every order of `items` (the scenarios have at most 4 events: 24 orders). */
function orders<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe.each(scenarios)('$name', ({ records, status, critical }) => {
  it('in order, in one process: the classification the other runs must reach', () => {
    expect(conclusions(sequential(core(), records))).toEqual({ status, critical });
  });

  it.each(modes)('%s: every delivery order, and newest first as LookupEvents returns them', async (_, mode) => {
    for (const order of orders(records))
      expect(conclusions(await mode(order)), order.map((r) => r['eventID']).join(' ')).toEqual({ status, critical });
  });

  it.each(modes)('%s: every event delivered twice, the second copy after all the others', async (_, mode) => {
    expect(conclusions(await mode([...records, ...records]))).toEqual({ status, critical });
    expect(conclusions(await mode([...records].reverse().concat(records)))).toEqual({ status, critical });
  });
});

describe('what a late event changes is logged as a re-classification', () => {
  it('the unauthorized recovery seen first logs nothing; its emergency action then logs the Critical for it', () => {
    const c = core();
    expect(c.processPayload(unauthorized).logs).toEqual([]);
    const logs = c.processPayload(emergency).logs;
    expect(logs.map((l) => [l.log['event_id'], l.log['rule']])).toEqual([
      ['disable-emergency', 'kms_break_glass_emergency_action'],
      ['enable-by-alice', 'kms_break_glass_unauthorized_recovery'],
    ]);
    expect(logs[1]).toMatchObject({
      priority: 'Critical',
      log: {
        event: 'EnableKey',
        timestamp: '2026-11-01T08:10:00Z',
        reclassified: { by_event_id: 'disable-emergency' },
        emergency: { status: 'unauthorized_recovery', emergency_event_id: 'disable-emergency', elapsed_hours: 0.17 },
      },
    });
  });

  it('a redelivered emergency action after its recovery changes nothing', () => {
    const c = core();
    sequential(c, [emergency, recovery]);
    const again = c.processPayload(emergency).logs;
    expect(again.map((l) => [l.log['event_id'], l.log['rule']])).toEqual([
      ['disable-emergency', 'kms_break_glass_emergency_action'],
    ]);
    expect(sequential(c, [laterDisable, laterEnable]).map((l) => l.log['rule'])).toEqual(['kms_key_disabled']);
  });
});
