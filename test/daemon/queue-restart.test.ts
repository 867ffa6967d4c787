import { afterEach, describe, expect, it } from 'vitest';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';
import { REGION, startDaemon, until } from '../helpers/fauxqs.ts';

const base = JSON.parse(
  readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json`, 'utf8'),
) as Record<string, unknown>;
const event = (i: number) =>
  JSON.stringify({
    'detail-type': 'AWS API Call via CloudTrail',
    detail: { ...base, eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` },
  });
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('the queue server goes away and comes back', () => {
  it('the daemon backs off, reconnects, and loses nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kms-drift-fauxqs-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let server = await startFauxqs({ port: 0, logger: false, dataDir });
    const port = server.port;
    const endpoint = `http://127.0.0.1:${port}`;
    const { queueUrl } = server.createQueue('restart', { region: REGION });
    const sqs = new SQSClient({
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      useQueueUrlAsEndpoint: false,
    });
    cleanups.push(() => sqs.destroy());
    for (let i = 0; i < 5; i++) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: event(i) }));
    const d = startDaemon(endpoint, queueUrl);
    cleanups.push(async () => {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
      await d.exited;
    });
    // Counted by event: an event can match more than one rule (drift and compliance).
    const events = (): number => new Set(d.logs.map((l) => l['event_id'])).size;
    await until('the first five events logged', () => events() >= 5);

    await server.stop();
    await until('receive errors while the server is down', () => d.stderr().includes('SqsReceiveError'));
    server = await startFauxqs({ port, logger: false, dataDir });
    cleanups.push(() => server.stop());
    for (let i = 5; i < 10; i++) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: event(i) }));
    await until('the next five events after the restart', () => events() >= 10, 30_000);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(events()).toBe(10);
  }, 60_000);
});
