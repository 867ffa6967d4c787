// A CloudTrail log file holds every service's records, of which KMS management events are a small share. Parsing
// all of them costs more than everything else replay does, so a log file is first scanned as bytes: a validating
// JSON scanner that builds no values finds each record's extent and reads only its top-level `eventSource` and
// `eventType`. A record is skipped, counted as the normalizer would count it, only when those two prove it cannot be
// a KMS record; every other record is parsed and goes the usual way. The scan accepts exactly what JSON.parse
// accepts (escapes, literals, numbers, control characters), so a file it accepts cannot hide a syntax error in a
// skipped record; anything it does not accept — another shape, invalid JSON, deep nesting — is left to the full
// parse, which reports it as before.

/** Why a record was skipped without a parse: the reasons normalize would give it (model/problem.ts SkipReason). */
export type ScanSkip = 'other_service' | 'insight_event';

export interface ScannedRecord {
  /** Byte offsets of the record in the file ([start, end)). */
  readonly start: number;
  readonly end: number;
  /** Present when the record needs no parse. */
  readonly skip?: ScanSkip;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_DEPTH = 256;
const KMS = bytes('kms.amazonaws.com');
const INSIGHT = bytes('AwsCloudTrailInsight');
const RECORDS = bytes('Records');
/** Record keys whose presence sends a record to the full path: envelopes unwrap looks into, and Insight details. */
const GUARDED = ['s3', 'Sns', 'body', 'insightDetails'].map(bytes);
const EVENT_SOURCE = bytes('eventSource');
const EVENT_TYPE = bytes('eventType');
/** 1 for bytes that can stand in a JSON string as themselves: not a quote, a backslash or a control character. */
const WHITESPACE = new Uint8Array(256).map((_, b) => (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 ? 1 : 0));
const STRING_PLAIN = new Uint8Array(256).map((_, b) => (b >= 0x20 && b !== QUOTE && b !== BACKSLASH ? 1 : 0));
/** 1 for the characters after a backslash that JSON allows besides `u`: " \ / b f n r t. */
const ESCAPES = new Uint8Array(256).map((_, b) => ('"\\/bfnrt'.includes(String.fromCharCode(b)) ? 1 : 0));

/** The records of a `{"Records": [...]}` file, or undefined when the file is anything else (or not valid JSON). */
export function scanLogFile(buf: Uint8Array): ScannedRecord[] | undefined {
  return new Scanner(buf).logFile();
}

class Scanner {
  private p = 0;
  /** Whether the last string scanned held an escape. */
  private escaped = false;
  /** Open containers of the value being scanned (`{` or `[`), reused across values. */
  private readonly stack = new Uint8Array(MAX_DEPTH);
  private readonly buf: Uint8Array;
  private readonly n: number;
  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.n = buf.length;
    // A UTF-8 byte-order mark, as read-inputs strips it.
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) this.p = 3;
  }

  logFile(): ScannedRecord[] | undefined {
    const { buf } = this;
    this.ws();
    if (buf[this.p] !== 0x7b) return undefined;
    this.p++;
    this.ws();
    const k0 = this.p + 1;
    if (!this.string() || this.escaped || !this.equals(k0, this.p - 1, RECORDS)) return undefined;
    this.ws();
    if (buf[this.p] !== 0x3a) return undefined;
    this.p++;
    this.ws();
    if (buf[this.p] !== 0x5b) return undefined;
    this.p++;
    const records: ScannedRecord[] = [];
    this.ws();
    if (buf[this.p] === 0x5d) this.p++;
    else {
      for (;;) {
        this.ws();
        const record = this.record();
        if (record === undefined) return undefined;
        records.push(record);
        this.ws();
        const c = buf[this.p];
        this.p++;
        if (c === 0x5d) break;
        if (c !== 0x2c) return undefined;
      }
    }
    this.ws();
    if (buf[this.p] !== 0x7d) return undefined;
    this.p++;
    this.ws();
    return this.p === this.n ? records : undefined;
  }

  /** One element of Records: an object is inspected at its top level; any other value is left to the parse. */
  private record(): ScannedRecord | undefined {
    const start = this.p;
    if (this.buf[start] !== 0x7b) return this.value(1) ? { start, end: this.p } : undefined;
    this.p++;
    let source: { start: number; end: number } | undefined;
    let type: { start: number; end: number } | undefined;
    let unsafe = false;
    this.ws();
    if (this.buf[this.p] === 0x7d) {
      this.p++;
      return { start, end: this.p };
    }
    for (;;) {
      this.ws();
      const k0 = this.p + 1;
      if (!this.string()) return undefined;
      const k1 = this.p - 1;
      const keyEscaped = this.escaped;
      this.ws();
      if (this.buf[this.p] !== 0x3a) return undefined;
      this.p++;
      this.ws();
      const isSource = !keyEscaped && this.equals(k0, k1, EVENT_SOURCE);
      const isType = !keyEscaped && this.equals(k0, k1, EVENT_TYPE);
      if (keyEscaped || this.guarded(k0, k1)) unsafe = true;
      if ((isSource || isType) && this.buf[this.p] === QUOTE) {
        // The last occurrence wins, as in JSON.parse; an escaped value sends the record to the parse.
        const v0 = this.p + 1;
        if (!this.string()) return undefined;
        if (this.escaped) unsafe = true;
        else if (isSource) source = { start: v0, end: this.p - 1 };
        else type = { start: v0, end: this.p - 1 };
      } else {
        // A non-string eventSource or eventType is the normalizer's to judge.
        if (isSource || isType) unsafe = true;
        if (!this.value(2)) return undefined;
      }
      this.ws();
      const c = this.buf[this.p];
      this.p++;
      if (c === 0x7d) break;
      if (c !== 0x2c) return undefined;
    }
    const end = this.p;
    if (unsafe) return { start, end };
    // normalize's order: an Insight event first, then the event source.
    if (type !== undefined && this.equals(type.start, type.end, INSIGHT)) return { start, end, skip: 'insight_event' };
    if (source === undefined || this.equals(source.start, source.end, KMS)) return { start, end };
    return { start, end, skip: 'other_service' };
  }

  /**
   * Any JSON value at p; p ends after it. False when it is not valid JSON. One loop with an explicit stack of open
   * containers (no call per nested value): this is where the scan spends its time.
   */
  private value(depth: number): boolean {
    const { buf, n } = this;
    const stack = this.stack;
    let top = 0; // open containers
    let p = this.p;
    // What may come next: a value, a key (after `{` or `,` in an object), or `,`/close (after a value).
    let expect: 'value' | 'key' | 'after' = 'value';
    let first = false; // right after an opening bracket: the closing one is allowed
    for (;;) {
      while (p < n && WHITESPACE[buf[p] as number] === 1) p++;
      if (p >= n) return false;
      const c = buf[p] as number;
      if (expect === 'after') {
        if (top === 0) break;
        const open = stack[top - 1];
        if (c === 0x2c) {
          p++;
          expect = open === 0x7b ? 'key' : 'value';
          first = false;
          continue;
        }
        if ((c === 0x7d && open === 0x7b) || (c === 0x5d && open === 0x5b)) {
          p++;
          top--;
          continue;
        }
        return false;
      }
      if (first && ((c === 0x7d && stack[top - 1] === 0x7b) || (c === 0x5d && stack[top - 1] === 0x5b))) {
        p++;
        top--;
        first = false;
        expect = 'after';
        continue;
      }
      first = false;
      if (expect === 'key') {
        this.p = p;
        if (c !== QUOTE || !this.string()) return false;
        p = this.p;
        while (p < n && WHITESPACE[buf[p] as number] === 1) p++;
        if (buf[p] !== 0x3a) return false;
        p++;
        expect = 'value';
        continue;
      }
      // A value.
      if (c === QUOTE) {
        this.p = p;
        if (!this.string()) return false;
        p = this.p;
      } else if (c === 0x7b || c === 0x5b) {
        if (depth + top >= MAX_DEPTH) return false;
        stack[top++] = c;
        p++;
        expect = c === 0x7b ? 'key' : 'value';
        first = true;
        continue;
      } else {
        this.p = p;
        const ok =
          c === 0x74
            ? this.literal('true')
            : c === 0x66
              ? this.literal('false')
              : c === 0x6e
                ? this.literal('null')
                : this.number();
        if (!ok) return false;
        p = this.p;
      }
      expect = 'after';
      if (top === 0) break;
    }
    this.p = p;
    return true;
  }

  /**
   * A string at p (which must be a quote); p ends after its closing quote and `escaped` says whether it held an
   * escape. Returns false when it is not a valid JSON string. The hot loop: one table lookup per byte.
   */
  private string(): boolean {
    const { buf, n } = this;
    if (buf[this.p] !== QUOTE) return false;
    let p = this.p + 1;
    let escaped = false;
    for (;;) {
      while (p < n && STRING_PLAIN[buf[p] as number] === 1) p++;
      if (p >= n) return false;
      const b = buf[p] as number;
      if (b === QUOTE) {
        this.p = p + 1;
        this.escaped = escaped;
        return true;
      }
      if (b !== BACKSLASH) return false; // a control character
      escaped = true;
      const e = buf[p + 1];
      if (e === 0x75) {
        for (let i = 2; i < 6; i++) if (!isHex(buf[p + i])) return false;
        p += 6;
      } else if (e !== undefined && ESCAPES[e] === 1) p += 2;
      else return false;
    }
  }

  private literal(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.buf[this.p + i] !== word.charCodeAt(i)) return false;
    this.p += word.length;
    return true;
  }

  /** -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)? */
  private number(): boolean {
    const { buf } = this;
    let p = this.p;
    if (buf[p] === 0x2d) p++;
    if (buf[p] === 0x30) p++;
    else if (isDigit(buf[p])) while (isDigit(buf[p])) p++;
    else return false;
    if (buf[p] === 0x2e) {
      p++;
      if (!isDigit(buf[p])) return false;
      while (isDigit(buf[p])) p++;
    }
    if (buf[p] === 0x65 || buf[p] === 0x45) {
      p++;
      if (buf[p] === 0x2b || buf[p] === 0x2d) p++;
      if (!isDigit(buf[p])) return false;
      while (isDigit(buf[p])) p++;
    }
    this.p = p;
    return true;
  }

  private ws(): void {
    const { buf, n } = this;
    let p = this.p;
    while (p < n) {
      const b = buf[p];
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) break;
      p++;
    }
    this.p = p;
  }

  private guarded(start: number, end: number): boolean {
    for (const g of GUARDED) if (this.equals(start, end, g)) return true;
    return false;
  }

  private equals(start: number, end: number, word: Uint8Array): boolean {
    if (end - start !== word.length) return false;
    for (let i = 0; i < word.length; i++) if (this.buf[start + i] !== word[i]) return false;
    return true;
  }
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

function isHex(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
