import { afterEach, describe, expect, it } from 'vitest';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { setupCore } from '../../src/cli/setup.ts';
import type { Config } from '../../src/config/types.ts';
import { runDaemon } from '../../src/daemon.ts';
import { Metrics } from '../../src/sinks/metrics.ts';
import { internalEvents } from '../../src/observe/internal-events.ts';
import type { DriftLogWriter } from '../../src/sinks/stdout.ts';
import { ROOT } from '../helpers/cli.ts';
import { REGION, startQueues, until } from '../helpers/fauxqs.ts';
import { DEFAULT_COMPLIANCE } from '../../src/model/compliance.ts';

// The daemon's wiring in this process, where a test must reach inside a call the server cannot slow down: S3 reads
// that are still running when SIGTERM comes. The child-process tests cover the same path from the outside.
const record = JSON.parse(
  readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json`, 'utf8'),
) as Record<string, unknown>;

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function config(queueUrl: string, shutdownTimeoutMs: number, visibilityTimeoutSeconds = 30): Config {
  return {
    queueUrl,
    states: [`${ROOT}examples/terraform.tfstate`],
    rules: [],
    terraformPrincipals: [],
    ...DEFAULT_COMPLIANCE,
    pollers: 1,
    visibilityTimeoutSeconds,
    waitTimeSeconds: 1,
    shutdownTimeoutMs,
    dedupSize: 1000,
    stateReloadSeconds: 0,
    lookupPollSeconds: 0,
    liveKmsReads: false,
  };
}

/** GetObject answers only after `delayMs`, and reports each call as it starts. */
function slowS3(real: S3Client, delayMs: number, onGet: () => void): S3Client {
  return {
    send: async (command: unknown, options?: unknown) => {
      if (command instanceof GetObjectCommand) {
        onGet();
        await new Promise((r) => setTimeout(r, delayMs));
      }
      return real.send(command as never, options as never);
    },
  } as unknown as S3Client;
}

interface Options {
  readonly shutdownTimeoutMs: number;
  readonly s3DelayMs: number;
  readonly visibilityTimeoutSeconds?: number;
  /** Writes that throw (stdout gone) before the writer works again. */
  readonly failingWrites?: number;
  /** Stops the daemon when this holds; default: as soon as the S3 read starts. */
  readonly stopWhen?: (logs: readonly Record<string, unknown>[]) => boolean;
}

async function start(options: Options) {
  const q = await startQueues();
  cleanups.push(q.stop);
  const key = 'AWSLogs/111122223333/CloudTrail/us-west-2/slow.json.gz';
  await q.put(key, gzipSync(JSON.stringify({ Records: [record] })));
  await q.send({ Type: 'Notification', Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key] }) });
  const settings = config(q.queueUrl, options.shutdownTimeoutMs, options.visibilityTimeoutSeconds);
  const setup = await setupCore(settings);
  expect(setup.ok).toBe(true);
  const logs: Record<string, unknown>[] = [];
  let failingWrites = options.failingWrites ?? 0;
  const writer: DriftLogWriter = {
    write: (_, log) => {
      if (failingWrites-- > 0) throw new Error('EPIPE: stdout closed');
      logs.push(log);
    },
    flush: () => Promise.resolve(),
  };
  let diagnostics = '';
  const log = pino(
    { base: null },
    new Writable({ write: (chunk: Buffer, _, done) => void ((diagnostics += chunk.toString('utf8')), done()) }),
  );
  const cloudtrail = new CloudTrailClient({ region: REGION, endpoint: 'http://127.0.0.1:9' });
  cleanups.push(() => cloudtrail.destroy());
  let getting = false;
  const stop = new AbortController();
  const running = runDaemon(
    settings,
    {
      core: setup.core,
      sqs: q.sqs,
      s3: slowS3(q.s3, options.s3DelayMs, () => (getting = true)),
      cloudtrail,
      writer,
      emit: internalEvents(log, new Metrics(), undefined, Date.now),
      now: Date.now,
    },
    stop.signal,
  );
  const stopWhen = options.stopWhen;
  if (stopWhen === undefined) await until('the S3 read to start', () => getting);
  else await until('the stop condition', async () => stopWhen(logs) && (await q.depth(q.queueUrl)) === 0, 15_000);
  stop.abort();
  await running;
  return { q, logs, diagnostics: () => diagnostics };
}

/** The record (DisableKeyRotation) matches a drift rule and a compliance rule: one log each. */
const ONE_EVENT_TWO_RULES = [
  [record['eventID'], 'kms_compliance_rotation_disabled'],
  [record['eventID'], 'kms_key_rotation_disabled'],
];

describe('SIGTERM while a log file is being read from S3', () => {
  it('the read finishes within the deadline: its drift log is written and the message deleted', async () => {
    const { q, logs, diagnostics } = await start({ shutdownTimeoutMs: 5000, s3DelayMs: 800 });
    expect(logs.map((l) => [l['event_id'], l['rule']]).sort()).toEqual(ONE_EVENT_TWO_RULES);
    expect(await q.depth(q.queueUrl)).toBe(0);
    expect(diagnostics()).not.toMatch(/SqsMessageFailed|SqsMessagesReleased/);
  });

  it('past the deadline the message is released, not failed: visible again at once, with nothing logged', async () => {
    const { q, logs, diagnostics } = await start({ shutdownTimeoutMs: 200, s3DelayMs: 1500 });
    expect(logs).toEqual([]);
    expect(diagnostics()).toMatch(/SqsMessagesReleased/);
    expect(diagnostics()).not.toMatch(/SqsMessageFailed/);
    // Visible again at once (its visibility timeout was 30 s): another consumer receives it now.
    expect(await q.receiveNow(q.queueUrl)).toHaveLength(1);
  });
});

describe('a drift log that cannot be written', () => {
  it('fails the message and does not count its event as seen: the redelivery logs it', async () => {
    const { q, logs, diagnostics } = await start({
      shutdownTimeoutMs: 1000,
      s3DelayMs: 0,
      visibilityTimeoutSeconds: 1,
      failingWrites: 1,
      stopWhen: (written) => written.length > 0,
    });
    expect(diagnostics()).toMatch(/SqsMessageFailed.*EPIPE|EPIPE.*SqsMessageFailed/);
    expect(logs.map((l) => [l['event_id'], l['rule']]).sort()).toEqual(ONE_EVENT_TWO_RULES);
    expect(await q.depth(q.dlqUrl)).toBe(0);
  });
});

describe('the order of the work on a message', () => {
  it('every drift log of a message is written and flushed before its delete is sent', async () => {
    const q = await startQueues();
    cleanups.push(q.stop);
    const doc = (name: string) =>
      JSON.parse(readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/${name}`, 'utf8')) as Record<
        string,
        unknown
      >;
    // Three EventBridge messages and one S3 notification, each with drift logs to write.
    const records = ['ct-disablekey.1.json', 'ct-disable-key-rotation.1.json', 'ct-update-key-description.1.json'].map(
      doc,
    );
    for (const detail of records)
      await q.send({ version: '0', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.kms', detail });
    const key = 'AWSLogs/111122223333/CloudTrail/us-west-2/order.json.gz';
    const fromS3 = doc('ct-schedule-key-deletion.1.json');
    await q.put(key, gzipSync(JSON.stringify({ Records: [fromS3] })));
    await q.send({ Type: 'Notification', Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key] }) });
    const eventOf = new Map<string, string>(); // receipt handle → the event its message carries

    type Step =
      | { readonly kind: 'write'; readonly event: string }
      | { readonly kind: 'flushed' }
      | { readonly kind: 'delete'; readonly event: string };
    const trace: Step[] = [];
    const sqs = {
      send: async (command: unknown, options?: unknown) => {
        if (command instanceof DeleteMessageBatchCommand)
          for (const e of command.input.Entries ?? [])
            trace.push({ kind: 'delete', event: eventOf.get(e.ReceiptHandle ?? '') ?? '?' });
        const out = (await q.sqs.send(command as never, options as never)) as ReceiveMessageCommandOutput;
        if (command instanceof ReceiveMessageCommand)
          for (const m of out.Messages ?? []) {
            const body = m.Body ?? '';
            const id = [...records, fromS3].find((r) => body.includes(String(r['eventID'])))?.['eventID'];
            eventOf.set(m.ReceiptHandle ?? '', String(id ?? (body.includes(key) ? fromS3['eventID'] : '?')));
          }
        return out;
      },
    } as unknown as SQSClient;
    const writer: DriftLogWriter = {
      write: (_, log) => void trace.push({ kind: 'write', event: String(log['event_id']) }),
      // A slow flush: a delete sent before it ends would be seen here.
      flush: () => new Promise((r) => setTimeout(r, 200)).then(() => void trace.push({ kind: 'flushed' })),
    };
    const settings = { ...config(q.queueUrl, 5000), pollers: 2 };
    const setup = await setupCore(settings);
    if (!setup.ok) throw new Error('setup');
    const cloudtrail = new CloudTrailClient({ region: REGION, endpoint: 'http://127.0.0.1:9' });
    cleanups.push(() => cloudtrail.destroy());
    const stop = new AbortController();
    const running = runDaemon(
      settings,
      {
        core: setup.core,
        sqs,
        s3: q.s3,
        cloudtrail,
        writer,
        emit: internalEvents(pino({ enabled: false }), new Metrics(), undefined, Date.now),
        now: Date.now,
      },
      stop.signal,
    );
    await until('four deletes', () => trace.filter((s) => s.kind === 'delete').length === 4, 15_000);
    stop.abort();
    await running;

    const deletes = trace.filter((s) => s.kind === 'delete').map((s) => s.event);
    expect(deletes.sort()).toEqual([...records, fromS3].map((r) => String(r['eventID'])).sort());
    for (const event of deletes) {
      const deletedAt = trace.findIndex((s) => s.kind === 'delete' && s.event === event);
      const writes = trace.flatMap((s, i) => (s.kind === 'write' && s.event === event ? [i] : []));
      expect(writes.length, event).toBeGreaterThan(0);
      // Every log of the message before its delete, and a flush that ended after the last of them, before the delete.
      expect(Math.max(...writes), event).toBeLessThan(deletedAt);
      const flushedBetween = trace.slice(Math.max(...writes), deletedAt).some((s) => s.kind === 'flushed');
      expect(flushedBetween, event).toBe(true);
    }
  });
});
