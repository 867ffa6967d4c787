import { afterEach, describe, expect, it } from 'vitest';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { setupCore } from '../../src/cli/setup.ts';
import type { Config } from '../../src/config/types.ts';
import { runDaemon } from '../../src/daemon.ts';
import { DEFAULT_COMPLIANCE } from '../../src/model/compliance.ts';
import { MAX_JSON_DEPTH } from '../../src/model/json-depth.ts';
import { Metrics } from '../../src/sinks/metrics.ts';
import { internalEvents } from '../../src/observe/internal-events.ts';
import type { DriftLogWriter } from '../../src/sinks/stdout.ts';
import { ROOT } from '../helpers/cli.ts';
import { logFileWithDeepPolicy } from '../helpers/hostile.ts';
import { REGION, startQueues, until } from '../helpers/fauxqs.ts';

// The daemon (in this process, on a real SQS/S3 server) given hostile messages: a body that is not JSON, an S3 object
// that is not JSON, both holding a secret, and a log file with a PutKeyPolicy nested 8,000 levels among 10 good
// records. Each bad message fails with a located reason that quotes nothing; the good records are logged.
const SECRET = '{"DB_PASSWORD": hunter2-s3cret}';
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('the daemon on hostile messages', () => {
  it('fails each bad message with its place, never its bytes, and logs the good records of the deep log file', async () => {
    const q = await startQueues();
    cleanups.push(q.stop);
    const deepKey = 'AWSLogs/111122223333/CloudTrail/us-west-2/deep.json.gz';
    const text = logFileWithDeepPolicy(8000);
    await q.put(deepKey, gzipSync(text));
    await q.put('AWSLogs/secret.json', SECRET);
    await q.sqs.send(new SendMessageCommand({ QueueUrl: q.queueUrl, MessageBody: SECRET }));
    for (const key of [deepKey, 'AWSLogs/secret.json']) {
      await q.send({ Type: 'Notification', Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key] }) });
    }
    const settings: Config = {
      queueUrl: q.queueUrl,
      states: [`${ROOT}examples/terraform.tfstate`],
      rules: [],
      terraformPrincipals: [],
      ...DEFAULT_COMPLIANCE,
      pollers: 1,
      visibilityTimeoutSeconds: 60,
      waitTimeSeconds: 1,
      shutdownTimeoutMs: 1000,
      dedupSize: 1000,
      stateReloadSeconds: 0,
      lookupPollSeconds: 0,
      liveKmsReads: false,
    };
    const setup = await setupCore(settings);
    if (!setup.ok) throw new Error('setup failed');
    const logs: Record<string, unknown>[] = [];
    const writer: DriftLogWriter = { write: (_, log) => void logs.push(log), flush: () => Promise.resolve() };
    let diagnostics = '';
    const log = pino(
      { base: null },
      new Writable({ write: (chunk: Buffer, _, done) => void ((diagnostics += chunk.toString('utf8')), done()) }),
    );
    const cloudtrail = new CloudTrailClient({ region: REGION, endpoint: 'http://127.0.0.1:9' });
    cleanups.push(() => cloudtrail.destroy());
    const stop = new AbortController();
    const emit = internalEvents(log, new Metrics(), undefined, Date.now);
    const deps = { core: setup.core, sqs: q.sqs, s3: q.s3, cloudtrail, writer, emit };
    const running = runDaemon(settings, { ...deps, now: Date.now }, stop.signal);
    await until('three failed messages', () => diagnostics.split('SqsMessageFailed').length - 1 === 3);
    stop.abort();
    await running;

    const failed = diagnostics
      .split('\n')
      .filter((l) => l.includes('SqsMessageFailed'))
      .map((l) => (JSON.parse(l) as { reason: string }).reason)
      .sort();
    const at = `Records[5].requestParameters.policy.Statement[0].Condition${'.a'.repeat(MAX_JSON_DEPTH - 3)}`;
    expect(failed).toEqual([
      `RECORD_DEPTH at s3://trail/${deepKey}.${at}: the policy text nests deeper than ${MAX_JSON_DEPTH} levels`,
      'S3FetchError: s3://trail/AWSLogs/secret.json: not JSON: unexpected character where a value should be at line 1, column 17',
      'body is not JSON: unexpected character where a value should be at line 1, column 17',
    ]);
    expect(diagnostics).not.toMatch(/hunter2|s3cret|DB_PASSWORD/);
    // The 10 good records of the deep log file are logged: exactly what they give alone.
    const good = JSON.parse(logFileWithDeepPolicy(1)) as { Records: unknown[] };
    good.Records.splice(5, 1);
    const alone = setup.core.processPayload(good as never).logs.map((l) => [l.log['event_id'], l.log['rule']]);
    expect(alone.length).toBeGreaterThan(0);
    expect(logs.map((l) => [l['event_id'], l['rule']]).sort()).toEqual(alone.sort());
  });
});
