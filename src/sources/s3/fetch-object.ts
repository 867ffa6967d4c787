import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type { JsonValue } from '../../model/json.ts';
import { decompressIfGzip } from '../gzip.ts';

/** Why an S3 log file could not be used; the message that named it is retried, then dead-lettered. */
export class S3FetchError extends Error {
  override readonly name = 'S3FetchError';
}

/**
 * Past this many bytes (decompressed) a log file is refused rather than read: V8 cannot make a longer string to
 * parse, and a gzip bomb in the bucket must fail its message, not exhaust the daemon's memory. CloudTrail's own files
 * are far smaller (about five minutes of one account's events in one region).
 */
export const MAX_OBJECT_BYTES = 512 * 1024 * 1024 - 64;

/** A CloudTrail log object from S3, gunzipped as it streams (by magic bytes), parsed as JSON. */
export async function fetchJsonObject(
  client: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
  maxBytes = MAX_OBJECT_BYTES,
): Promise<JsonValue> {
  const where = `s3://${bucket}/${key}`;
  let body: Readable;
  try {
    const response = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key }),
      signal === undefined ? {} : { abortSignal: signal },
    );
    if (!(response.Body instanceof Readable)) throw new Error('the response has no body');
    body = response.Body;
  } catch (err: unknown) {
    throw new S3FetchError(`${where}: ${describe(err)}`, { cause: err });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of await decompressIfGzip(body)) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) break;
      chunks.push(chunk as Buffer);
    }
  } catch (err: unknown) {
    throw new S3FetchError(`${where}: cannot decompress: ${describe(err)}`, { cause: err });
  } finally {
    // Leaving early (the limit, an error) must not leave the HTTP response half-read on an open socket.
    body.destroy();
  }
  if (size > maxBytes) throw new S3FetchError(`${where}: larger than ${maxBytes} bytes decompressed`);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonValue;
  } catch (err: unknown) {
    throw new S3FetchError(`${where}: not JSON: ${describe(err)}`, { cause: err });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
