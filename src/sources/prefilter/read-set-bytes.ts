// The read set (normalize/read-set.ts) asked of a record's raw bytes, so the byte scan decodes nothing for most
// records: a source is compared byte for byte with the eventSources that file under a read short source, and the
// eventName is decoded only when the source leaves it to decide. Same answers as `notReadReason` on the parsed
// record, by construction: shortSource(src) = k exactly when src is `k.amazonaws.com`, or k itself when
// shortSource(k) = k.
import { KMS_EVENT_SOURCE } from '../../model/kms-event.ts';
import { shortSource, type ReadSet } from '../../normalize/read-set.ts';

export interface ByteReadSet {
  /** Every record is read. */
  readonly all: boolean;
  /**
   * Every source pattern is ASCII: then a source beyond ASCII matches none, exactly as its decoded text would not
   * (a pattern beyond ASCII needs the source decoded as the parse decodes it, so such a record goes to the parse).
   */
  readonly asciiSources: boolean;
  readonly anyNames: ReadonlySet<string>;
  /** Full eventSource bytes → the names read from that source. */
  readonly sources: readonly { readonly bytes: Uint8Array; readonly names: ReadonlySet<string> | 'all' }[];
}

const KMS = bytes(KMS_EVENT_SOURCE);
const SERVICE_EVENT = bytes('AwsServiceEvent');

/** A record the scan skips is counted under the reason normalize would give it. */
export type NotRead = 'other_service' | 'untracked_kms_event' | 'kms_service_event';

const compiled = new WeakMap<ReadSet, ByteReadSet>();

/** The read set compiled for the scan, once per set. */
export function byteReadSet(set: ReadSet): ByteReadSet {
  let out = compiled.get(set);
  if (out === undefined) {
    out = compile(set);
    compiled.set(set, out);
  }
  return out;
}

function compile(set: ReadSet): ByteReadSet {
  if (set.anySource === 'all') return { all: true, asciiSources: true, anyNames: new Set(), sources: [] };
  const sources: { bytes: Uint8Array; names: ReadonlySet<string> | 'all' }[] = [];
  for (const [short, names] of set.bySource) {
    sources.push({ bytes: bytes(`${short}.amazonaws.com`), names });
    if (shortSource(short) === short) sources.push({ bytes: bytes(short), names });
  }
  const asciiSources = sources.every((s) => isAscii(s.bytes, 0, s.bytes.length));
  return { all: false, asciiSources, anyNames: set.anySource, sources };
}

/** The record must be parsed to decide: a value beyond ASCII the read set needs as text. */
export const PARSE = 'parse';

/**
 * Why the record is not read, undefined when it is, or PARSE when only its parse can tell. The spans are [start, end)
 * of the unescaped string values (start -1: absent). Only the bytes needed are looked at: with the bundled rules, a
 * record of another service costs a length comparison or two.
 */
export function notReadBytes(
  set: ByteReadSet,
  buf: Uint8Array,
  source0: number,
  source1: number,
  type0: number,
  type1: number,
  name0: number,
  name1: number,
): NotRead | typeof PARSE | undefined {
  if (set.all) return undefined;
  if (!set.asciiSources && !isAscii(buf, source0, source1)) return PARSE;
  let names: ReadonlySet<string> | 'all' | undefined;
  for (const s of set.sources) {
    if (equals(buf, source0, source1, s.bytes)) {
      names = s.names;
      break;
    }
  }
  if (names === 'all') return undefined;
  if (name0 >= 0 && (names !== undefined || set.anyNames.size > 0)) {
    if (!isAscii(buf, name0, name1)) return PARSE;
    const name = ascii(buf, name0, name1);
    if (set.anyNames.has(name) || names?.has(name) === true) return undefined;
  }
  if (!equals(buf, source0, source1, KMS)) return 'other_service';
  return type0 >= 0 && equals(buf, type0, type1, SERVICE_EVENT) ? 'kms_service_event' : 'untracked_kms_event';
}

/** The span has only ASCII bytes (then its text is its bytes). */
export function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((buf[i] as number) >= 0x80) return false;
  return true;
}

function ascii(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i] as number);
  return s;
}

function equals(buf: Uint8Array, start: number, end: number, w: Uint8Array): boolean {
  if (end - start !== w.length) return false;
  for (let i = 0; i < w.length; i++) if (buf[start + i] !== w[i]) return false;
  return true;
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
