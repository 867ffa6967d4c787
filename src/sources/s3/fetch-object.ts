import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type { JsonValue } from '../../model/json.ts';
import { describeJsonError, parseJson } from '../../model/json-error.ts';
import { decompressIfGzip } from '../gzip.ts';
import { prefilterLogFile, type ScannedLogFile } from '../prefilter/log-file.ts';

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

/**
 * A log object from S3, gunzipped as it streams (by magic bytes); scanned as bytes when it is a CloudTrail log file
 * (only its possible KMS records parsed, as replay does), else parsed whole.
 */
export async function fetchLogObject(
  client: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
  maxBytes = MAX_OBJECT_BYTES,
): Promise<{ readonly logFile: ScannedLogFile } | { readonly value: JsonValue }> {
  const bytes = await fetchObjectBytes(client, bucket, key, signal, maxBytes);
  const logFile = prefilterLogFile(bytes);
  return logFile !== undefined ? { logFile } : { value: parseObject(`s3://${bucket}/${key}`, bytes) };
}

function parseObject(where: string, bytes: Buffer): JsonValue {
  const parsed = parseJson<JsonValue>(bytes.toString('utf8'));
  // V8's message would quote the object around the error; the place is all the operator needs to look.
  if (!parsed.ok) throw new S3FetchError(`${where}: not JSON: ${describeJsonError(parsed.error)}`);
  return parsed.value;
}

/** The object's bytes, gunzipped as they stream (by magic bytes), at most `maxBytes`. */
async function fetchObjectBytes(
  client: S3Client,
  bucket: string,
  key: string,
  signal: AbortSignal | undefined,
  maxBytes: number,
): Promise<Buffer> {
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
  return Buffer.concat(chunks);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
