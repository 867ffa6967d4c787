import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import { REGION } from './fauxqs.ts';

/**
 * A real DynamoDB API (dynalite, in memory) on loopback, with the table kms-drift's `sharedTable` expects (partition
 * key `pk`; TTL is the deployment's, dynalite has no UpdateTimeToLive). `calls` counts requests by operation, for the
 * daemons in child processes too, since it is counted by the server.
 */
export async function startDynamo(table = 'kms-drift') {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const calls = new Map<string, number>();
  server.on('request', (req: { headers: Record<string, string | string[] | undefined> }) => {
    const target = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    calls.set(target, (calls.get(target) ?? 0) + 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const createTable = async (name: string): Promise<string> => {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    // dynalite makes a table ACTIVE on a later tick, even with createTableMs 0: until then it answers
    // ResourceNotFoundException, as DynamoDB does for a table still CREATING.
    for (let i = 0; i < 200; i++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      if (Table?.TableStatus === 'ACTIVE') return name;
      await sleep(5);
    }
    throw new Error(`table ${name} never became ACTIVE`);
  };
  await createTable(table);
  return {
    endpoint,
    client,
    table,
    /** Another empty table on the same server, for a test that needs a fresh store. */
    createTable,
    calls,
    /** Requests by operation since the last reset. */
    resetCalls: () => calls.clear(),
    stop: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
