import type { JsonValue } from '../../model/json.ts';
import type { SkipReason } from '../../model/problem.ts';
import { scanLogFileFast } from './fast-scan.ts';
import { READ_TRACKED, type ReadSet } from '../../normalize/read-set.ts';
import { byteReadSet } from './read-set-bytes.ts';

/** A CloudTrail log file after the byte scan: the records the rules may read, parsed, and what was skipped. */
export interface ScannedLogFile {
  /** Each kept record with its index in the file's Records, so paths stay `Records[i]`. */
  readonly kept: readonly { readonly index: number; readonly value: JsonValue }[];
  /** Records skipped without a parse, counted by the reason normalize would have given. */
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  readonly records: number;
}

/**
 * undefined when the bytes are not a valid `{"Records": [...]}` document: then the file is parsed whole, as before.
 * `reads`: the records the rules read (Core.readSet); the default is the bundled rules' (READ_TRACKED).
 */
export function prefilterLogFile(bytes: Buffer, reads: ReadSet = READ_TRACKED): ScannedLogFile | undefined {
  // The WebAssembly scanner (fast-scan.ts) gives scanLogFile's answer; without WebAssembly, scanLogFile gives it.
  const scanned = scanLogFileFast(bytes, byteReadSet(reads));
  if (scanned === undefined) return undefined;
  const kept: { index: number; value: JsonValue }[] = [];
  const skipped: Partial<Record<SkipReason, number>> = {};
  scanned.forEach((r, index) => {
    if (r.skip === undefined)
      kept.push({ index, value: JSON.parse(bytes.toString('utf8', r.start, r.end)) as JsonValue });
    else skipped[r.skip] = (skipped[r.skip] ?? 0) + 1;
  });
  return { kept, skipped, records: scanned.length };
}
