// The fixtures' CloudTrail log files, for the equivalence tests of the scans (prefilter, fast-scan, scan-stream):
// each compares a scan with the full parse on the same files, so they read them one way.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { JsonValue } from '../../src/model/json.ts';

/** Every `.json` and `.gz` file under `dir`. */
export function fixtureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? fixtureFiles(path) : /\.(json|gz)$/.test(name) ? [path] : [];
  });
}

/** A file's bytes, gunzipped when it is gzip. */
export function bytesOf(path: string): Buffer {
  const raw = readFileSync(path);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

/** The fixture files whose value has a `Records` array: the log files CloudTrail writes (and some wrapped more). */
export const LOG_FILES: readonly string[] = fixtureFiles('fixtures').filter((f) => {
  try {
    return Array.isArray((JSON.parse(bytesOf(f).toString('utf8')) as { Records?: unknown }).Records);
  } catch {
    return false;
  }
});

/** `value` written three other ways a scan must read alike: pretty-printed, with tabs, and with CRLF line ends. */
export function reformatted(value: JsonValue): string[] {
  return [
    JSON.stringify(value, null, 2),
    JSON.stringify(value, null, '\t'),
    JSON.stringify(value, null, 1).replaceAll('\n', '\r\n'),
  ];
}
