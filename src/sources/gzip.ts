import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * The stream, gunzipped as it flows when its first bytes are gzip's magic number. File names and S3 keys are not
 * trusted for this: CloudTrail writes `.json.gz`, people copy logs around as `.json`.
 */
export async function decompressIfGzip(raw: Readable): Promise<Readable> {
  const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const first = await iterator.next();
  const head: Buffer | undefined = first.done ? undefined : asBuffer(first.value);
  const rest = async function* (): AsyncIterable<Buffer> {
    if (head !== undefined) yield head;
    for (let n = await iterator.next(); !n.done; n = await iterator.next()) yield asBuffer(n.value);
  };
  const joined = Readable.from(rest());
  if (head === undefined || head[0] !== 0x1f || head[1] !== 0x8b) return joined;
  const gunzip = createGunzip();
  joined.on('error', (e) => gunzip.destroy(e));
  return joined.pipe(gunzip);
}

/** A Buffer as it is (Buffer.from would copy every chunk), a string as its UTF-8 bytes. */
function asBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}
