// The cost of the shared DynamoDB state: the daemon's SQS throughput with KMS_DRIFT_SHARED_TABLE (claims, break-glass
// histories and watermarks in DynamoDB — dynalite on loopback, the same server the tests use) against the same daemon
// with its in-process state, same queue server, same messages, runs interleaved so that the machine's load moves
// both alike.
import { spawn } from 'node:child_process';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { performance } from 'node:perf_hooks';
import { startDynamo } from '../test/helpers/dynamo.ts';
import { median } from './child.ts';
import { depth, sendAll, startDaemon, until } from './sqs.ts';

const REGION = 'us-east-1';
const ROOT = new URL('../', import.meta.url).pathname;

/** The floor (bench/raw-claims.ts, a child process): the store's claim + completion per message, nothing else. */
function rawClaims(endpoint: string, table: string, concurrency: number, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [`${ROOT}bench/raw-claims.ts`, endpoint, table, String(concurrency), String(count)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env['PATH'] ?? '' } },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Number(out.trim())) : reject(new Error(`raw claims: ${String(code)}`)),
    );
  });
}

export interface SharedTableFigures {
  readonly messages: number;
  readonly pollers: number;
  readonly in_process_messages_per_s: number;
  readonly shared_table_messages_per_s: number;
  /** shared / in-process throughput; target ≥ 0.8. */
  readonly shared_vs_in_process: number;
  /** Floor: the store alone (claim + completion of one eventID per message, pollers × 10 at a time) on dynalite. */
  readonly floor_store_claims_per_s: number;
  /** DynamoDB requests per message with the shared table, by operation (dynalite counts them). */
  readonly dynamodb_requests_per_message: Readonly<Record<string, number>>;
}

export async function benchSharedTable(messages: number, pollers = 4, passes = 3): Promise<SharedTableFigures> {
  const server = await startFauxqs({ port: 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const sqs = new SQSClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    useQueueUrlAsEndpoint: false,
  });
  const dynamo = await startDynamo();
  const runs = { inProcess: [] as number[], shared: [] as number[], floor: [] as number[] };
  let requests = new Map<string, number>();
  try {
    for (let pass = 0; pass < passes; pass++) {
      runs.floor.push(
        await rawClaims(dynamo.endpoint, await dynamo.createTable(`floor-${pass}`), pollers * 10, messages),
      );
      for (const mode of ['inProcess', 'shared'] as const) {
        const name = `${mode}-${pass}`;
        const queueUrl = server.createQueue(name, { region: REGION }).queueUrl;
        await sendAll(
          sqs,
          queueUrl,
          Array.from({ length: messages }, (_, i) => `${name}-${i}`),
        );
        const env =
          mode === 'shared'
            ? { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, KMS_DRIFT_SHARED_TABLE: await dynamo.createTable(name) }
            : {};
        const d = startDaemon(endpoint, queueUrl, pollers, env);
        await d.ready;
        dynamo.resetCalls();
        const t = performance.now();
        await until(() => d.eventsLogged() >= messages, 300_000);
        runs[mode].push(Math.max(...d.loggedAt.values()) - t);
        if (mode === 'shared') requests = new Map(dynamo.calls);
        await until(async () => (await depth(sqs, queueUrl)) === 0, 30_000);
        await d.stop();
      }
    }
  } finally {
    sqs.destroy();
    await dynamo.stop();
    await server.stop();
  }
  const rate = (ms: number): number => Math.round(messages / (ms / 1000));
  const inProcess = rate(median(runs.inProcess));
  const shared = rate(median(runs.shared));
  return {
    messages,
    pollers,
    in_process_messages_per_s: inProcess,
    shared_table_messages_per_s: shared,
    shared_vs_in_process: +(shared / inProcess).toFixed(2),
    floor_store_claims_per_s: rate(median(runs.floor)),
    dynamodb_requests_per_message: Object.fromEntries(
      [...requests].filter(([op]) => op !== '').map(([op, n]) => [op, +(n / messages).toFixed(2)]),
    ),
  };
}
