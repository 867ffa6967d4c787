import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { JsonValue } from '../../model/json.ts';
import type { Problem, SkipReason } from '../../model/problem.ts';
import { locateJsonError } from '../../model/json-error.ts';
import { decompressIfGzip } from '../gzip.ts';
import { expand, readProblem } from './expand.ts';
import { prefilterLogFile, type ScannedLogFile } from '../prefilter/log-file.ts';
import type { ReadSet } from '../../normalize/read-set.ts';

export type InputPayload =
  | { readonly source: string; readonly path: string; readonly value: JsonValue }
  /** A CloudTrail log file read by the byte scan: only the records the rules may read were parsed. */
  | { readonly source: string; readonly path: string; readonly logFile: ScannedLogFile }
  | { readonly source: string; readonly problem: Problem };

export interface ReadInputsIo {
  /** What `-` reads; process.stdin when absent. */
  readonly stdin?: NodeJS.ReadableStream;
  /**
   * Told of each file not read, and why (files in a directory named as CloudTrail digests). Without it such files
   * are read like any other, and unwrap recognises a digest by its content and counts it: never a silent drop.
   */
  readonly onSkip?: (source: string, reason: SkipReason) => void;
  /**
   * The records the rules read (Core.readSet): a log file's other records are skipped by the byte scan without a
   * parse. Default: the bundled rules' (READ_TRACKED).
   */
  readonly readSet?: ReadSet;
}

/**
 * Up to this size (after gunzip) a file is read whole: measurably faster than streaming it through readline, which
 * reassembles each 1-MB line from chunks, and CloudTrail's own log files stay far below it. Larger files — JSON Lines
 * exports — are streamed a line at a time, so they never need to fit in one string.
 */
const WHOLE_LIMIT = 64 * 1024 * 1024;

/**
 * Files, directories (recursive, sorted) and `-` (stdin) to JSON payloads. gzip is recognised by its magic bytes,
 * not by the name. A JSON document is one payload; JSON Lines give one payload a line (`path: "line 12"`).
 */
export async function* readInputs(inputs: readonly string[], io: ReadInputsIo = {}): AsyncIterable<InputPayload> {
  for (const input of inputs) {
    if (input === '-') {
      yield* readStream('<stdin>', Readable.from(io.stdin ?? process.stdin));
      continue;
    }
    // One file is read ahead while the caller works on the previous one, so the disk and the CPU overlap.
    let ahead: { readonly path: string; readonly loaded: Promise<Loaded> } | undefined;
    for await (const item of expand(input)) {
      if (item.kind === 'problem') yield { source: item.source, problem: item.problem };
      else if (item.kind === 'digest' && io.onSkip !== undefined) io.onSkip(item.path, 'digest_file');
      else {
        const next = { path: item.path, loaded: load(item.path) };
        if (ahead !== undefined) yield* readFile(ahead.path, await ahead.loaded, io.readSet);
        ahead = next;
      }
    }
    if (ahead !== undefined) yield* readFile(ahead.path, await ahead.loaded, io.readSet);
  }
}

/** What readInputs reads, in its order, named before any file is read: replay's workers read the files. */
export type InputItem =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' }
  | { readonly kind: 'problem'; readonly source: string; readonly problem: Problem };

/** The inputs as readInputs walks them (directories expanded, sorted), without reading them. */
export async function* inputItems(inputs: readonly string[], io: ReadInputsIo = {}): AsyncIterable<InputItem> {
  for (const input of inputs) {
    if (input === '-') {
      yield { kind: 'stdin' };
      continue;
    }
    for await (const item of expand(input)) {
      if (item.kind === 'problem') yield item;
      else if (item.kind === 'digest' && io.onSkip !== undefined) io.onSkip(item.path, 'digest_file');
      else yield { kind: 'file', path: item.path };
    }
  }
}

/** `-` as readInputs reads it. */
export function readStdin(stdin?: NodeJS.ReadableStream): AsyncIterable<InputPayload> {
  return readStream('<stdin>', Readable.from(stdin ?? process.stdin));
}

/** Starts reading one file (the caller reads the next while it works on the current one). */
export function loadInputFile(path: string): Promise<Loaded> {
  return load(path);
}

/** One file's payloads, as readInputs yields them, from what loadInputFile read. */
export function readLoadedFile(path: string, loaded: Loaded, readSet?: ReadSet): AsyncIterable<InputPayload> {
  return readFile(path, loaded, readSet);
}

/** A file's bytes (gunzipped), or `stream` when it is too large to read whole, or why it could not be read. */
export type Loaded = { readonly bytes: Buffer } | { readonly stream: true } | { readonly error: unknown };

async function load(path: string): Promise<Loaded> {
  try {
    const handle = await open(path);
    try {
      const { size } = await handle.stat();
      if (size > WHOLE_LIMIT) return { stream: true };
      const bytes = wholeBytes(await handle.readFile());
      return bytes === undefined ? { stream: true } : { bytes };
    } finally {
      await handle.close();
    }
  } catch (err: unknown) {
    return { error: err };
  }
}

async function* readFile(path: string, loaded: Loaded, readSet?: ReadSet): AsyncIterable<InputPayload> {
  if ('error' in loaded) {
    yield { source: path, problem: readProblem(path, loaded.error) };
    return;
  }
  if ('stream' in loaded) {
    yield* readStream(path, createReadStream(path));
    return;
  }
  const { bytes } = loaded;
  // A CloudTrail log file is scanned as bytes and only the records the rules may read are parsed
  // (sources/prefilter); anything else, including a log file that is not valid JSON, is parsed whole as before.
  const logFile = prefilterLogFile(bytes, readSet);
  if (logFile !== undefined) yield { source: path, path: '', logFile };
  else yield* parseWhole(path, stripBom(bytes.toString('utf8')));
}

/** The file's bytes, gunzipped, or undefined when they gunzip to more than WHOLE_LIMIT (then it is streamed). */
function wholeBytes(raw: Buffer): Buffer | undefined {
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    // Synchronous gunzip is twice as fast as zlib's thread-pool version for whole files; replay has nothing else
    // to do meanwhile.
    return gunzipSync(raw, { maxOutputLength: WHOLE_LIMIT, chunkSize: outputChunk(raw) });
  } catch (err: unknown) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ERR_BUFFER_TOO_LARGE') {
      return undefined;
    }
    throw err;
  }
}

/**
 * zlib's output chunk: the size gzip's trailer states (ISIZE, the last member's size mod 2^32), so that a log file
 * gunzips into one buffer instead of 16-KB chunks concatenated at the end — a quarter faster, and half the memory
 * outside the heap, whose growth makes V8 collect after every file (BENCHMARKS.md). Only a hint: a wrong ISIZE
 * (several members, a lie) just means more chunks; bounded by what the input can inflate to and by WHOLE_LIMIT.
 */
function outputChunk(raw: Buffer): number {
  const isize = raw.length >= 18 ? raw.readUInt32LE(raw.length - 4) : 0;
  return Math.max(64 * 1024, Math.min(isize + 1, raw.length * 1032, WHOLE_LIMIT + 1));
}

function* parseWhole(source: string, text: string): Iterable<InputPayload> {
  const whole = tryParse(text);
  if (whole !== undefined) {
    yield { source, path: '', value: whole.parsed };
    return;
  }
  // Not one JSON document: JSON Lines, or invalid. A first line that is complete JSON decides for JSON Lines.
  const lines = text.split('\n');
  const firstIndex = lines.findIndex((l) => l.trim() !== '');
  if (firstIndex < 0 || tryParse(lines[firstIndex] ?? '') === undefined) {
    yield { source, problem: jsonProblem(source, text) };
    return;
  }
  for (const [i, line] of lines.entries()) {
    const payload = parseLine(source, line, i + 1);
    if (payload !== undefined) yield payload;
  }
}

async function* readStream(source: string, raw: Readable): AsyncIterable<InputPayload> {
  let stream: Readable;
  try {
    stream = await decompressIfGzip(raw);
  } catch (err: unknown) {
    yield { source, problem: readProblem(source, err) };
    return;
  }
  // Whole-document JSON is the common case (log files, single records, envelopes); JSON Lines are the fallback.
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const buffered: string[] = [];
  let lineNo = 0;
  let mode: 'unknown' | 'document' | 'lines' = 'unknown';
  try {
    for await (const raw of lines) {
      const line = lineNo === 0 ? stripBom(raw) : raw;
      lineNo++;
      if (mode === 'lines') {
        const payload = parseLine(source, line, lineNo);
        if (payload !== undefined) yield payload;
        continue;
      }
      if (mode === 'unknown' && line.trim() !== '') {
        // A complete JSON value on the first non-empty line: JSON Lines (a compact log file is one such line).
        const value = tryParse(line);
        if (value !== undefined) {
          mode = 'lines';
          yield { source, path: `line ${lineNo}`, value: value.parsed };
          continue;
        }
        mode = 'document';
      }
      buffered.push(line);
    }
  } catch (err: unknown) {
    yield { source, problem: readProblem(source, err) };
    return;
  }
  if (mode !== 'document') return;
  const text = buffered.join('\n');
  try {
    yield { source, path: '', value: JSON.parse(text) as JsonValue };
  } catch {
    yield { source, problem: jsonProblem(source, text) };
  }
}

function parseLine(source: string, line: string, lineNo: number): InputPayload | undefined {
  if (line.trim() === '') return undefined;
  try {
    return { source, path: `line ${lineNo}`, value: JSON.parse(line) as JsonValue };
  } catch {
    const p = jsonProblem(source, line);
    return { source, problem: { ...p, line: lineNo + (p.line ?? 1) - 1 } };
  }
}

function tryParse(text: string): { readonly parsed: JsonValue } | undefined {
  try {
    return { parsed: JSON.parse(text) as JsonValue };
  } catch {
    return undefined;
  }
}

/** Located at the failing character; the message says what was expected there and never quotes the file. */
function jsonProblem(source: string, text: string): Problem {
  const at = locateJsonError(text);
  return {
    code: 'INPUT_JSON',
    severity: 'error',
    source,
    line: at.line,
    column: at.column,
    message: `not valid JSON: ${at.reason}`,
  };
}

/** Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse refuses. */
function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
