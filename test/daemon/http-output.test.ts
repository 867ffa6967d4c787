import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ROOT, runCli } from '../helpers/cli.ts';
import { falcoPayload, rfc3339Nanos } from '../../src/sinks/falco-payload.ts';
import { checkPayload, startFalcoSink, type FalcoSink } from '../helpers/falco-sink.ts';
import { startDaemon, startQueues, until, type Daemon } from '../helpers/fauxqs.ts';

// `httpOutput`: the real daemon (child process, configured by environment) against fauxqs, posting its alerts to a
// loopback server that takes them as falcosidekick's `/` does (test/helpers/falco-sink.ts). Records are AWS's
// samples; the example state declares their keys.
const DOC = `${ROOT}fixtures/cloudtrail/aws-kms-developer-guide`;
const record = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${DOC}/${name}`, 'utf8')) as Record<string, unknown>;
const eventBridge = (detail: Record<string, unknown>) => ({
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.kms',
  detail,
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(maxReceiveCount = 10) {
  const q = await startQueues({ maxReceiveCount });
  cleanups.push(q.stop);
  const sink = await startFalcoSink();
  cleanups.push(sink.stop);
  return { q, sink };
}

function daemon(q: { endpoint: string; queueUrl: string }, sink: FalcoSink, env: Record<string, string> = {}): Daemon {
  const d = startDaemon(q.endpoint, q.queueUrl, {
    KMS_DRIFT_HTTP_LISTEN: '127.0.0.1:0',
    KMS_DRIFT_HTTP_OUTPUT: sink.url,
    KMS_DRIFT_POLLERS: '1',
    ...env,
  });
  cleanups.push(async () => {
    if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await d.exited;
  });
  return d;
}

const lines = (d: Daemon, msg: string): Record<string, unknown>[] =>
  d
    .stderr()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** One sample of the daemon's /metrics (0 when the series is absent). */
async function metric(d: Daemon, series: string): Promise<number> {
  await until('the HTTP server', () => /HttpServerStarted/.test(d.stderr()));
  const port = /"port":(\d+)[^\n]*HttpServerStarted/.exec(d.stderr())?.[1] ?? '';
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const POSTED = 'kms_drift_http_output_alerts_total{outcome="posted"}';
const FAILED = 'kms_drift_http_output_alerts_total{outcome="failed"}';
const RETRIES = 'kms_drift_http_output_retries_total';
const DELETED = 'kms_drift_sqs_messages_total{outcome="deleted"}';

describe('kms-drift run --http-output: alerts as falcosidekick takes them', () => {
  it('posts every drift log at or above minPriority as a Falco alert falcosidekick accepts, then deletes the message', async () => {
    const { q, sink } = await setup();
    // Rotation disabled: two Error logs (drift and compliance); tags removed: a Notice, below minPriority.
    await q.send(eventBridge(record('ct-disable-key-rotation.1.json')));
    await q.send(eventBridge(record('ct-untagresource.1.json')));
    const d = daemon(q, sink, { KMS_DRIFT_MIN_PRIORITY: 'warning' });
    await until('the queue to be empty', async () => (await q.depth(q.queueUrl)) === 0);
    expect(sink.rejected).toEqual([]);
    expect(d.logs.map((l) => l['rule']).sort()).toEqual([
      'kms_compliance_rotation_disabled',
      'kms_key_rotation_disabled',
    ]);
    // What is logged is what is posted: the Notice was neither.
    expect(sink.accepted.map((a) => a['rule']).sort()).toEqual(d.logs.map((l) => l['rule']).sort());
    for (const alert of sink.accepted) {
      const log = d.logs.find((l) => l['rule'] === alert['rule']) ?? {};
      expect(checkPayload(JSON.stringify(alert))).toBeUndefined();
      expect(alert).toMatchObject({
        priority: 'Error',
        time: '2022-09-01T19:31:39.000000000Z',
        output: `19:31:39.000000000: Error ${String(log['output'])}`,
        source: 'aws_cloudtrail',
        tags: log['tags'],
        output_fields: {
          ...(log['output_fields'] as Record<string, unknown>),
          'evt.name': 'DisableKeyRotation',
          'evt.id': '6313164c-83aa-4cc3-9e1a-b7c426f7a5b1',
        },
      });
      expect(alert['hostname']).toEqual(expect.stringMatching(/\S/));
      expect(alert['uuid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(sink.accepted.map((a) => a['uuid'])).size).toBe(2);
    expect(await metric(d, POSTED)).toBe(2);
    expect(await metric(d, DELETED)).toBe(2);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('a 500 is retried with backoff; the alert posted on the retry, the message deleted once, nothing logged twice', async () => {
    const { q, sink } = await setup();
    sink.script({ status: 500, body: 'upstream busy' });
    await q.send(eventBridge(record('ct-disablekey.1.json')));
    const d = daemon(q, sink);
    await until('the queue to be empty', async () => (await q.depth(q.queueUrl)) === 0);
    expect(sink.requests()).toBe(2);
    expect(sink.accepted.map((a) => a['rule'])).toEqual(['kms_key_disabled']);
    expect(lines(d, 'HttpOutputRetry')).toEqual([
      expect.objectContaining({ rule: 'kms_key_disabled', attempt: 1, reason: 'HTTP 500: upstream busy' }),
    ]);
    expect(lines(d, 'HttpOutputError')).toEqual([]);
    expect(lines(d, 'SqsMessageFailed')).toEqual([]);
    expect(d.logs).toHaveLength(1);
    expect(await metric(d, RETRIES)).toBe(1);
    expect(await metric(d, POSTED)).toBe(1);
    expect(await metric(d, FAILED)).toBe(0);
    expect(await metric(d, DELETED)).toBe(1);
  });

  it('an endpoint down for longer than the retries fails the message: not deleted, counted, redelivered, posted once it is back', async () => {
    const { q, sink } = await setup();
    await sink.down();
    await q.send(eventBridge(record('ct-disablekey.1.json')));
    const d = daemon(q, sink, { KMS_DRIFT_HTTP_OUTPUT_RETRIES: '1' });
    await until('two deliveries to fail', () => lines(d, 'SqsMessageFailed').length >= 2);
    const [error] = lines(d, 'HttpOutputError');
    expect(error).toMatchObject({ rule: 'kms_key_disabled', attempts: 2, target: sink.url.slice(0, -1) });
    expect(String(error?.['reason'])).toMatch(/ECONNREFUSED/);
    expect(lines(d, 'SqsMessageFailed')[0]).toMatchObject({ receiveCount: 1 });
    expect(String(lines(d, 'SqsMessageFailed')[0]?.['reason'])).toMatch(/^HttpOutputError: alert of kms_key_disabled/);
    expect(await q.depth(q.queueUrl)).toBe(1);
    expect(await metric(d, FAILED)).toBeGreaterThanOrEqual(2);
    expect(await metric(d, DELETED)).toBe(0);
    await sink.up();
    await until('the queue to be empty', async () => (await q.depth(q.queueUrl)) === 0);
    expect(sink.accepted.map((a) => a['rule'])).toEqual(['kms_key_disabled']);
    // At least once: every delivery wrote the drift log again, the failed ones too (their claims were released).
    expect(d.logs).toHaveLength(lines(d, 'SqsMessageFailed').length + 1);
    expect(await q.depth(q.dlqUrl)).toBe(0);
    expect(await metric(d, DELETED)).toBe(1);
  });

  it('a stalled endpoint costs httpOutputTimeoutMs an attempt: the message fails with the reason and is redelivered', async () => {
    const { q, sink } = await setup();
    sink.script('stall', 'stall');
    await q.send(eventBridge(record('ct-disablekey.1.json')));
    const d = daemon(q, sink, { KMS_DRIFT_HTTP_OUTPUT_TIMEOUT_MS: '1000', KMS_DRIFT_HTTP_OUTPUT_RETRIES: '1' });
    await until('the queue to be empty', async () => (await q.depth(q.queueUrl)) === 0);
    expect(lines(d, 'HttpOutputError')).toEqual([
      expect.objectContaining({ attempts: 2, reason: 'no answer within 1000 ms' }),
    ]);
    expect(lines(d, 'SqsMessageFailed')).toHaveLength(1);
    expect(sink.abandoned()).toBe(2);
    expect(sink.accepted).toHaveLength(1);
  });

  it('a stall longer than messageTimeoutSeconds is abandoned with the message; other messages are posted meanwhile', async () => {
    const { q, sink } = await setup();
    sink.script('stall');
    await q.send(eventBridge(record('ct-disablekey.1.json')));
    const d = daemon(q, sink, {
      KMS_DRIFT_HTTP_OUTPUT_TIMEOUT_MS: '600000',
      KMS_DRIFT_MESSAGE_TIMEOUT: '6',
      KMS_DRIFT_VISIBILITY_TIMEOUT: '30',
    });
    await until('the first post to stall', () => sink.requests() === 1);
    await q.send(eventBridge(record('ct-disable-key-rotation.1.json')));
    await until('the second message to be posted', () => sink.accepted.length === 2);
    expect(lines(d, 'SqsMessageTimedOut')).toEqual([]);
    await until('the timeout', () => lines(d, 'SqsMessageTimedOut').length === 1, 15_000);
    // The POST was aborted with the message (its connection closed), the message released and posted on redelivery.
    await until('the stalled POST to be closed', () => sink.abandoned() === 1, 2000);
    await until('the queue to be empty', async () => (await q.depth(q.queueUrl)) === 0);
    expect(sink.accepted.map((a) => a['rule']).sort()).toEqual([
      'kms_compliance_rotation_disabled',
      'kms_key_disabled',
      'kms_key_rotation_disabled',
    ]);
    expect(lines(d, 'HttpOutputError')).toEqual([]);
  });
});

describe('kms-drift replay --http-output', () => {
  const STATE = 'examples/terraform.tfstate';
  const ROTATION = 'examples/events/ct-disable-key-rotation.1.json';

  it('posts every drift log it writes and exits 0 when each was acknowledged', async () => {
    const { sink } = await setup();
    const result = await runCli(['replay', '--state', STATE, '--http-output', sink.url, 'examples/events']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs.length).toBeGreaterThan(2);
    expect(sink.rejected).toEqual([]);
    expect(sink.accepted.map((a) => [a['rule'], a['output_fields']])).toEqual(
      result.logs.map((l) => [l['rule'], expect.objectContaining(l['output_fields'] as Record<string, unknown>)]),
    );
  });

  it('an endpoint that keeps failing: every drift log still on stdout, the alerts counted as undelivered, exit 5', async () => {
    const { sink } = await setup();
    sink.script({ status: 503 }, { status: 503 });
    const result = await runCli([
      'replay',
      '--state',
      STATE,
      '--http-output',
      sink.url,
      '--http-output-retries',
      '1',
      ROTATION,
    ]);
    expect(result.code).toBe(5);
    expect(result.logs).toHaveLength(2);
    expect(sink.requests()).toBe(2);
    expect(result.stderr).toMatch(/attempt 1: HTTP 503; retrying in \d+ ms/);
    expect(result.stderr).toMatch(
      /kms-drift replay: 2 alerts not delivered \(the drift logs are on stdout\): alert of \w+ for event 6313164c-83aa-4cc3-9e1a-b7c426f7a5b1 not acknowledged by http:\/\/127\.0\.0\.1:\d+ after 2 attempts: HTTP 503; the 1 after it were not posted/,
    );
  });

  it('a payload falcosidekick refuses (400) is not retried: exit 5 at once; --fail-on reached wins (3)', async () => {
    const { sink } = await setup();
    sink.script({ status: 400, body: 'Please send a valid request body' });
    const result = await runCli([
      'replay',
      '--state',
      STATE,
      '--http-output',
      sink.url,
      '--fail-on',
      'error',
      ROTATION,
    ]);
    expect(result.code).toBe(3);
    expect(sink.requests()).toBe(1);
    expect(result.stderr).toMatch(/after 1 attempt: HTTP 400: Please send a valid request body/);
  });

  it('--http-output must be an http(s) URL', async () => {
    const result = await runCli(['replay', '--http-output', 'falcosidekick:2801', ROTATION]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--http-output: expected an http\(s\) URL/);
  });
});

describe('the Falco alert of a drift log', () => {
  it('has output fields even when the rule output names none, as falcosidekick requires', () => {
    const alert = falcoPayload(
      {
        priority: 'Critical',
        log: { rule: 'r', output: 'plain', output_fields: {}, event: 'DisableKey', event_id: 'e-1', timestamp: 'x' },
      },
      'host',
      Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    );
    expect(alert.output_fields).toEqual({ 'evt.name': 'DisableKey', 'evt.id': 'e-1' });
    // An unreadable event time is the current time.
    expect(alert.time).toBe('2026-01-02T03:04:05.678000000Z');
    expect(alert.output).toBe('03:04:05.678000000: Critical plain');
    expect(checkPayload(JSON.stringify(alert))).toBeUndefined();
  });

  it('keeps the digits of a finer time and converts offsets to UTC', () => {
    expect(rfc3339Nanos('2022-09-01T19:31:39Z', 0)).toBe('2022-09-01T19:31:39.000000000Z');
    expect(rfc3339Nanos('2022-09-01T19:31:39.123456789Z', 0)).toBe('2022-09-01T19:31:39.123456789Z');
    expect(rfc3339Nanos('2022-09-01T21:31:39.5+02:00', 0)).toBe('2022-09-01T19:31:39.500000000Z');
  });

  it('the loopback server refuses what falcosidekick refuses', () => {
    const good = {
      output: 'o',
      priority: 'Debug',
      rule: 'Test rule',
      time: '2026-01-02T03:04:05Z',
      output_fields: { 'proc.name': 'falcosidekick' },
      tags: ['test'],
    };
    expect(checkPayload(JSON.stringify(good))).toBeUndefined();
    expect(checkPayload(JSON.stringify({ ...good, output_fields: {} }))).toBe('no output_fields');
    expect(checkPayload(JSON.stringify({ ...good, priority: 'loud' }))).toBe('no priority');
    expect(checkPayload(JSON.stringify({ ...good, rule: '' }))).toBe('no rule');
    expect(checkPayload(JSON.stringify({ ...good, time: '2026-01-02 03:04:05' }))).toBe('time is not RFC 3339');
    expect(checkPayload(JSON.stringify({ ...good, tags: 'test' }))).toBe('tags is not an array of strings');
    expect(checkPayload(JSON.stringify({ ...good, output: 1 }))).toBe('output is not a string');
  });
});
