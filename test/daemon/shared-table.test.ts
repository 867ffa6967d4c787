import { afterEach, describe, expect, it } from 'vitest';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { ROOT } from '../helpers/cli.ts';
import { startCloudTrailServer } from '../helpers/cloudtrail-server.ts';
import { startDaemon, startQueues, until, type Daemon } from '../helpers/fauxqs.ts';
import { startDynamo } from '../helpers/dynamo.ts';

const base = JSON.parse(
  readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json`, 'utf8'),
) as Record<string, unknown>;
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});
const id = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

function daemon(q: { endpoint: string; queueUrl: string }, dynamoEndpoint: string, env: Record<string, string> = {}) {
  const d = startDaemon(q.endpoint, q.queueUrl, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    KMS_DRIFT_SHARED_TABLE: 'kms-drift',
    ...env,
  });
  cleanups.push(async () => {
    if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await d.exited;
  });
  return d;
}

describe('the shared table', () => {
  it('a receive of 10 messages costs one conditional put per event, and their completions are batched', async () => {
    const q = await startQueues();
    cleanups.push(q.stop);
    const dynamo = await startDynamo();
    cleanups.push(dynamo.stop);
    const d = daemon(q, dynamo.endpoint);
    // Ready: the first receive has happened (an empty queue), so the 10 messages arrive in one receive.
    await until('the daemon to be polling', () => d.stderr().includes('DaemonStarted'));
    await new Promise((r) => setTimeout(r, 1500));
    dynamo.resetCalls();
    await q.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.queueUrl,
        Entries: Array.from({ length: 10 }, (_, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({
            'detail-type': 'AWS API Call via CloudTrail',
            detail: { ...base, eventID: id(i) },
          }),
        })),
      }),
    );
    await until('the queue to drain', async () => (await q.depth(q.queueUrl)) === 0);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(new Set(d.logs.map((l) => l['event_id'])).size).toBe(10);
    const calls = Object.fromEntries(dynamo.calls);
    console.info(`store calls for 10 messages of one event each: ${JSON.stringify(calls)}`);
    expect(calls['PutItem']).toBe(10);
    // Completions of messages finishing together share a BatchWriteItem (up to 25 each); no read is needed.
    expect(calls['BatchWriteItem'] ?? 0).toBeLessThanOrEqual(10);
    expect(calls['BatchGetItem'] ?? 0).toBe(0);
  });

  it('three replicas backfilling: one LookupEvents reader at a time, every event logged once', async () => {
    const now = Date.now();
    const records = Array.from({ length: 120 }, (_, i) => ({
      ...base,
      eventID: id(i),
      eventTime: new Date(now - (i + 1) * 20_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    }));
    const ct = await startCloudTrailServer(records);
    cleanups.push(ct.stop);
    const q = await startQueues();
    cleanups.push(q.stop);
    const dynamo = await startDynamo();
    cleanups.push(dynamo.stop);
    const env = { AWS_ENDPOINT_URL_CLOUDTRAIL: ct.endpoint, KMS_DRIFT_BACKFILL_SINCE: '2h' };
    const first = daemon(q, dynamo.endpoint, env);
    await until('the first reader to start', () => ct.requests.length > 0);
    const replicas: Daemon[] = [first, daemon(q, dynamo.endpoint, env), daemon(q, dynamo.endpoint, env)];
    await until('the backfill', () => first.stderr().includes('LookupEventsRead'), 30_000);
    await until('the other replicas to start', () => replicas.every((d) => d.stderr().includes('DaemonStarted')));
    await new Promise((r) => setTimeout(r, 2000));
    for (const d of replicas) d.child.kill('SIGTERM');
    for (const d of replicas) expect(await d.exited).toBe(0);
    // Only the first replica read: the others found its checkpoint past their own start.
    expect(replicas.map((d) => d.stderr().includes('LookupEventsRead'))).toEqual([true, false, false]);
    expect(ct.requests.length).toBe(4);
    const logged = replicas.flatMap((d) => d.logs.map((l) => `${String(l['event_id'])} ${String(l['rule'])}`));
    expect(logged.length).toBe(new Set(logged).size);
    expect(new Set(logged.map((p) => p.split(' ')[0]))).toEqual(new Set(records.map((r) => r.eventID)));
  });
});
