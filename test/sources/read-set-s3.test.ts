import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { JsonValue } from '../../src/model/json.ts';
import { READ_TRACKED, type ReadSet } from '../../src/normalize/read-set.ts';
import { prefilterLogFile } from '../../src/sources/prefilter/log-file.ts';
import { MemoryBudget } from '../../src/sources/memory-budget.ts';
import { readLogObject, type LogObject } from '../../src/sources/s3/fetch-object.ts';
import { ROOT } from '../helpers/cli.ts';
import { startDaemon, startQueues, until } from '../helpers/fauxqs.ts';

// The daemon reads S3 log files with the stream scan: what it parses is the loaded rules' read set, as in replay.
// A real S3 server (fauxqs) on loopback, the real SDK, and the real daemon in a child process.

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}
const [ORG_TRAIL = ''] = files(`${ROOT}fixtures/envelopes/s3-cloudtrail-log-files/ccbrown_cloud-snitch`).filter((f) =>
  f.includes('o-1234abcde'),
);
const STRATUS = `${ROOT}fixtures/cloudtrail/non-kms/stratus-red-team`;
const stratus = (name: string): JsonValue[] => JSON.parse(readFileSync(`${STRATUS}/${name}`, 'utf8')) as JsonValue[];
/** A trail's log file as CloudTrail writes it: Stratus's StopLogging and console login among the org trail's records. */
const MIXED = gzipSync(
  JSON.stringify({
    Records: [
      ...(JSON.parse(gunzipSync(readFileSync(ORG_TRAIL)).toString('utf8')) as { Records: JsonValue[] }).Records,
      ...stratus('aws.defense-evasion.cloudtrail-stop.json'),
      ...stratus('aws.initial-access.console-login-without-mfa.json'),
    ],
  }),
);

let q: Awaited<ReturnType<typeof startQueues>>;
beforeAll(async () => {
  q = await startQueues();
  await q.put('AWSLogs/o-1234abcde/222222222222/CloudTrail/us-east-1/2025/03/06/mixed.json.gz', MIXED);
});
afterAll(async () => q.stop());

async function read(readSet?: ReadSet): Promise<{ kept: number[]; skipped: unknown }> {
  const options = { budget: new MemoryBudget(64 * 1024 * 1024), maxBytes: 64 * 1024 * 1024, timeoutMs: 10_000 };
  const key = 'AWSLogs/o-1234abcde/222222222222/CloudTrail/us-east-1/2025/03/06/mixed.json.gz';
  return readLogObject(
    q.s3,
    'trail',
    key,
    readSet === undefined ? options : { ...options, readSet },
    (o: LogObject) => {
      if (!('logFile' in o)) throw new Error('not read as a log file');
      const parts = [...o.logFile.parts()];
      return Promise.resolve({ kept: parts.flatMap((p) => p.kept.map((k) => k.index)), skipped: parts[0]?.skipped });
    },
  );
}

describe('S3 log files read with the rules’ read set', () => {
  it('the stream scan keeps what the whole-file scan keeps, for each read set', async () => {
    const bytes = gunzipSync(MIXED);
    const falco: ReadSet = { anySource: new Set(['StopLogging', 'ConsoleLogin', 'Decrypt']), bySource: new Map() };
    for (const readSet of [READ_TRACKED, falco]) {
      const whole = prefilterLogFile(bytes, readSet);
      expect(await read(readSet)).toEqual({ kept: whole?.kept.map((k) => k.index), skipped: whole?.skipped });
    }
    // The org trail's 20 records (its Decrypt at 18) and Stratus's two at 20 and 21.
    expect((await read(falco)).kept).toEqual([18, 20, 21]);
    expect(await read()).toEqual({ kept: [], skipped: { other_service: 21, untracked_kms_event: 1 } });
  });

  it("the daemon with Falco's rules alerts on the records they name in a log file", async () => {
    const d = startDaemon(q.endpoint, q.queueUrl, { KMS_DRIFT_RULES: 'fixtures/falco/aws_cloudtrail_rules.yaml' });
    try {
      await q.send({
        Records: [
          {
            eventSource: 'aws:s3',
            s3: {
              bucket: { name: 'trail' },
              object: { key: 'AWSLogs/o-1234abcde/222222222222/CloudTrail/us-east-1/2025/03/06/mixed.json.gz' },
            },
          },
        ],
      });
      await until('two alerts', () => d.logs.length >= 2);
      await until('the message deleted', async () => (await q.depth(q.queueUrl)) === 0);
      expect(d.logs.map((l) => [l['rule'], l['event'], l['service']]).sort()).toEqual([
        ['CloudTrail Logging Disabled', 'StopLogging', 'cloudtrail'],
        ['Console Login Without MFA', 'ConsoleLogin', 'signin'],
      ]);
      // The operator learns at start what the loaded rules make the daemon read.
      const started = d.stderr().split('\n').find((l) => l.includes('"DaemonStarted"')) ?? '{}';
      expect((JSON.parse(started) as { reads?: string }).reads).toMatch(/any service \(\d+ events: /);
    } finally {
      d.child.kill('SIGTERM');
      await d.exited;
    }
  });
});
