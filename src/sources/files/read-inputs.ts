import { readdir, readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { JsonValue } from '../../model/json.ts';
import type { Problem } from '../../model/problem.ts';
import { locateJsonError } from '../../model/json-error.ts';
import { decompressIfGzip } from '../gzip.ts';

export type InputPayload =
  | { readonly source: string; readonly path: string; readonly value: JsonValue }
  | { readonly source: string; readonly problem: Problem };

/**
 * Files, directories (recursive, sorted) and `-` (stdin) to JSON payloads. gzip is recognised by its magic bytes,
 * not by the name. A document is parsed whole; anything else is read as JSON Lines, streamed, one payload a line.
 */
export async function* readInputs(
  inputs: readonly string[],
  io: { readonly stdin?: NodeJS.ReadableStream } = {},
): AsyncIterable<InputPayload> {
  for (const input of inputs) {
    if (input === '-') {
      if (io.stdin !== undefined) yield* readStream('<stdin>', Readable.from(io.stdin));
      continue;
    }
    for await (const file of expand(input)) {
      if ('problem' in file) {
        yield file;
        continue;
      }
      yield* readFileWhole(file.path);
    }
  }
}

async function* expand(
  input: string,
): AsyncIterable<{ readonly path: string } | { readonly source: string; readonly problem: Problem }> {
  let info;
  try {
    info = await stat(input);
  } catch (err: unknown) {
    yield { source: input, problem: readProblem(input, err) };
    return;
  }
  if (info.isFile()) {
    yield { path: input };
    return;
  }
  if (!info.isDirectory()) return;
  const entries = await readdir(input, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = join(input, entry.name);
    if (entry.isDirectory()) yield* expand(child);
    else if (entry.isFile()) yield { path: child };
  }
}

/**
 * A log file is read whole (CloudTrail writes files of at most tens of MB, one at a time stays far below the memory
 * budget): measurably faster than streaming it through readline, which reassembles each 1-MB line from chunks.
 * stdin is streamed, since it can be endless JSON Lines.
 */
async function* readFileWhole(path: string): AsyncIterable<InputPayload> {
  let text: string;
  try {
    const raw = await readFile(path);
    // Synchronous gunzip is twice as fast as zlib's thread-pool version for whole files; replay has nothing else
    // to do meanwhile.
    text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  } catch (err: unknown) {
    yield { source: path, problem: readProblem(path, err) };
    return;
  }
  const whole = tryParse(text);
  if (whole !== undefined) {
    yield { source: path, path: '', value: whole.parsed };
    return;
  }
  // Not one JSON document: JSON Lines, or invalid. A first line that is complete JSON decides for JSON Lines.
  const lines = text.split('\n');
  const firstIndex = lines.findIndex((l) => l.trim() !== '');
  if (firstIndex < 0 || tryParse(lines[firstIndex] ?? '') === undefined) {
    yield { source: path, problem: jsonProblem(path, text, undefined) };
    return;
  }
  for (const [i, line] of lines.entries()) {
    const payload = parseLine(path, line, i + 1);
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
    for await (const line of lines) {
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
  } catch (err: unknown) {
    yield { source, problem: jsonProblem(source, text, err) };
  }
}

function parseLine(source: string, line: string, lineNo: number): InputPayload | undefined {
  if (line.trim() === '') return undefined;
  try {
    return { source, path: `line ${lineNo}`, value: JSON.parse(line) as JsonValue };
  } catch (err: unknown) {
    const p = jsonProblem(source, line, err);
    return { source, problem: { ...p, line: lineNo + (p.line ?? 1) - 1 } };
  }
}

function tryParse(line: string): { readonly parsed: JsonValue } | undefined {
  try {
    return { parsed: JSON.parse(line) as JsonValue };
  } catch {
    return undefined;
  }
}

function jsonProblem(source: string, text: string, err: unknown): Problem {
  let message = err instanceof Error ? err.message : String(err);
  if (err === undefined) {
    try {
      JSON.parse(text);
    } catch (e: unknown) {
      message = e instanceof Error ? e.message : String(e);
    }
  }
  return {
    code: 'INPUT_JSON',
    severity: 'error',
    source,
    ...locateJsonError(text),
    message: `not valid JSON: ${message}`,
  };
}

function readProblem(source: string, err: unknown): Problem {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const message = err instanceof Error ? err.message : String(err);
  const gzip = code.startsWith('Z_') || /unexpected end of file|incorrect header check/i.test(message);
  return { code: gzip ? 'INPUT_GZIP' : 'INPUT_READ', severity: 'error', source, message };
}
