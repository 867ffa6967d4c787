import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../helpers/cli.ts';
import { startCloudTrailServer } from '../helpers/cloudtrail-server.ts';
import { startBlackhole } from '../helpers/faults.ts';
import { startStallingProxy } from '../helpers/stalling-proxy.ts';
import { startDaemon, startQueues, until, type Daemon } from '../helpers/fauxqs.ts';

// Every wait of the daemon is bounded: the real daemon (child process) against fauxqs, with the faults fauxqs cannot
// produce made by loopback servers in front of it (test/helpers/faults.ts, test/helpers/stalling-proxy.ts).
const base = JSON.parse(
  readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json`, 'utf8'),
) as Record<string, unknown>;
const eventBridge = (detail: Record<string, unknown>) => ({
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.kms',
  detail,
});
const ids = (n: number, prefix: number): string[] =>
  Array.from({ length: n }, (_, i) => `00000000-0000-4000-8${prefix}00-${String(i).padStart(12, '0')}`);

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function daemon(endpoint: string, queueUrl: string, env: Record<string, string>): Daemon {
  const d = startDaemon(endpoint, queueUrl, { KMS_DRIFT_HTTP_LISTEN: '127.0.0.1:0', ...env });
  cleanups.push(async () => {
    if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await d.exited;
  });
  return d;
}

/** GET on the daemon's HTTP server, once it has said where it listens. */
async function get(d: Daemon, path: string): Promise<{ status: number; body: string }> {
  await until('the HTTP server', () => /HttpServerStarted/.test(d.stderr()));
  const port = /"port":(\d+)[^\n]*HttpServerStarted/.exec(d.stderr())?.[1] ?? '';
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
}

const lines = (d: Daemon, msg: string): Record<string, unknown>[] =>
  d
    .stderr()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('a stalled S3 body', () => {
  it('holds one message until its timeout while the others flow; the message is then released, counted and redelivered', async () => {
    const q = await startQueues({ maxReceiveCount: 5 });
    cleanups.push(q.stop);
    const proxy = await startStallingProxy(q.endpoint, { stallBody: 'stall.json.gz', bytes: 100 });
    cleanups.push(proxy.stop);
    const key = 'AWSLogs/111122223333/CloudTrail/us-west-2/stall.json.gz';
    await q.put(key, gzipSync(JSON.stringify({ Records: [{ ...base, eventID: 'stalled' }] })));
    await q.send({ Type: 'Notification', Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key] }) });
    const d = daemon(q.endpoint, q.queueUrl, {
      AWS_ENDPOINT_URL_S3: proxy.endpoint,
      KMS_DRIFT_POLLERS: '1',
      KMS_DRIFT_VISIBILITY_TIMEOUT: '30',
      KMS_DRIFT_MESSAGE_TIMEOUT: '10',
    });
    await until('the body to stall', () => proxy.stalled() === 1);
    const flowing = ids(30, 1);
    for (const id of flowing) await q.send(eventBridge({ ...base, eventID: id }));
    await until('the 30 others to be logged', () => new Set(d.logs.map((l) => l['event_id'])).size === 30);
    // All of them while the stalled message still held its slot.
    expect(lines(d, 'SqsMessageTimedOut')).toEqual([]);
    expect((await get(d, '/healthz')).status).toBe(200);
    await until('the timeout', () => lines(d, 'SqsMessageTimedOut').length === 1, 20_000);
    const [timedOut] = lines(d, 'SqsMessageTimedOut');
    expect(timedOut).toMatchObject({ receiveCount: 1, afterMs: 10_000 });
    // Released, not left for its 30 s visibility timeout: received again at once (and stalled again).
    await until('the redelivery', () => proxy.stalled() === 2, 5000);
    const metrics = (await get(d, '/metrics')).body;
    expect(metrics).toContain('kms_drift_sqs_messages_total{outcome="timed_out"} 1');
    expect(metrics).toContain('kms_drift_sqs_messages_total{outcome="deleted"} 30');
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(d.logs.some((l) => l['event_id'] === 'stalled')).toBe(false);
  });

  it('a body silent for longer than awsResponseTimeoutMs fails its message with the reason, well before the message timeout', async () => {
    const q = await startQueues({ maxReceiveCount: 5 });
    cleanups.push(q.stop);
    const proxy = await startStallingProxy(q.endpoint, { stallBody: 'stall.json.gz', bytes: 100 });
    cleanups.push(proxy.stop);
    const key = 'AWSLogs/stall.json.gz';
    await q.put(key, gzipSync(JSON.stringify({ Records: [{ ...base, eventID: 'stalled' }] })));
    await q.send({ Type: 'Notification', Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key] }) });
    const d = daemon(q.endpoint, q.queueUrl, {
      AWS_ENDPOINT_URL_S3: proxy.endpoint,
      KMS_DRIFT_AWS_RESPONSE_TIMEOUT_MS: '1500',
      KMS_DRIFT_VISIBILITY_TIMEOUT: '30',
      KMS_DRIFT_MESSAGE_TIMEOUT: '600',
    });
    await until('the message to fail', () => lines(d, 'SqsMessageFailed').length === 1, 20_000);
    expect(String(lines(d, 'SqsMessageFailed')[0]?.['reason'])).toMatch(
      /stall\.json\.gz: .*TimeoutError.*1500 ms of inactivity/,
    );
    expect(lines(d, 'SqsMessageTimedOut')).toEqual([]);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});

describe('a silent SQS endpoint', () => {
  it('costs failed receives (counted, /readyz 503) while /healthz stays 200; when it answers again, messages flow', async () => {
    const q = await startQueues();
    cleanups.push(q.stop);
    const hole = await startBlackhole(new URL(q.endpoint).host);
    cleanups.push(hole.stop);
    const events = ids(5, 2);
    for (const id of events) await q.send(eventBridge({ ...base, eventID: id }));
    const d = daemon(q.endpoint, q.queueUrl, {
      AWS_ENDPOINT_URL_SQS: hole.endpoint,
      KMS_DRIFT_AWS_RESPONSE_TIMEOUT_MS: '1000',
    });
    await until('a failed receive', () => lines(d, 'SqsReceiveError').length > 0, 30_000);
    expect(String(lines(d, 'SqsReceiveError')[0]?.['err'])).toMatch(/TimeoutError/);
    expect(await get(d, '/readyz')).toEqual({
      status: 503,
      body: JSON.stringify({ status: 'not ready', reason: 'the last SQS receive failed' }),
    });
    expect((await get(d, '/healthz')).status).toBe(200);
    expect((await get(d, '/metrics')).body).toMatch(/^kms_drift_receive_errors_total [1-9]/m);
    hole.silent = false;
    await until('the events to be logged', () => new Set(d.logs.map((l) => l['event_id'])).size === 5, 30_000);
    await until('/readyz to be ready', async () => (await get(d, '/readyz')).status === 200);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('a receive loop stuck past the liveness bound turns /healthz to 503, naming the loop; SIGTERM still exits 0', async () => {
    const hole = await startBlackhole();
    cleanups.push(hole.stop);
    // A response timeout far above the liveness bound: the loop really is stuck in one call.
    const d = daemon(hole.endpoint, `${hole.endpoint}/000000000000/q`, {
      KMS_DRIFT_AWS_RESPONSE_TIMEOUT_MS: '120000',
      KMS_DRIFT_LIVENESS_TIMEOUT: '2',
    });
    await until('the receive to hang', () => hole.connections() > 0);
    expect((await get(d, '/healthz')).status).toBe(200);
    await until('/healthz to fail', async () => (await get(d, '/healthz')).status === 503, 15_000);
    const body = JSON.parse((await get(d, '/healthz')).body) as { status: string; reason: string };
    expect(body.status).toBe('stuck');
    expect(body.reason).toMatch(/^SQS receive loop 0 has not turned for \d+ s$/);
    expect(JSON.parse((await get(d, '/readyz')).body)).toEqual({ status: 'not ready', reason: 'no SQS receive yet' });
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});

describe('startup and shutdown', () => {
  it('an HTTP port in use is a configuration error: exit 2 with the reason, no stack trace', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => busy.close(() => resolve())));
    const { port } = busy.address() as AddressInfo;
    const d = daemon('http://127.0.0.1:9', 'http://127.0.0.1:9/000000000000/q', {
      KMS_DRIFT_HTTP_LISTEN: `127.0.0.1:${port}`,
    });
    expect(await d.exited).toBe(2);
    expect(d.stderr()).toContain(
      `kms-drift run: not starting: httpListen: cannot listen on 127.0.0.1:${port}: the address is already in use (EADDRINUSE)`,
    );
    expect(d.stderr()).not.toMatch(/^\s+at /m);
    expect(d.stderr()).not.toMatch(/DaemonStarted/);
  });

  it('SIGTERM while the states are still loading (an S3 that never answers) exits 0 at once', async () => {
    const hole = await startBlackhole();
    cleanups.push(hole.stop);
    const d = daemon('http://127.0.0.1:9', 'http://127.0.0.1:9/000000000000/q', {
      AWS_ENDPOINT_URL_S3: hole.endpoint,
      KMS_DRIFT_STATE: 's3://tf/kms.tfstate',
      KMS_DRIFT_AWS_RESPONSE_TIMEOUT_MS: '120000',
    });
    await until('the state read to hang', () => hole.connections() > 0);
    expect(JSON.parse((await get(d, '/readyz')).body)).toEqual({
      status: 'not ready',
      reason: 'rules not loaded yet',
    });
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(d.stderr()).not.toMatch(/DaemonStarted/);
  });

  it('LookupEvents-only mode (no queue) becomes ready once LookupEvents answers', async () => {
    const ct = await startCloudTrailServer([{ ...base, eventTime: new Date().toISOString() }]);
    cleanups.push(ct.stop);
    const d = daemon('http://127.0.0.1:9', '', {
      AWS_ENDPOINT_URL_CLOUDTRAIL: ct.endpoint,
      KMS_DRIFT_LOOKUP_POLL_SECONDS: '1',
    });
    await until('/readyz to be ready', async () => (await get(d, '/readyz')).status === 200, 20_000);
    expect((await get(d, '/metrics')).body).toMatch(/^kms_drift_ready 1$/m);
    expect((await get(d, '/healthz')).status).toBe(200);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});
