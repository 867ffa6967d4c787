import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './cli.ts';

export const REGION = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A real SQS/S3 server (fauxqs) on an ephemeral port, with the SDK clients the tests drive it with. */
export async function startQueues(options: { maxReceiveCount?: number } = {}) {
  const server = await startFauxqs({ port: 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const sqs = new SQSClient({ endpoint, region: REGION, credentials, useQueueUrlAsEndpoint: false });
  const s3 = new S3Client({ endpoint, region: REGION, credentials, forcePathStyle: true });
  const dlq = server.createQueue(`dlq-${Date.now()}`, { region: REGION });
  const queue = server.createQueue(`q-${Date.now()}`, {
    region: REGION,
    attributes: {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.queueArn,
        maxReceiveCount: String(options.maxReceiveCount ?? 2),
      }),
    },
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'trail' }));
  return {
    endpoint,
    queueUrl: queue.queueUrl,
    dlqUrl: dlq.queueUrl,
    sqs,
    s3,
    send: (body: unknown) =>
      sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(body) })),
    put: (key: string, body: Buffer | string) =>
      s3.send(new PutObjectCommand({ Bucket: 'trail', Key: key, Body: body })),
    /**
     * What another consumer receives right now (no long poll): a released message is here, one still invisible (in
     * flight, or left for its visibility timeout) is not. Receiving makes them invisible again for `visibilitySeconds`.
     */
    receiveNow: async (url: string, visibilitySeconds = 30): Promise<string[]> => {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: visibilitySeconds,
        }),
      );
      return (r.Messages ?? []).map((m) => m.Body ?? '');
    },
    /** Visible + in flight, from SQS's own counters: 0 means deleted (or dead-lettered), not "visible". */
    depth: async (url: string): Promise<number> => {
      const r = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        Number(r.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    },
    dlqBodies: async (): Promise<string[]> => {
      const r = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlq.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      return (r.Messages ?? []).map((m) => m.Body ?? '');
    },
    stop: async () => {
      sqs.destroy();
      s3.destroy();
      await server.stop();
    },
  };
}

export interface Daemon {
  readonly child: ChildProcess;
  readonly logs: Record<string, unknown>[];
  readonly stderr: () => string;
  /** The exit code, or the signal's name when a signal ended the process. */
  exited: Promise<number | string | null>;
}

/** The real daemon in a child process, configured only through the environment, as in the container. */
export function startDaemon(endpoint: string, queueUrl: string, env: Record<string, string> = {}): Daemon {
  const child = spawn(process.execPath, [`${ROOT}bin/kms-drift.js`, 'run'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '',
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: REGION,
      AWS_S3_FORCE_PATH_STYLE: 'true',
      KMS_DRIFT_QUEUE_URL: queueUrl,
      KMS_DRIFT_STATE: 'examples/terraform.tfstate',
      KMS_DRIFT_WAIT_TIME: '1',
      KMS_DRIFT_VISIBILITY_TIMEOUT: '2',
      KMS_DRIFT_SHUTDOWN_TIMEOUT_MS: '3000',
      ...env,
    },
  });
  const logs: Record<string, unknown>[] = [];
  let partial = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => {
    const lines = (partial + b.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l.trim() !== '') logs.push(JSON.parse(l) as Record<string, unknown>);
  });
  child.stderr?.on('data', (b: Buffer) => (err += b.toString('utf8')));
  // 'close', not 'exit': it waits until stdout is drained, so every log the process wrote has been read.
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? signal)),
  );
  return { child, logs, stderr: () => err, exited };
}

/** Polls until `check` holds; fails with `what` after `ms`. Every test using it is bounded. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
