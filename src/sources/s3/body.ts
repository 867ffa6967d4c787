import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { decompressIfGzip } from '../gzip.ts';

/** Why an S3 log file could not be used; the message that named it is retried, then dead-lettered. */
export class S3FetchError extends Error {
  override readonly name = 'S3FetchError';
}

export interface BodyOptions {
  /** Past this many bytes decompressed the object is refused (a gzip bomb stops here, having held one chunk). */
  readonly maxBytes: number;
  /** The response headers, and then each piece of the body, must arrive within this long. */
  readonly timeoutMs: number;
  /** The consumer gave up on the message: stop reading. */
  readonly signal?: AbortSignal;
}

/**
 * The object's bytes, gunzipped as they stream (by magic bytes), chunk by chunk: at most `maxBytes` in all, none
 * held here. Every failure is an S3FetchError naming the object. Leaving the loop early closes the response.
 */
export async function* objectChunks(
  client: S3Client,
  bucket: string,
  key: string,
  options: BodyOptions,
): AsyncGenerator<Buffer> {
  const where = `s3://${bucket}/${key}`;
  const body = await getBody(client, bucket, key, options, where);
  let size = 0;
  let decompressed: Readable | undefined;
  try {
    const stalled = (): Error =>
      new S3FetchError(`${where}: the body stalled: no bytes for ${options.timeoutMs} ms (s3BodyTimeoutMs)`);
    const raw = Readable.from(withTimeout(body, options.timeoutMs, stalled, options.signal));
    try {
      decompressed = await decompressIfGzip(raw);
    } catch (err: unknown) {
      throw err instanceof S3FetchError ? err : new S3FetchError(`${where}: ${describe(err)}`, { cause: err });
    }
    const chunks = decompressed[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (err: unknown) {
        if (err instanceof S3FetchError) throw err;
        throw new S3FetchError(`${where}: cannot decompress: ${describe(err)}`, { cause: err });
      }
      if (next.done) return;
      size += next.value.length;
      if (size > options.maxBytes) {
        throw new S3FetchError(`${where}: larger than ${options.maxBytes} bytes decompressed (maxLogFileMb)`);
      }
      yield next.value;
    }
  } finally {
    // Leaving early (the limit, an error, the caller) must not leave the HTTP response half-read on an open socket,
    // nor zlib's native state waiting for a garbage collection.
    decompressed?.destroy();
    body.destroy();
  }
}

async function getBody(
  client: S3Client,
  bucket: string,
  key: string,
  options: BodyOptions,
  where: string,
): Promise<Readable> {
  // One controller for the request: the consumer giving up, or no response headers in time. It is never aborted
  // after the headers arrived (the SDK would destroy the body): the body has its own timeout below.
  const request = new AbortController();
  const giveUp = (): void => request.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', giveUp, { once: true });
  const timer = setTimeout(
    () => request.abort(new Error(`no response in ${options.timeoutMs} ms (s3BodyTimeoutMs)`)),
    options.timeoutMs,
  );
  try {
    options.signal?.throwIfAborted();
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
      abortSignal: request.signal,
    });
    if (!(response.Body instanceof Readable)) throw new Error('the response has no body');
    return response.Body;
  } catch (err: unknown) {
    const reason = request.signal.aborted ? request.signal.reason : err;
    throw new S3FetchError(`${where}: ${describe(reason)}`, { cause: err });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', giveUp);
  }
}

/**
 * The stream's chunks, each of which must come within `ms`; a stall, or `signal`, ends it with an error. The
 * caller destroys the stream, which settles the read left pending.
 */
async function* withTimeout(
  stream: Readable,
  ms: number,
  stalled: () => Error,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    let onAbort = (): void => undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(stalled()), ms);
      onAbort = () => reject(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      signal?.throwIfAborted();
      const next = await Promise.race([chunks.next(), failed]);
      if (next.done) return;
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
