// An HTTP output endpoint that throttles (429 Too Many Requests, RFC 6585: "the user has sent too many requests in a
// given amount of time"; falcosidekick and the webhooks behind it answer it under load) has not refused the alert:
// it is retried with backoff like a 5xx (README: "Failed posts are retried with backoff"), and posted once the
// endpoint takes it. The real CLI and daemon post to the loopback server that takes alerts as falcosidekick does.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.ts';
import { startFalcoSink } from '../helpers/falco-sink.ts';
import { startDaemon, startQueues, until } from '../helpers/fauxqs.ts';

const STATE = 'examples/terraform.tfstate';
// AWS's sample: rotation disabled on a declared key, two Error logs (drift and compliance).
const ROTATION = 'examples/events/ct-disable-key-rotation.1.json';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function sink() {
  const s = await startFalcoSink();
  cleanups.push(s.stop);
  return s;
}

describe('an endpoint answering 429 (throttled) then 200', () => {
  it('replay: the alert is retried and posted; every alert acknowledged, exit 0', async () => {
    const s = await sink();
    s.script({ status: 429, body: 'rate limited' });
    const result = await runCli(['replay', '--format', 'json', '--state', STATE, '--http-output', s.url, ROTATION]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs).toHaveLength(2);
    // One throttled attempt, then both alerts taken.
    expect(s.requests()).toBe(3);
    expect(s.rejected).toEqual([]);
    expect(s.accepted.map((a) => a['rule']).sort()).toEqual(result.logs.map((l) => l['rule']).sort());
    expect(result.stderr).toMatch(/attempt 1: HTTP 429: rate limited; retrying in \d+ ms/);
    expect(result.stderr).not.toMatch(/not delivered/);
  });

  it('replay: a 429 on every attempt is undelivered after the retries, not refused at once (exit 5)', async () => {
    const s = await sink();
    s.script({ status: 429 }, { status: 429 });
    const result = await runCli([
      'replay',
      '--format',
      'json',
      '--state',
      STATE,
      '--http-output',
      s.url,
      '--http-output-retries',
      '1',
      ROTATION,
    ]);
    expect(result.code).toBe(5);
    expect(s.requests()).toBe(2);
    expect(result.stderr).toMatch(/after 2 attempts: HTTP 429/);
  });

  it('run: the alert is retried and posted, the message deleted once, nothing failed', async () => {
    const q = await startQueues();
    cleanups.push(q.stop);
    const s = await sink();
    s.script({ status: 429, body: 'rate limited' });
    const record = JSON.parse(
      readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disablekey.1.json`, 'utf8'),
    ) as Record<string, unknown>;
    await q.send({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.kms', detail: record });
    const d = startDaemon(q.endpoint, q.queueUrl, {
      KMS_DRIFT_HTTP_LISTEN: '127.0.0.1:0',
      KMS_DRIFT_HTTP_OUTPUT: s.url,
      KMS_DRIFT_POLLERS: '1',
    });
    cleanups.push(async () => {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
      await d.exited;
    });
    await until('the queue to be empty', async () => (await q.depth(q.queueUrl)) === 0);
    const diagnostics = (msg: string) =>
      d
        .stderr()
        .split('\n')
        .filter((l) => l.includes(`"msg":"${msg}`));
    expect(s.requests()).toBe(2);
    expect(s.accepted.map((a) => a['rule'])).toEqual(['kms_key_disabled']);
    expect(diagnostics('HttpOutputRetry').map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ rule: 'kms_key_disabled', attempt: 1, reason: 'HTTP 429: rate limited' }),
    ]);
    expect(diagnostics('HttpOutputError')).toEqual([]);
    expect(diagnostics('SqsMessageFailed')).toEqual([]);
    expect(d.logs).toHaveLength(1);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});
