import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { KMSClient } from '@aws-sdk/client-kms';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AwsClients } from './aws-clients.ts';
import type { CliIo } from './replay.ts';
import { EXAMPLE_EVENTS, EXAMPLE_STATE } from './paths.ts';

const REGION = 'us-east-1';
const BUCKET = 'kms-drift-local-trail';
const LOG_KEY = `AWSLogs/111122223333/CloudTrail/us-west-2/2022/09/01/111122223333_CloudTrail_us-west-2_20220901T2010Z_LocalExample0001.json.gz`;

/**
 * `run --local`: an SQS/S3 emulator (fauxqs) on loopback, a queue with a dead-letter queue, the bundled sample
 * events sent as EventBridge events and, again, as one gzipped log file in S3 announced by an S3 notification —
 * the second path delivers the same events, which the daemon drops as duplicates. Then the real daemon runs on it.
 */
export async function startLocal(
  io: CliIo,
): Promise<
  | { options: Record<string, string | string[]>; clients: AwsClients; stop(): Promise<void> }
  | { readonly unavailable: string }
> {
  let fauxqs: typeof import('fauxqs');
  try {
    fauxqs = await import('fauxqs');
  } catch (err: unknown) {
    if (typeof err !== 'object' || err === null || !('code' in err) || err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    // The image installs production dependencies only: --local is for a checkout, not for a deployment.
    return {
      unavailable:
        'needs the SQS/S3 emulator fauxqs, a development dependency that is not installed here (not in the container image); run it from a kms-drift checkout after `npm ci`',
    };
  }
  const server = await fauxqs.startFauxqs({ port: 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const common = { endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const clients: AwsClients = {
    sqs: new SQSClient({ ...common, useQueueUrlAsEndpoint: false }),
    s3: new S3Client({ ...common, forcePathStyle: true }),
    // Not used: --local sets no backfill and no live reads; present so the wiring is the same as in production.
    cloudtrail: new CloudTrailClient(common),
    kms: new KMSClient(common),
  };
  const dlq = server.createQueue('kms-drift-dlq', { region: REGION });
  const queue = server.createQueue('kms-drift', {
    region: REGION,
    attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: '3' }) },
  });
  server.setup({ buckets: [BUCKET] });

  const names = (await readdir(EXAMPLE_EVENTS)).filter((n) => n.endsWith('.json')).sort();
  const records = await Promise.all(
    names.map(async (n) => JSON.parse(await readFile(join(EXAMPLE_EVENTS, n), 'utf8')) as Record<string, unknown>),
  );
  for (const record of records) {
    const event = {
      version: '0',
      id: String(record['eventID']),
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.kms',
      account: '111122223333',
      time: record['eventTime'],
      region: record['awsRegion'],
      resources: [],
      detail: record,
    };
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(event) }));
  }
  await clients.s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: LOG_KEY, Body: gzipSync(JSON.stringify({ Records: records })) }),
  );
  // fauxqs does not send S3 notifications itself; this is the message S3 would send.
  const notification = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: REGION,
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: BUCKET }, object: { key: encodeURIComponent(LOG_KEY).replace(/%2F/g, '/') } },
      },
    ],
  };
  await clients.sqs.send(
    new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(notification) }),
  );
  io.err(
    `kms-drift run --local: fauxqs on ${endpoint}; sent ${records.length} EventBridge events and one S3 log file with the same ${records.length} events; Ctrl-C stops`,
  );
  return {
    options: { 'queue-url': queue.queueUrl, state: [EXAMPLE_STATE] },
    clients,
    stop: async () => {
      clients.sqs.destroy();
      clients.s3.destroy();
      clients.cloudtrail.destroy();
      clients.kms.destroy();
      await server.stop();
    },
  };
}
