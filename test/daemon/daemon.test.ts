import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { ROOT, runCli } from '../helpers/cli.ts';
import { startDaemon, startQueues, until, type Daemon } from '../helpers/fauxqs.ts';

// The real daemon (child process, configured by environment) against a real SQS/S3 server on loopback, driven with
// the real AWS SDK. Records are AWS's samples; the example state declares their keys (examples/README.md).
const DOC = `${ROOT}fixtures/cloudtrail/aws-kms-developer-guide`;
const record = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${DOC}/${name}`, 'utf8')) as Record<string, unknown>;
const eventBridge = (detail: Record<string, unknown>) => ({
  version: '0',
  id: String(detail['eventID']),
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.kms',
  account: '111122223333',
  region: 'us-west-2',
  resources: [],
  detail,
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(maxReceiveCount = 2) {
  const q = await startQueues({ maxReceiveCount });
  cleanups.push(q.stop);
  return q;
}

function daemon(endpoint: string, queueUrl: string, env: Record<string, string> = {}): Daemon {
  const d = startDaemon(endpoint, queueUrl, env);
  cleanups.push(async () => {
    if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await d.exited;
  });
  return d;
}

describe('kms-drift run: every delivery path', () => {
  it('EventBridge, SNS, S3 notification (direct and in SNS) and CloudTrail SNS each produce their drift log; digest files and KMS service events are skipped; every message is deleted', async () => {
    const q = await setup();
    await q.send(eventBridge(record('ct-disable-key-rotation.1.json')));
    await q.send({
      Type: 'Notification',
      MessageId: 'sns-1',
      Message: JSON.stringify(eventBridge(record('ct-put-key-policy.1.json'))),
    });
    const key1 =
      'AWSLogs/111122223333/CloudTrail/us-west-2/2020/11/13/111122223333_CloudTrail_us-west-2_20201113T2320Z_a b.json.gz';
    await q.put(key1, gzipSync(JSON.stringify({ Records: [record('ct-updatealias.1.json')] })));
    await q.send({
      Records: [
        {
          eventSource: 'aws:s3',
          s3: { bucket: { name: 'trail' }, object: { key: encodeURIComponent(key1).replace(/%2F/g, '/') } },
        },
      ],
    });
    const key2 =
      'AWSLogs/111122223333/CloudTrail/us-west-2/2020/07/01/111122223333_CloudTrail_us-west-2_20200701T2120Z_x.json.gz';
    await q.put(key2, gzipSync(JSON.stringify({ Records: [record('ct-untagresource.1.json')] })));
    await q.send({ Type: 'Notification', Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key2] }) });
    // An S3 event notification delivered through SNS: the key URL-encoded ("+" for a space), as S3 writes it.
    const key3 = 'AWSLogs/111122223333/CloudTrail/us-west-2/2020/07/01/disable key.json.gz';
    await q.put(key3, gzipSync(JSON.stringify({ Records: [record('ct-disablekey.1.json')] })));
    await q.send({
      Type: 'Notification',
      MessageId: 'sns-2',
      Message: JSON.stringify({
        Records: [
          {
            eventSource: 'aws:s3',
            eventName: 'ObjectCreated:Put',
            s3: { bucket: { name: 'trail' }, object: { key: key3.replace(/ /g, '+') } },
          },
        ],
      }),
    });
    // Recognised and skipped, not failed: a digest file (never read: it is not in the bucket) and a KMS service event.
    await q.send({
      Type: 'Notification',
      Message: JSON.stringify({
        s3Bucket: 'trail',
        s3ObjectKey: ['AWSLogs/111122223333/CloudTrail-Digest/us-west-2/2020/07/01/digest.json.gz'],
      }),
    });
    await q.send(
      JSON.parse(
        readFileSync(`${ROOT}fixtures/envelopes/eventbridge/aws-docs.kms-service-event.kms-events.3.json`, 'utf8'),
      ),
    );

    const d = daemon(q.endpoint, q.queueUrl);
    // Rotation switched off also weakens a compliance control: two rules, two logs for that event.
    await until('six drift logs', () => d.logs.length >= 6);
    expect(d.logs.map((l) => l['rule']).sort()).toEqual([
      'kms_alias_retargeted',
      'kms_compliance_rotation_disabled',
      'kms_key_disabled',
      'kms_key_policy_modified',
      'kms_key_rotation_disabled',
      'kms_key_tags_drifted',
    ]);
    await until('the queue to be empty', async () => (await q.depth(q.queueUrl)) === 0);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(d.logs).toHaveLength(6);
    expect(d.stderr()).not.toMatch(/SqsMessageFailed/);
    expect(await q.depth(q.dlqUrl)).toBe(0);
  });

  it('a duplicate (one event by EventBridge and in an S3 log file) produces one drift log', async () => {
    const q = await setup();
    const rec = record('ct-disable-key-rotation.1.json');
    await q.send(eventBridge(rec));
    await q.put('AWSLogs/dup.json.gz', gzipSync(JSON.stringify({ Records: [rec] })));
    await q.send({
      Type: 'Notification',
      Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: ['AWSLogs/dup.json.gz'] }),
    });
    await q.send(eventBridge(rec));
    const d = daemon(q.endpoint, q.queueUrl);
    await until('the daemon to start', () => d.stderr().includes('DaemonStarted'));
    await until('the queue to be empty', async () => (await q.depth(q.queueUrl)) === 0);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    // Once per matching rule (drift and compliance), not once per delivery.
    expect(d.logs.map((l) => [l['event_id'], l['rule']]).sort()).toEqual([
      ['6313164c-83aa-4cc3-9e1a-b7c426f7a5b1', 'kms_compliance_rotation_disabled'],
      ['6313164c-83aa-4cc3-9e1a-b7c426f7a5b1', 'kms_key_rotation_disabled'],
    ]);
  });
});

describe('kms-drift run: nothing is lost', () => {
  it('a missing log file, garbage, a bad gzip header and a truncated gzip: redelivered, dead-lettered, logged; others keep flowing', async () => {
    const q = await setup(2);
    const missing = {
      Type: 'Notification',
      Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: ['AWSLogs/missing.json.gz'] }),
    };
    await q.send(missing);
    await q.put('AWSLogs/not-gzip.json.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]));
    await q.send({
      Type: 'Notification',
      Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: ['AWSLogs/not-gzip.json.gz'] }),
    });
    await q.put('AWSLogs/garbage.json.gz', 'this is not a log file\n');
    await q.send({
      Type: 'Notification',
      Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: ['AWSLogs/garbage.json.gz'] }),
    });
    const whole = gzipSync(JSON.stringify({ Records: [record('ct-disablekey.1.json')] }));
    await q.put('AWSLogs/truncated.json.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    await q.send({
      Type: 'Notification',
      Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: ['AWSLogs/truncated.json.gz'] }),
    });
    await q.send(eventBridge(record('ct-disable-key-rotation.1.json')));
    const d = daemon(q.endpoint, q.queueUrl, { KMS_DRIFT_VISIBILITY_TIMEOUT: '1' });
    await until('four messages in the DLQ', async () => (await q.depth(q.dlqUrl)) === 4, 30_000);
    expect(d.logs.map((l) => l['rule']).sort()).toEqual([
      'kms_compliance_rotation_disabled',
      'kms_key_rotation_disabled',
    ]);
    expect(d.stderr()).toMatch(/SqsMessageFailed/);
    expect(d.stderr()).toMatch(/missing\.json\.gz/);
    expect(d.stderr()).toMatch(/not-gzip\.json\.gz: cannot decompress/);
    expect(d.stderr()).toMatch(/garbage\.json\.gz: not JSON/);
    expect(d.stderr()).toMatch(/truncated\.json\.gz: cannot decompress/);
    const dead = await q.dlqBodies();
    expect(dead).toContain(JSON.stringify(missing));
    // Each failure is a JSON line on stderr with the message id, SQS's receive count and the reason.
    const failures = d
      .stderr()
      .split('\n')
      .filter((l) => l.includes('SqsMessageFailed'))
      .map((l) => JSON.parse(l) as { messageId: string; receiveCount: number; reason: string });
    const missingTries = failures.filter((f) => f.reason.includes('missing.json.gz'));
    expect(missingTries.map((f) => f.receiveCount)).toEqual([1, 2]);
    expect(missingTries[0]?.reason).toMatch(/NoSuchKey/);
    expect(new Set(missingTries.map((f) => f.messageId)).size).toBe(1);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('a body that is not JSON and a KMS record the core cannot read are dead-lettered with their reason', async () => {
    const q = await setup(2);
    await q.sqs.send(new SendMessageCommand({ QueueUrl: q.queueUrl, MessageBody: '{"Records": [' }));
    const unreadable = { ...record('ct-disablekey.1.json'), eventID: 'no-key', requestParameters: {}, resources: [] };
    await q.send(eventBridge(unreadable));
    const d = daemon(q.endpoint, q.queueUrl, { KMS_DRIFT_VISIBILITY_TIMEOUT: '1' });
    await until('two messages in the DLQ', async () => (await q.depth(q.dlqUrl)) === 2, 30_000);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    const reasons = d
      .stderr()
      .split('\n')
      .filter((l) => l.includes('SqsMessageFailed'))
      .map((l) => String((JSON.parse(l) as { reason: string }).reason));
    expect(reasons.some((r) => /^body is not JSON/.test(r))).toBe(true);
    expect(reasons.some((r) => /^RECORD_KEY_UNRESOLVED at body\.detail\.requestParameters\.keyId/.test(r))).toBe(true);
    expect(d.logs).toEqual([]);
  });

  it('SIGTERM during work loses nothing: what one process did not finish, the next one logs', async () => {
    const q = await setup(5);
    const base = record('ct-disable-key-rotation.1.json');
    const ids = Array.from({ length: 30 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const id of ids) await q.send(eventBridge({ ...base, eventID: id }));
    const first = daemon(q.endpoint, q.queueUrl, { KMS_DRIFT_POLLERS: '1' });
    await until('the first drift log', () => first.logs.length > 0);
    first.child.kill('SIGTERM');
    expect(await first.exited, first.stderr()).toBe(0);
    const second = daemon(q.endpoint, q.queueUrl);
    // Signals before the daemon has started are the default action's (exit), not a shutdown.
    await until('the second daemon to start', () => second.stderr().includes('DaemonStarted'));
    await until('the queue to be empty', async () => (await q.depth(q.queueUrl)) === 0, 30_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const logged = new Set([...first.logs, ...second.logs].map((l) => String(l['event_id'])));
    expect([...logged].sort()).toEqual(ids);
    expect(await q.depth(q.dlqUrl)).toBe(0);
  });

  it('an unreachable queue is retried with backoff, without crashing, until SIGINT', async () => {
    const d = daemon('http://127.0.0.1:9', 'http://127.0.0.1:9/000000000000/nowhere', {
      KMS_DRIFT_HTTP_LISTEN: '127.0.0.1:0',
    });
    await until('the daemon to start', () => d.stderr().includes('DaemonStarted'));
    await until('two receive errors', () => (d.stderr().match(/SqsReceiveError/g) ?? []).length >= 2);
    // SIGINT (Ctrl-C) shuts down like SIGTERM.
    d.child.kill('SIGINT');
    expect(await d.exited).toBe(0);
  });

  it('refuses to start without a region rather than retrying forever', async () => {
    const d = daemon('http://127.0.0.1:9', 'http://127.0.0.1:9/000000000000/q', { AWS_REGION: '' });
    expect(await d.exited).toBe(2);
    expect(d.stderr()).toMatch(/not starting: no AWS region/);
    expect(d.stderr()).not.toMatch(/DaemonStarted/);
  });

  it('refuses to start without a queue, saying how to give one', async () => {
    const result = await runCli(['run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no queue: set --queue-url or KMS_DRIFT_QUEUE_URL/);
  });
});

describe('kms-drift run: diagnostics', () => {
  it('logLevel quiets the diagnostics on stderr, never the drift logs on stdout', async () => {
    const q = await setup();
    await q.send(eventBridge(record('ct-disable-key-rotation.1.json')));
    const d = daemon(q.endpoint, q.queueUrl, { KMS_DRIFT_LOG_LEVEL: 'warn' });
    await until('the drift logs', () => d.logs.length >= 2);
    await until('the queue to be empty', async () => (await q.depth(q.queueUrl)) === 0);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    // Info-level diagnostics (DaemonStarted, SqsMessagesDeleted, DaemonStopped) are below warn.
    expect(d.stderr()).not.toMatch(/"level":30/);
    expect(d.stderr()).not.toMatch(/DaemonStarted/);
  });
});
