// The byte scan of scan-log-file.ts, done by WebAssembly SIMD (wasm/scan.wat): the same records, extents and skip
// decisions, and the same refusals (anything JSON.parse refuses, any other shape, deep nesting), at several times
// the speed. A JavaScript loop that touches every byte costs about as much as JSON.parse; stage 1 classifies 64
// bytes at a time and stage 2 walks only the tokens, never the bytes of a string. On a CPU without WebAssembly SIMD
// scanLogFile answers (WebAssembly itself is always there: Node's TypeScript stripping runs on it). BENCHMARKS.md (firehose) says what was measured and why a plain search for
// `kms.amazonaws.com` is not enough.
import { readFileSync } from 'node:fs';
import { scanLogFile, type ScannedRecord } from './scan-log-file.ts';
import { notReadBytes, PARSE, type ByteReadSet } from './read-set-bytes.ts';

/** i32 fields per record in the scanner's output. */
const FIELDS = 10;
/** Below this the scanner keeps its tables and its stack. */
const BASE = 2048;
/** After the bytes: 64 spaces (stage 1 reads whole blocks), then quotes that end every search for a string's end. */
const SPACES = 64;
const QUOTES = 32;
/** Files larger than this are scanned by an instance of their own, so its memory is not held afterwards. */
const SHARED_LIMIT = 16 * 1024 * 1024;

// The WebAssembly API, as much as is used here (the project compiles against ES2023 without the DOM's types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface Instance {
  readonly memory: WasmMemory;
  readonly scan: (start: number, end: number, base: number, out: number, cap: number) => number;
}

const module = compile();
let shared: Instance | undefined;

function compile(): object | undefined {
  try {
    return wasm === undefined ? undefined : new wasm.Module(readFileSync(new URL('./wasm/scan.wasm', import.meta.url)));
  } catch {
    return undefined; // a CPU without WebAssembly SIMD: the JavaScript scanner answers
  }
}

function instantiate(m: object): Instance {
  const exports = new (wasm as WasmApi).Instance(m).exports;
  return { memory: exports['memory'] as WasmMemory, scan: exports['scan'] as Instance['scan'] };
}

/**
 * Each record's extent and its own top-level fields, FIELDS i32 per record: start, end, flags (1 an object,
 * 2 unsafe: must be parsed, 4 eventName escaped, 8 eventName not a string), then eventSource, eventType and
 * eventName as [start, end) byte ranges of their unescaped text (-1 when absent), then 0.
 */
export interface RecordFields {
  readonly count: number;
  readonly fields: Int32Array;
}

/** undefined when the bytes are not a `{"Records": [...]}` file the scan reads; 'unavailable' without WebAssembly. */
export function scanRecordFields(buf: Uint8Array): RecordFields | undefined | 'unavailable' {
  const scanned = scan(buf);
  return typeof scanned === 'object' ? { count: scanned.count, fields: scanned.fields.slice() } : scanned;
}

/** As scanRecordFields, the fields in the scanner's memory: valid until the next scan. */
function scan(buf: Uint8Array): RecordFields | undefined | 'unavailable' {
  if (module === undefined) return 'unavailable';
  const n = buf.length;
  const instance = n > SHARED_LIMIT ? instantiate(module) : (shared ??= instantiate(module));
  // Real records are hundreds of bytes; a file of tiny ones is scanned again with room for every record.
  for (const cap of [Math.floor(n / 128) + 1024, Math.floor(n / 2) + 16]) {
    const out = (BASE + n + SPACES + QUOTES + 16 + 15) & ~15;
    const need = out + cap * FIELDS * 4;
    const { memory } = instance;
    if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    const mem = new Uint8Array(memory.buffer);
    mem.set(buf, BASE);
    mem.fill(0x20, BASE + n, BASE + n + SPACES);
    mem.fill(0x22, BASE + n + SPACES, BASE + n + SPACES + QUOTES);
    const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    const count = instance.scan(BASE + bom, BASE + n, BASE, out, cap);
    if (count === -1) return undefined;
    if (count >= 0) return { count, fields: new Int32Array(memory.buffer, out, count * FIELDS) };
  }
  return undefined; // unreachable: every record takes at least two bytes
}

const INSIGHT = new TextEncoder().encode('AwsCloudTrailInsight');
/** Flags that send a record to the full parse: not an object's own keys as the scan reads them. */
const PARSE_FLAGS = 2 | 4 | 8;

/** scanLogFile's answer, from the WebAssembly scanner: the same records, extents and decisions for `reads`. */
export function scanLogFileFast(buf: Uint8Array, reads: ByteReadSet): ScannedRecord[] | undefined {
  const scanned = scan(buf);
  if (scanned === 'unavailable') return scanLogFile(buf, reads);
  if (scanned === undefined) return undefined;
  const { count, fields: f } = scanned;
  const records: ScannedRecord[] = new Array<ScannedRecord>(count);
  for (let i = 0, o = 0; i < count; i++, o += FIELDS) {
    const start = f[o] as number;
    const end = f[o + 1] as number;
    const flags = f[o + 2] as number;
    const source0 = f[o + 3] as number;
    // The same decision as scanRecord: an escaped or non-string own field (eventName too) goes to the parse; then
    // normalize's order: an Insight event first, then the event source, then the read set.
    if ((flags & 1) === 0 || (flags & PARSE_FLAGS) !== 0) records[i] = { start, end };
    else if (equals(buf, f[o + 5] as number, f[o + 6] as number, INSIGHT))
      records[i] = { start, end, skip: 'insight_event' };
    else if (source0 < 0) records[i] = { start, end };
    else {
      const skip = notReadBytes(
        reads,
        buf,
        source0,
        f[o + 4] as number,
        f[o + 5] as number,
        f[o + 6] as number,
        f[o + 7] as number,
        f[o + 8] as number,
      );
      records[i] = skip === undefined || skip === PARSE ? { start, end } : { start, end, skip };
    }
  }
  return records;
}

function equals(buf: Uint8Array, start: number, end: number, w: Uint8Array): boolean {
  if (end - start !== w.length || start < 0) return false;
  for (let i = 0; i < w.length; i++) if (buf[start + i] !== w[i]) return false;
  return true;
}
