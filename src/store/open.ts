import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { historyKeepMs } from '../breakglass/classify.ts';
import type { Config } from '../config/types.ts';
import { dynamoStore } from './dynamodb.ts';
import { memoryStore } from './memory.ts';
import type { SharedStore } from './store.ts';

const HOUR_MS = 3_600_000;

/**
 * The daemon's store: the DynamoDB table named by `sharedTable` (the SDK's own region, endpoint — e.g.
 * AWS_ENDPOINT_URL_DYNAMODB — and credentials), else this process's memory and `checkpointFile`.
 */
export function openStore(config: Config, now: () => number): SharedStore {
  const claimMs = config.visibilityTimeoutSeconds * 1000;
  if (config.sharedTable === undefined)
    return memoryStore({
      dedupSize: config.dedupSize,
      checkpointFile: config.checkpointFile,
      timing: { claimMs, now },
    });
  return dynamoStore(new DynamoDBClient({}), config.sharedTable, {
    claimMs,
    retentionMs: (config.dedupRetentionHours ?? 168) * HOUR_MS,
    historyMs: historyKeepMs(config.recoveryWindowDays),
    now,
  });
}
