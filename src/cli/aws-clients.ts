import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { KMSClient } from '@aws-sdk/client-kms';

/** The AWS clients the daemon talks through: the SDK's defaults in production, the emulator's with `run --local`. */
export interface AwsClients {
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly cloudtrail: CloudTrailClient;
  readonly kms: KMSClient;
}
