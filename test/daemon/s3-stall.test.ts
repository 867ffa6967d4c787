import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';
import { startDaemon, startQueues, until } from '../helpers/fauxqs.ts';
import { startStallingProxy } from '../helpers/stalling-proxy.ts';

// An S3 GetObject that stalls mid-body must fail its own message (left for redelivery, then dead-lettered), not hold
// the poller: the real daemon reads through a loopback proxy that stops sending one object's body after 1,000 bytes.

const DOC = `${ROOT}fixtures/cloudtrail/aws-kms-developer-guide`;
const record = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${DOC}/${name}`, 'utf8')) as Record<string, unknown>;

describe('kms-drift run: a stalled S3 body', () => {
  it('fails its message after s3BodyTimeoutMs, twice, then the DLQ; the messages around it are logged', async () => {
    const q = await startQueues({ maxReceiveCount: 2 });
    const proxy = await startStallingProxy(q.endpoint, { stallBody: 'stall', bytes: 1000 });
    const d = startDaemon(proxy.endpoint, q.queueUrl, {
      KMS_DRIFT_S3_BODY_TIMEOUT_MS: '1000',
      KMS_DRIFT_VISIBILITY_TIMEOUT: '1',
      KMS_DRIFT_POLLERS: '1',
    });
    try {
      const notify = (key: string) =>
        q.send({ Type: 'Notification', Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key] }) });
      const big = Array.from({ length: 200 }, (_, i) => ({ ...record('ct-disablekey.1.json'), eventID: `s-${i}` }));
      await q.put('AWSLogs/stall.json.gz', gzipSync(JSON.stringify({ Records: big })));
      await q.put('AWSLogs/ok-1.json.gz', gzipSync(JSON.stringify({ Records: [record('ct-updatealias.1.json')] })));
      await q.put(
        'AWSLogs/ok-2.json.gz',
        gzipSync(JSON.stringify({ Records: [record('ct-disable-key-rotation.1.json')] })),
      );
      await notify('AWSLogs/stall.json.gz');
      await notify('AWSLogs/ok-1.json.gz');
      await until('the first stall', () => d.stderr().includes('the body stalled'), 20_000);
      // Sent after the first stall was reported: the single poller is not held by the stalled read.
      await notify('AWSLogs/ok-2.json.gz');
      await until('the stalled message in the DLQ', async () => (await q.depth(q.dlqUrl)) === 1, 30_000);
      await until('the queue to be empty', async () => (await q.depth(q.queueUrl)) === 0);
      expect(d.logs.map((l) => l['rule']).sort()).toEqual([
        'kms_alias_retargeted',
        'kms_compliance_rotation_disabled',
        'kms_key_rotation_disabled',
      ]);
      const failures = d
        .stderr()
        .split('\n')
        .filter((l) => l.includes('SqsMessageFailed'))
        .map((l) => JSON.parse(l) as { receiveCount: number; reason: string });
      expect(failures.map((f) => f.receiveCount)).toEqual([1, 2]);
      for (const f of failures)
        expect(f.reason).toMatch(/stall\.json\.gz: the body stalled: no bytes for 1000 ms \(s3BodyTimeoutMs\)/);
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
    } finally {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
      await d.exited;
      await proxy.stop();
      await q.stop();
    }
  }, 60_000);
});
