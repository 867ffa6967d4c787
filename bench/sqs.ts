// End to end through a real SQS server on loopback (fauxqs, in this process) and the real daemon (a child process):
// receive → drift log → delete. Each figure has its floor measured in the same run against the same server: a plain
// SDK consumer that receives (10 at a time) and deletes, doing nothing else, with the same number of pollers.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';

const ROOT = new URL('../', import.meta.url).pathname;
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
/** AWS's sample DisableKeyRotation on a key the example state manages: every message yields drift logs. */
const RECORD = JSON.parse(
  readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json`, 'utf8'),
) as Record<string, unknown>;

function body(id: string): string {
  return JSON.stringify({
    version: '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.kms',
    account: '111122223333',
    region: 'us-west-2',
    time: String(RECORD['eventTime']),
    resources: [],
    detail: { ...RECORD, eventID: id },
  });
}

export async function sendAll(sqs: SQSClient, queueUrl: string, ids: readonly string[], sentAt?: Map<string, number>) {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += 10) batches.push(ids.slice(i, i + 10));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++] ?? [];
      const t = performance.now();
      for (const id of batch) sentAt?.set(id, t);
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((id, i) => ({ Id: String(i), MessageBody: body(id) })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

export async function depth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const r = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(r.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** The floor, in a child process like the daemon (bench/raw-consumer.ts): receive(10) + deleteBatch, nothing else. */
function rawConsumer(endpoint: string, queueUrl: string, pollers: number, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [`${ROOT}bench/raw-consumer.ts`, endpoint, queueUrl, String(pollers), String(count)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env['PATH'] ?? '' } },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Number(out.trim())) : reject(new Error(`raw consumer: ${String(code)}`)),
    );
  });
}

export interface DaemonHandle {
  readonly eventsLogged: () => number;
  readonly loggedAt: Map<string, number>;
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

export function startDaemon(
  endpoint: string,
  queueUrl: string,
  pollers: number,
  extraEnv: Readonly<Record<string, string>> = {},
): DaemonHandle {
  const child = spawn(process.execPath, [`${ROOT}bin/kms-drift.js`, 'run'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '',
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: REGION,
      KMS_DRIFT_QUEUE_URL: queueUrl,
      KMS_DRIFT_STATE: 'examples/terraform.tfstate',
      KMS_DRIFT_POLLERS: String(pollers),
      KMS_DRIFT_WAIT_TIME: '1',
      ...extraEnv,
    },
  });
  const loggedAt = new Map<string, number>();
  let partial = '';
  child.stdout.on('data', (b: Buffer) => {
    const now = performance.now();
    const lines = (partial + b.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      const id = /"event_id":"([^"]+)"/.exec(l)?.[1];
      if (id !== undefined && !loggedAt.has(id)) loggedAt.set(id, now);
    }
  });
  let stderr = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
      if (stderr.includes('DaemonStarted')) resolve();
    });
    child.on('close', (code) => reject(new Error(`daemon exited (${String(code)}): ${stderr.slice(-400)}`)));
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    eventsLogged: () => loggedAt.size,
    loggedAt,
    ready,
    async stop() {
      child.kill('SIGTERM');
      await closed;
    },
  };
}

export async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export interface SqsFigures {
  readonly messages: number;
  readonly [pollers: `pollers_${number}`]: {
    readonly messages_per_s: number;
    readonly floor_receive_delete_messages_per_s: number;
    readonly time_vs_floor: number;
  };
  readonly latency: {
    readonly definition: string;
    readonly rate_per_s: number;
    readonly p50_ms: number;
    readonly p99_ms: number;
  };
}

/**
 * Throughput: `messages` messages waiting in the queue, then the consumer (raw floor, or the daemon once ready)
 * drains them; messages/s from the first receive to the last drift log (daemon) or delete (floor). Latency: with the
 * daemon idle and polling, messages sent at `rate`/s, each timed from its SendMessageBatch to its first drift log on
 * the daemon's stdout (so it includes SQS delivery and the long poll: an upper bound of receive-to-log).
 */
export async function benchSqs(messages: number, rate = 100, latencyMessages = 500): Promise<SqsFigures> {
  const server = await startFauxqs({ port: 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const sqs = new SQSClient({ endpoint, region: REGION, credentials, useQueueUrlAsEndpoint: false });
  const result: Record<string, unknown> = { messages };
  try {
    for (const pollers of [1, 4]) {
      const floorQueue = server.createQueue(`floor-${pollers}`, { region: REGION }).queueUrl;
      await sendAll(
        sqs,
        floorQueue,
        Array.from({ length: messages }, (_, i) => `floor-${pollers}-${i}`),
      );
      const floorMs = await rawConsumer(endpoint, floorQueue, pollers, messages);

      const queueUrl = server.createQueue(`daemon-${pollers}`, { region: REGION }).queueUrl;
      await sendAll(
        sqs,
        queueUrl,
        Array.from({ length: messages }, (_, i) => `daemon-${pollers}-${i}`),
      );
      const d = startDaemon(endpoint, queueUrl, pollers);
      await d.ready;
      const t = performance.now();
      await until(() => d.eventsLogged() >= messages, 300_000);
      const ms = Math.max(...d.loggedAt.values()) - t;
      await until(async () => (await depth(sqs, queueUrl)) === 0, 30_000);
      await d.stop();
      result[`pollers_${pollers}`] = {
        messages_per_s: Math.round(messages / (ms / 1000)),
        floor_receive_delete_messages_per_s: Math.round(messages / (floorMs / 1000)),
        time_vs_floor: +(ms / floorMs).toFixed(2),
      };
    }

    const queueUrl = server.createQueue('latency', { region: REGION }).queueUrl;
    const d = startDaemon(endpoint, queueUrl, 4);
    await d.ready;
    const sentAt = new Map<string, number>();
    const interval = 1000 / rate;
    const start = performance.now();
    for (let i = 0; i < latencyMessages; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await sendAll(sqs, queueUrl, [`latency-${i}`], sentAt);
    }
    await until(() => d.eventsLogged() >= latencyMessages, 60_000);
    await d.stop();
    const latencies = [...sentAt].map(([id, t]) => (d.loggedAt.get(id) ?? NaN) - t).sort((a, b) => a - b);
    result['latency'] = {
      definition: 'SendMessageBatch to the first drift log on stdout, one message at a time, 4 pollers',
      rate_per_s: rate,
      p50_ms: +percentile(latencies, 50).toFixed(1),
      p99_ms: +percentile(latencies, 99).toFixed(1),
    };
  } finally {
    sqs.destroy();
    await server.stop();
  }
  return result as unknown as SqsFigures;
}
