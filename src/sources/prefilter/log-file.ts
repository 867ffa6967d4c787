import type { JsonValue } from '../../model/json.ts';
import type { SkipReason } from '../../model/problem.ts';
import { scanLogFileFast } from './fast-scan.ts';

/** A CloudTrail log file after the byte scan: the records that may be KMS records, parsed, and what was skipped. */
export interface ScannedLogFile {
  /** Each kept record with its index in the file's Records, so paths stay `Records[i]`. */
  readonly kept: readonly { readonly index: number; readonly value: JsonValue }[];
  /** Records skipped without a parse, counted by the reason normalize would have given. */
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  readonly records: number;
}

/** undefined when the bytes are not a valid `{"Records": [...]}` document: then the file is parsed whole, as before. */
export function prefilterLogFile(bytes: Buffer): ScannedLogFile | undefined {
  // The WebAssembly scanner (fast-scan.ts) gives scanLogFile's answer; without WebAssembly, scanLogFile gives it.
  const scanned = scanLogFileFast(bytes);
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
