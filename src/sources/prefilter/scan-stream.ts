// The byte scan of scan-log-file.ts fed chunk by chunk, as a log file is decompressed: only the record being
// scanned and the kept records' text are held, never the file. Each record is scanned by the same scanRecord, on a
// window that starts at the record, and taken only once the byte after it (`,` or `]`) has arrived: a record cut by
// a chunk boundary looks incomplete to the scanner (it needs its closing byte, and a number needs the byte after
// it), and is scanned again when more bytes are there. So the records, their extents and what is skipped are those
// of scanLogFile on the whole file, and a file the stream scan gives up on is left to the whole-file path.
import type { ScanSkip } from './scan-log-file.ts';
import { equals, MAX_DEPTH, RECORDS, scanRecord, skipWs, stringEnd } from './scan-log-file.ts';
import { byteReadSet, type ByteReadSet } from './read-set-bytes.ts';
import { READ_TRACKED, type ReadSet } from '../../normalize/read-set.ts';

/** A kept record's JSON text, with its index in Records. */
export interface KeptText {
  readonly index: number;
  readonly text: string;
}

// Where the scan is in the file's frame: { "Records" : [ record , record ] }
type Phase = 'bom' | 'open' | 'key' | 'colon' | 'bracket' | 'first' | 'record' | 'close' | 'tail';

/** What one step over the buffered bytes found: go on, wait for more bytes, or not a file this scan reads. */
type Step = 'next' | 'more' | 'fail';

const BOM = [0xef, 0xbb, 0xbf];

export class LogFileStreamScanner {
  readonly kept: KeptText[] = [];
  readonly skipped: Partial<Record<ScanSkip, number>> = {};
  records = 0;
  /** Bytes of text in `kept` (UTF-8). */
  keptBytes = 0;
  private win: Buffer = Buffer.alloc(64 * 1024);
  private len = 0;
  private p = 0;
  private phase: Phase = 'bom';
  private failed = false;
  /** A record found incomplete is scanned again only once this many bytes are buffered: linear time for any size. */
  private retryAt = 0;
  private readonly stack = new Uint8Array(MAX_DEPTH);
  private readonly maxPending: number;

  private readonly reads: ByteReadSet;

  /**
   * `maxPending`: past this many bytes of one unfinished record (or frame), the scan gives up on the file. `reads`:
   * the records the rules read (Core.readSet); the default is the bundled rules' (READ_TRACKED).
   */
  constructor(maxPending: number, reads: ReadSet = READ_TRACKED) {
    this.maxPending = maxPending;
    this.reads = byteReadSet(reads);
  }

  /** Bytes of the window the scan holds (its capacity), besides the kept text. */
  get windowBytes(): number {
    return this.win.length;
  }

  /** Feeds the next decompressed bytes; false once the scan has given up (then the rest need not be fed). */
  push(chunk: Uint8Array): boolean {
    if (this.failed) return false;
    this.append(chunk);
    if (this.len >= this.retryAt && this.run(false) === 'fail') this.failed = true;
    else if (this.len - this.p > this.maxPending) this.failed = true;
    return !this.failed;
  }

  /** After the last chunk: true when the file was a `{"Records": [...]}` document the scan read to its end. */
  end(): boolean {
    if (!this.failed) this.failed = this.run(true) !== 'done';
    return !this.failed;
  }

  private run(ended: boolean): 'done' | 'more' | 'fail' {
    for (;;) {
      const step = this.step(this.win.subarray(0, this.len), ended);
      if (step === 'next') continue;
      if (step === 'fail') return 'fail';
      if (ended) return this.phase === 'tail' ? 'done' : 'fail';
      this.retryAt = this.phase === 'record' ? this.len + (this.len - this.p) : 0;
      return 'more';
    }
  }

  private step(b: Buffer, ended: boolean): Step {
    const n = b.length;
    if (this.phase === 'bom') {
      if (n < 3 && !ended) return 'more';
      if (BOM.every((x, i) => b[i] === x)) this.p = 3;
      this.phase = 'open';
      return 'next';
    }
    const p = skipWs(b, this.p);
    this.p = p;
    if (p >= n) return 'more';
    const c = b[p];
    switch (this.phase) {
      case 'open':
        return this.expect(c === 0x7b, 'key');
      case 'key': {
        if (c !== 0x22) return 'fail';
        const end = stringEnd(b, p);
        if (end < 0) return 'more';
        if (!equals(b, p + 1, end, RECORDS)) return 'fail';
        this.p = end;
        return this.expect(true, 'colon');
      }
      case 'colon':
        return this.expect(c === 0x3a, 'bracket');
      case 'bracket':
        return this.expect(c === 0x5b, 'first');
      case 'first':
        if (c === 0x5d) return this.expect(true, 'close');
        this.phase = 'record';
        return 'next';
      case 'record':
        return this.record(b);
      case 'close':
        return this.expect(c === 0x7d, 'tail');
      case 'tail':
        return 'fail'; // anything but whitespace after the closing brace
    }
  }

  /** One byte of the frame: `ok` moves past it to `next`. */
  private expect(ok: boolean, next: Phase): Step {
    if (!ok) return 'fail';
    this.p++;
    this.phase = next;
    return 'next';
  }

  private record(b: Buffer): Step {
    const r = scanRecord(b, this.p, this.stack, this.reads);
    if (r === undefined) return 'more';
    const q = skipWs(b, r.end);
    if (q >= b.length) return 'more';
    const c = b[q];
    if (c !== 0x2c && c !== 0x5d) return 'fail';
    if (r.skip === undefined) {
      this.kept.push({ index: this.records, text: b.toString('utf8', r.start, r.end) });
      this.keptBytes += r.end - r.start;
    } else this.skipped[r.skip] = (this.skipped[r.skip] ?? 0) + 1;
    this.records++;
    this.p = q + 1;
    if (c === 0x5d) this.phase = 'close';
    return 'next';
  }

  /** Appends after dropping what was read; the window doubles when it must, so copying stays linear. */
  private append(chunk: Uint8Array): void {
    if (this.p > 0) {
      this.win.copyWithin(0, this.p, this.len);
      this.retryAt -= this.p;
      this.len -= this.p;
      this.p = 0;
      // After one large record, give the room back.
      if (this.win.length > 4 * Math.max(this.len + chunk.length, 64 * 1024)) {
        this.win = Buffer.from(this.win.subarray(0, Math.max(this.len, 64 * 1024)));
      }
    }
    const need = this.len + chunk.length;
    if (need > this.win.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.win.length * 2));
      this.win.copy(bigger, 0, 0, this.len);
      this.win = bigger;
    }
    this.win.set(chunk, this.len);
    this.len = need;
  }
}
