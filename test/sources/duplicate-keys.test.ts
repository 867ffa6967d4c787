import { describe, expect, it } from 'vitest';
import { createCore, fixedState, type PayloadOutcome } from '../../src/app.ts';
import type { JsonValue } from '../../src/model/json.ts';
import { READ_TRACKED } from '../../src/normalize/read-set.ts';
import { prefilterLogFile, type ScannedLogFile } from '../../src/sources/prefilter/log-file.ts';
import { byteReadSet } from '../../src/sources/prefilter/read-set-bytes.ts';
import { scanLogFile } from '../../src/sources/prefilter/scan-log-file.ts';
import { LogFileStreamScanner } from '../../src/sources/prefilter/scan-stream.ts';
import { loadRules } from '../../src/rules/load/load.ts';
import { readRuleFiles } from '../../src/rules/load/files.ts';
import { loadStates } from '../../src/terraform/load-states.ts';

// A record may repeat a key: JSON allows it and JSON.parse keeps the last occurrence (ECMAScript's JSON.parse,
// InternalizeJSONProperty: a later CreateDataProperty overwrites). The byte scans decide from eventSource, eventName
// and eventType whether to parse a record, so they must read the occurrence JSON.parse keeps, or a real KMS record
// would be skipped unparsed. These files are written as raw text: building them with JSON.parse or JSON.stringify
// would merge the duplicates before any scanner saw them.

const ruleset = loadRules((await readRuleFiles(['rules'])).files).ruleset;
const state = await loadStates(['examples/terraform.tfstate']);
const core = createCore({ ruleset, terraformPrincipals: [] }, fixedState(state.index));

const KEY = '"requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}';
const TIME = '"eventTime":"2026-01-01T00:00:00Z","awsRegion":"us-west-2","recipientAccountId":"111122223333"';
const KMS = '"eventSource":"kms.amazonaws.com"';
const S3 = '"eventSource":"s3.amazonaws.com"';
/** One real record of another service around each case, so indexes and counts are checked in a file, not alone. */
const AROUND = `{${S3},"eventName":"ListBuckets",${TIME},"eventID":"around"}`;

type Skip = Partial<Record<'other_service' | 'untracked_kms_event' | 'kms_service_event', number>>;

// Each case: the record's raw text and what JSON.parse makes of it, written from the last-wins rule above.
const CASES: readonly [name: string, record: string, kept: number, skipped: Skip][] = [
  ['eventSource: another service first, KMS last', `{${S3},"eventName":"DisableKey",${KMS},${TIME},${KEY}}`, 1, {}],
  ['eventSource: KMS first, another service last', `{${KMS},"eventName":"DisableKey",${S3},${TIME},${KEY}}`, 0, {}],
  [
    'eventSource three times: KMS, another, KMS',
    `{${KMS},${S3},"eventName":"DisableKey",${KMS},${TIME},${KEY}}`,
    1,
    {},
  ],
  [
    'eventSource: KMS, then another service under an escaped key',
    `{${KMS},"eventName":"DisableKey","event\\u0053ource":"s3.amazonaws.com",${TIME},${KEY}}`,
    0,
    {},
  ],
  [
    'eventSource: another service, then KMS under an escaped key',
    `{${S3},"eventName":"DisableKey","event\\u0053ource":"kms.amazonaws.com",${TIME},${KEY}}`,
    1,
    {},
  ],
  [
    'eventName: untracked first, tracked last',
    `{${KMS},"eventName":"Decrypt","eventName":"DisableKey",${TIME},${KEY}}`,
    1,
    {},
  ],
  [
    'eventName: tracked first, untracked last',
    `{${KMS},"eventName":"DisableKey","eventName":"Decrypt",${TIME},${KEY}}`,
    0,
    { untracked_kms_event: 1 },
  ],
  // eventType only names the reason a KMS event no rule reads is skipped: a KMS service event, or an untracked call.
  [
    'eventType: a service event first, an API call last',
    `{${KMS},"eventType":"AwsServiceEvent","eventName":"Decrypt","eventType":"AwsApiCall",${TIME},${KEY}}`,
    0,
    { untracked_kms_event: 1 },
  ],
  [
    'eventType: an API call first, a service event last',
    `{${KMS},"eventType":"AwsApiCall","eventName":"Decrypt","eventType":"AwsServiceEvent",${TIME},${KEY}}`,
    0,
    { kms_service_event: 1 },
  ],
  [
    'a nested object repeats eventSource: only the top level counts',
    `{${KMS},"eventName":"DisableKey",${TIME},"requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab",${S3},${S3}}}`,
    1,
    {},
  ],
];

function fromRecords(bytes: Buffer, scanned: ReturnType<typeof scanLogFile>): ScannedLogFile | undefined {
  if (scanned === undefined) return undefined;
  const kept: { index: number; value: JsonValue }[] = [];
  const skipped: Skip = {};
  scanned.forEach((r, index) => {
    if (r.skip === undefined)
      kept.push({ index, value: JSON.parse(bytes.toString('utf8', r.start, r.end)) as JsonValue });
    else skipped[r.skip as keyof Skip] = (skipped[r.skip as keyof Skip] ?? 0) + 1;
  });
  return { kept, skipped, records: scanned.length };
}

function streamed(bytes: Buffer, size: number): ScannedLogFile | undefined {
  const scanner = new LogFileStreamScanner(1024 * 1024, READ_TRACKED);
  for (let at = 0; at < bytes.length; at += size) if (!scanner.push(bytes.subarray(at, at + size))) return undefined;
  if (!scanner.end()) return undefined;
  return {
    kept: scanner.kept.map((k) => ({ index: k.index, value: JSON.parse(k.text) as JsonValue })),
    skipped: scanner.skipped,
    records: scanner.records,
  };
}

/** What a user sees of an outcome. */
const seen = (o: PayloadOutcome): unknown => ({
  logs: o.logs.map((l) => l.log),
  problems: o.problems,
  events: o.events,
  skipped: Object.fromEntries(Object.entries(o.skipped).filter(([, n]) => n !== 0)),
});

describe('records that repeat a key, written as raw text: every scan reads the occurrence JSON.parse keeps', () => {
  it.each(CASES)('%s', (_name, record, kept, skipped) => {
    const bytes = Buffer.from(`{"Records":[${AROUND},${record},${AROUND}]}`);
    const expectedSkips = { ...skipped, other_service: 2 + (kept === 0 && Object.keys(skipped).length === 0 ? 1 : 0) };
    const full = core.processPayload(JSON.parse(bytes.toString('utf8')) as JsonValue, '');
    // The oracle, checked against the expectation: the full parse sees the record as described.
    expect(full.events).toHaveLength(kept);
    expect(Object.fromEntries(Object.entries(full.skipped).filter(([, n]) => n !== 0))).toEqual(expectedSkips);
    const scans: Record<string, ScannedLogFile | undefined> = {
      webassembly: prefilterLogFile(bytes),
      javascript: fromRecords(bytes, scanLogFile(bytes, byteReadSet(READ_TRACKED))),
      ...Object.fromEntries([1, 3, 17].map((size) => [`stream, ${size}-byte chunks`, streamed(bytes, size)])),
    };
    for (const [scanner, scanned] of Object.entries(scans)) {
      expect(scanned, scanner).toBeDefined();
      if (scanned === undefined) continue;
      // A record the full parse reads is never skipped unparsed; one under an escaped key may be left to the parse.
      if (kept === 1)
        expect(
          scanned.kept.map((k) => k.index),
          scanner,
        ).toContain(1);
      expect(seen(core.processLogFile(scanned, '')), scanner).toEqual(seen(full));
    }
  });
});
