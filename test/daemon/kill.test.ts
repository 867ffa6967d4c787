import { afterEach, describe, expect, it } from 'vitest';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { ROOT } from '../helpers/cli.ts';
import { startDaemon, startQueues, until, type Daemon } from '../helpers/fauxqs.ts';

const base = JSON.parse(
  readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json`, 'utf8'),
) as Record<string, unknown>;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const EVENTS = 1000;
const KILLS = 5;

describe('at-least-once through SIGKILL', () => {
  it(`${EVENTS} events, the daemon SIGKILLed ${KILLS} times mid-batch: every event logged, nothing left or dead-lettered`, async () => {
    const q = await startQueues({ maxReceiveCount: 20 });
    cleanups.push(q.stop);
    const ids = Array.from({ length: EVENTS }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (let i = 0; i < EVENTS; i += 10) {
      await q.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: q.queueUrl,
          Entries: ids.slice(i, i + 10).map((id, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify({
              'detail-type': 'AWS API Call via CloudTrail',
              detail: { ...base, eventID: id },
            }),
          })),
        }),
      );
    }
    const logged = new Set<string>();
    const run = (): Daemon => {
      const d = startDaemon(q.endpoint, q.queueUrl, { KMS_DRIFT_VISIBILITY_TIMEOUT: '1', KMS_DRIFT_POLLERS: '2' });
      cleanups.push(async () => {
        if (d.child.exitCode === null) d.child.kill('SIGKILL');
        await d.exited;
      });
      return d;
    };
    for (let k = 0; k < KILLS; k++) {
      const d = run();
      const before = logged.size;
      // Kill once this process has logged something new: it is then in the middle of its batches.
      await until(
        'progress before the kill',
        () => d.logs.some((l) => !logged.has(String(l['event_id']))) || before === EVENTS,
        20_000,
      );
      d.child.kill('SIGKILL');
      expect(await d.exited).toBe('SIGKILL');
      for (const l of d.logs) logged.add(String(l['event_id']));
    }
    const last = run();
    await until('the queue to drain', async () => (await q.depth(q.queueUrl)) === 0, 60_000);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    for (const l of last.logs) logged.add(String(l['event_id']));
    expect(logged.size).toBe(EVENTS);
    expect([...logged].sort()).toEqual(ids);
    expect(await q.depth(q.dlqUrl)).toBe(0);
  }, 120_000);
});
