import type { S3Client } from '@aws-sdk/client-s3';
import type { JsonValue } from '../../model/json.ts';
import { MemoryBudgetExceeded, mib, type Lease, type MemoryBudget } from '../memory-budget.ts';
import { describeJsonError, parseJson } from '../../model/json-error.ts';
import { prefilterLogFile, type ScannedLogFile } from '../prefilter/log-file.ts';
import { LogFileStreamScanner, type KeptText } from '../prefilter/scan-stream.ts';
import { objectChunks, S3FetchError, type BodyOptions } from './body.ts';
import type { ReadSet } from '../../normalize/read-set.ts';

export { S3FetchError } from './body.ts';

/** A log file read by the stream scan: its kept records are parsed part by part, as the caller asks for them. */
export interface StreamedLogFile {
  readonly records: number;
  /** The file as ScannedLogFiles of a few kept records each; the skip counts and `records` are in the first. */
  parts(): Iterable<ScannedLogFile>;
}

export type LogObject = { readonly logFile: StreamedLogFile } | { readonly value: JsonValue };

export interface ReadOptions extends BodyOptions {
  readonly budget: MemoryBudget;
  /** The records the rules read (Core.readSet): the scan skips the others unparsed. Default: the bundled rules'. */
  readonly readSet?: ReadSet;
}

/** What a file holds besides what is counted: zlib's state, the HTTP and stream buffers, one part's parsed records. */
export const FILE_OVERHEAD_BYTES = 2 * 1024 * 1024;
/** Kept text handed to the core at once: its parse is part of the overhead above. */
const PART_TEXT_BYTES = 128 * 1024;
/** A record this large is not a CloudTrail record: the stream scan leaves the file to the whole-file path. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;
/** A kept record's text is a JS string (two bytes a character at worst) plus its entry. */
const keptCost = (bytes: number): number => 2 * bytes + 64;
/** Parsing a file whole holds its bytes, their text and the parsed tree (~1.2× the text for CloudTrail JSON). */
const WHOLE_PARSE_FACTOR = 4;

/**
 * Reads a log object from S3 within the memory budget and hands it to `use`; the budget is held until `use`
 * settles. A CloudTrail log file (`{"Records": [...]}`) is decompressed and byte-scanned as it streams, so only the
 * records the rules may read are held (as text). Any other object, or one the stream scan gives up on, is read
 * again and parsed whole (as before), if the budget can ever hold it. Failures are S3FetchErrors naming the object.
 */
export async function readLogObject<T>(
  client: S3Client,
  bucket: string,
  key: string,
  options: ReadOptions,
  use: (object: LogObject) => Promise<T>,
): Promise<T> {
  const where = `s3://${bucket}/${key}`;
  const { budget } = options;
  let reserve = FILE_OVERHEAD_BYTES;
  for (;;) {
    const lease = await acquire(budget, reserve, options.signal, where);
    let pass: Pass;
    try {
      pass = await scanPass(client, bucket, key, options, lease);
      if (pass.kind === 'log') return await use({ logFile: streamed(pass.scanner) });
    } finally {
      lease.release();
    }
    if (pass.kind === 'whole') return readWhole(client, bucket, key, options, pass.size, use);
    // The budget was busy when the file needed more: start again with what it needed, waiting with nothing held,
    // so two growing files cannot wait on each other.
    if (pass.need > budget.total) {
      throw new S3FetchError(`${where}: needs more than the memory budget (${mib(budget.total)}; memoryBudgetMb)`);
    }
    reserve = Math.min(budget.total, Math.max(pass.need + FILE_OVERHEAD_BYTES, reserve * 2));
  }
}

type Pass =
  | { readonly kind: 'log'; readonly scanner: LogFileStreamScanner }
  | { readonly kind: 'whole'; readonly size: number }
  | { readonly kind: 'grow'; readonly need: number };

async function scanPass(
  client: S3Client,
  bucket: string,
  key: string,
  options: ReadOptions,
  lease: Lease,
): Promise<Pass> {
  const scanner = new LogFileStreamScanner(MAX_RECORD_BYTES, options.readSet);
  let scanning = true;
  let size = 0;
  for await (const chunk of objectChunks(client, bucket, key, options)) {
    size += chunk.length;
    // Given up: the rest is only counted (the size decides whether the whole-file path can run).
    if (!scanning) continue;
    scanning = scanner.push(chunk);
    const need = FILE_OVERHEAD_BYTES + scanner.windowBytes + keptCost(scanner.keptBytes) + 64 * scanner.kept.length;
    if (need > lease.bytes && !lease.tryGrow(need + FILE_OVERHEAD_BYTES) && !lease.tryGrow(need)) {
      return { kind: 'grow', need };
    }
  }
  return scanning && scanner.end() ? { kind: 'log', scanner } : { kind: 'whole', size };
}

/** The whole-file path: the object read again into one buffer of its known size, then scanned or parsed whole. */
async function readWhole<T>(
  client: S3Client,
  bucket: string,
  key: string,
  options: ReadOptions,
  size: number,
  use: (object: LogObject) => Promise<T>,
): Promise<T> {
  const where = `s3://${bucket}/${key}`;
  const need = FILE_OVERHEAD_BYTES + WHOLE_PARSE_FACTOR * size;
  if (need > options.budget.total) {
    throw new S3FetchError(
      `${where}: not a log file the stream scan reads (${size} bytes); parsing it whole needs ${mib(need)}, more than the memory budget (${mib(options.budget.total)}; memoryBudgetMb)`,
    );
  }
  const lease = await acquire(options.budget, need, options.signal, where);
  try {
    const object = await wholeObject(client, bucket, key, { ...options, maxBytes: size }, where, size);
    return await use(object);
  } finally {
    lease.release();
  }
}

async function wholeObject(
  client: S3Client,
  bucket: string,
  key: string,
  options: BodyOptions & { readonly readSet?: ReadSet },
  where: string,
  size: number,
): Promise<LogObject> {
  // The object may have been replaced meanwhile: `maxBytes` keeps it to the size the budget was taken for.
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for await (const chunk of objectChunks(client, bucket, key, options)) at += chunk.copy(bytes, at);
  const logFile = prefilterLogFile(bytes.subarray(0, at), options.readSet);
  if (logFile !== undefined) return { logFile: { records: logFile.records, parts: () => [logFile] } };
  const parsed = parseJson<JsonValue>(bytes.toString('utf8', 0, at));
  // V8's message would quote the object around the error; the place is all the operator needs to look.
  if (!parsed.ok) throw new S3FetchError(`${where}: not JSON: ${describeJsonError(parsed.error)}`);
  return { value: parsed.value };
}

async function acquire(budget: MemoryBudget, bytes: number, signal: AbortSignal | undefined, where: string) {
  try {
    return await budget.acquire(bytes, signal);
  } catch (err: unknown) {
    if (err instanceof MemoryBudgetExceeded) throw new S3FetchError(`${where}: ${err.message} (memoryBudgetMb)`);
    throw err;
  }
}

function streamed(scanner: LogFileStreamScanner): StreamedLogFile {
  return { records: scanner.records, parts: () => parts(scanner.kept, scanner) };
}

function* parts(kept: readonly KeptText[], scanner: LogFileStreamScanner): Iterable<ScannedLogFile> {
  let first = true;
  let i = 0;
  do {
    const part: { index: number; value: JsonValue }[] = [];
    for (let bytes = 0; i < kept.length && bytes < PART_TEXT_BYTES; i++) {
      const k = kept[i] as KeptText;
      part.push({ index: k.index, value: JSON.parse(k.text) as JsonValue });
      bytes += k.text.length;
    }
    yield first
      ? { kept: part, skipped: scanner.skipped, records: scanner.records }
      : { kept: part, skipped: {}, records: 0 };
    first = false;
  } while (i < kept.length);
}
