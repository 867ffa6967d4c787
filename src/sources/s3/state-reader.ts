import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3StateReader } from '../../terraform/load-states.ts';

/** Terraform states kept in S3 (the S3 backend): read whole, versioned by ETag. */
export function s3StateReader(client: S3Client): S3StateReader {
  return {
    async get(bucket, key) {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = (await response.Body?.transformToString('utf8')) ?? '';
      return { text, etag: response.ETag ?? '' };
    },
    async etag(bucket, key) {
      const response = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return response.ETag ?? '';
    },
  };
}
