// The floor of the shared-table benchmark, in its own process like the daemon: what the shared state costs a
// message and nothing else — the store's claim and completion of one eventID (src/store/dynamodb.ts), `concurrency`
// at a time, against the same dynalite. Prints the elapsed milliseconds.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { performance } from 'node:perf_hooks';
import { dynamoStore } from '../src/store/dynamodb.ts';

const [endpoint = '', table = '', concurrencyArg = '40', countArg = '0'] = process.argv.slice(2);
const client = new DynamoDBClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const store = dynamoStore(client, table, {
  claimMs: 30_000,
  retentionMs: 86_400_000,
  historyMs: 86_400_000,
  now: () => Date.now(),
});
const count = Number(countArg);
let next = 0;
const t = performance.now();
const loop = async (): Promise<void> => {
  while (next < count) {
    const id = `raw-${next++}`;
    const claimed = await store.claim([id]);
    if (claimed.get(id) === 'claimed') await store.complete([id]);
  }
};
await Promise.all(Array.from({ length: Number(concurrencyArg) }, loop));
process.stdout.write(`${performance.now() - t}\n`);
client.destroy();
