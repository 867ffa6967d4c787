import { afterEach, describe, expect, it } from 'vitest';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../helpers/cli.ts';
import { startDaemon, startQueues, until, type Daemon } from '../helpers/fauxqs.ts';
import { startDynamo } from '../helpers/dynamo.ts';
import { call, EMERGENCY_ROLE, RECOVERY_ROLE, T0 } from '../breakglass/records.ts';

// Three replicas of the real daemon on one queue, sharing a DynamoDB table (dynalite on loopback), fed duplicate
// messages and the same events through two delivery paths (EventBridge and S3 log files, one with a bad record).
const base = JSON.parse(
  readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json`, 'utf8'),
) as Record<string, unknown>;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const EVENTS = 300;
const eventBridge = (detail: unknown) => ({ 'detail-type': 'AWS API Call via CloudTrail', detail });
const ids = Array.from({ length: EVENTS }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const records = ids.map((id) => ({ ...base, eventID: id }));
// The emergency DisableKey and the unauthorized EnableKey ten minutes later, sent in the wrong order, twice each.
const emergency = call('ct-disablekey.1.json', EMERGENCY_ROLE, T0, 'disable-emergency');
const unauthorized = call('ct-enablekey.1.json', null, T0 + 600_000, 'enable-by-alice');

async function setup() {
  const q = await startQueues({ maxReceiveCount: 3 });
  cleanups.push(q.stop);
  const dynamo = await startDynamo();
  cleanups.push(dynamo.stop);
  const bodies: unknown[] = [
    eventBridge(unauthorized),
    ...records.map(eventBridge),
    // 100 duplicate messages.
    ...records.slice(0, 100).map(eventBridge),
    eventBridge(emergency),
    eventBridge(unauthorized),
    eventBridge(emergency),
  ];
  // The first 100 events again in two log files; the second also holds a record the daemon cannot read, so its
  // message is retried until it is dead-lettered: its good events must still be logged once.
  const unreadable = { ...base, eventID: 'unreadable', requestParameters: {}, resources: [] };
  const files = [records.slice(0, 50), [...records.slice(50, 100), unreadable]];
  for (const [i, file] of files.entries()) {
    const key = `AWSLogs/111122223333/CloudTrail/us-west-2/2026/11/01/file-${i}.json.gz`;
    await q.put(key, gzipSync(JSON.stringify({ Records: file })));
    bodies.splice(150 + i * 100, 0, {
      Type: 'Notification',
      Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key] }),
    });
  }
  for (let i = 0; i < bodies.length; i += 10) {
    await q.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.queueUrl,
        Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: JSON.stringify(b) })),
      }),
    );
  }
  const replica = (): Daemon => {
    const d = startDaemon(q.endpoint, q.queueUrl, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      KMS_DRIFT_SHARED_TABLE: dynamo.table,
      KMS_DRIFT_EMERGENCY_PRINCIPALS: EMERGENCY_ROLE,
      KMS_DRIFT_RECOVERY_PRINCIPALS: RECOVERY_ROLE,
      KMS_DRIFT_VISIBILITY_TIMEOUT: '2',
    });
    cleanups.push(async () => {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
      await d.exited;
    });
    return d;
  };
  return { q, dynamo, replica };
}

/** `event_id rule` of every log of every replica. */
const pairs = (replicas: readonly Daemon[]): string[] =>
  replicas.flatMap((d) => d.logs.map((l) => `${String(l['event_id'])} ${String(l['rule'])}`));

const drained = (q: Awaited<ReturnType<typeof setup>>['q']) => async () =>
  (await q.depth(q.queueUrl)) === 0 && (await q.depth(q.dlqUrl)) === 1;

describe('three replicas sharing a DynamoDB table', () => {
  it('duplicates, two delivery paths and a bad record: exactly one log per event and rule', async () => {
    const { q, replica } = await setup();
    const replicas = [replica(), replica(), replica()];
    await until('the queue to drain and the bad log file to be dead-lettered', drained(q), 90_000);
    for (const d of replicas) d.child.kill('SIGTERM');
    for (const d of replicas) expect(await d.exited).toBe(0);
    const logged = pairs(replicas);
    // Each event once per rule it matches (a drift rule and a compliance rule), never twice.
    expect(logged.length).toBe(new Set(logged).size);
    expect(new Set(logged.map((p) => p.split(' ')[0]))).toEqual(
      new Set([...ids, 'disable-emergency', 'enable-by-alice']),
    );
    expect(logged.filter((p) => p.startsWith('enable-by-alice '))).toEqual([
      'enable-by-alice kms_break_glass_unauthorized_recovery',
    ]);
    expect(logged.filter((p) => p.startsWith('disable-emergency '))).toEqual([
      'disable-emergency kms_break_glass_emergency_action',
    ]);
    // More than one replica did the work.
    expect(replicas.filter((d) => d.logs.length > 0).length).toBeGreaterThan(1);
  }, 120_000);

  it('one replica SIGKILLed mid-work: no event lost', async () => {
    const { q, replica } = await setup();
    const replicas = [replica(), replica(), replica()];
    const victim = replicas[0]!;
    await until('the first replica to be logging', () => victim.logs.length > 20, 60_000);
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    await until('the others to drain the queue', drained(q), 90_000);
    for (const d of replicas.slice(1)) d.child.kill('SIGTERM');
    for (const d of replicas.slice(1)) expect(await d.exited).toBe(0);
    const logged = pairs(replicas);
    expect(new Set(logged.map((p) => p.split(' ')[0]))).toEqual(
      new Set([...ids, 'disable-emergency', 'enable-by-alice']),
    );
    expect(logged).toContain('enable-by-alice kms_break_glass_unauthorized_recovery');
    // At least once: a duplicate is the price of a crash between a write and its claim's completion.
    const repeated = logged.length - new Set(logged).size;
    console.info(`replicas with a SIGKILL: ${logged.length} logs, ${repeated} repeated`);
  }, 150_000);
});
