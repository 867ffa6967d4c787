import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCore, fixedState, type PayloadOutcome } from '../../src/app.ts';
import type { JsonValue } from '../../src/model/json.ts';
import { loadRules } from '../../src/rules/load/load.ts';
import { readRuleFiles } from '../../src/rules/load/files.ts';
import { KMS_EVENT_NAMES } from '../../src/model/kms-event.ts';
import { READ_ALL, READ_TRACKED, type ReadSet } from '../../src/normalize/read-set.ts';
import { prefilterLogFile } from '../../src/sources/prefilter/log-file.ts';
import { byteReadSet } from '../../src/sources/prefilter/read-set-bytes.ts';
import { scanLogFile } from '../../src/sources/prefilter/scan-log-file.ts';
import { loadStates } from '../../src/terraform/load-states.ts';
import { bytesOf, fixtureFiles, LOG_FILES, reformatted } from './log-files.ts';

// The byte scan skips records without parsing them. These tests prove it never changes what a file produces: every
// real file, re-serialized pretty, with tabs and CRLF, and generated files with escapes, Insight events and envelopes
// in Records, give the same drift logs, problems, events and skip counts as the full parse — whatever the rules read:
// the read set is an input of both paths, and each comparison runs with several. Records that repeat a key cannot be
// generated here (a JsonValue holds each key once): duplicate-keys.test.ts writes them as raw text.

const ruleset = loadRules((await readRuleFiles(['rules'])).files).ruleset;
const falco = loadRules((await readRuleFiles(['fixtures/falco/aws_cloudtrail_rules.yaml'])).files).ruleset;
const state = await loadStates(['examples/terraform.tfstate']);
const READ_SETS: Readonly<Record<string, ReadSet>> = {
  bundled: ruleset.readSet,
  falco: falco.readSet,
  all: READ_ALL,
  nothing: { anySource: new Set(), bySource: new Map() },
  // Every KMS event, some names of any source, one source's names, and a source read whole.
  mixed: {
    anySource: new Set(['StopLogging', 'CreateUser', 'Decrypt', '']),
    bySource: new Map<string, ReadonlySet<string> | 'all'>([
      ['kms', 'all'],
      ['s3', new Set(['PutBucketPolicy', 'ListBuckets'])],
      ['sts', 'all'],
    ]),
  },
  // A source beyond ASCII (a rule's ct.src literal): records then need their source decoded.
  beyondAscii: {
    anySource: new Set(['CreateUsér']),
    bySource: new Map<string, ReadonlySet<string> | 'all'>([['sé', new Set(['Get'])]]),
  },
};
const cores = Object.entries(READ_SETS).map(
  ([name, readSet]) =>
    [name, readSet, createCore({ ruleset, terraformPrincipals: [], readSet }, fixedState(state.index))] as const,
);
const core = createCore({ ruleset, terraformPrincipals: [] }, fixedState(state.index));

/** What a user sees of an outcome: the logs, problems, events and skip counts (zero counts dropped). */
function seen(o: PayloadOutcome): unknown {
  return {
    logs: o.logs.map((l) => l.log),
    problems: o.problems,
    events: o.events,
    skipped: Object.fromEntries(Object.entries(o.skipped).filter(([, n]) => n !== 0)),
    s3Objects: o.s3Objects,
  };
}

/**
 * Both paths on the same bytes (at `path`, as the daemon names S3 objects), with each read set; false when the scan
 * left the file.
 */
function same(bytes: Buffer, path = ''): boolean {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  let scannedAll = true;
  for (const [name, readSet, c] of cores) {
    const scanned = prefilterLogFile(bytes, readSet);
    if (scanned === undefined) {
      scannedAll = false;
      continue;
    }
    expect(seen(c.processLogFile(scanned, path)), `read set ${name}`).toEqual(
      seen(c.processPayload(JSON.parse(text) as JsonValue, path)),
    );
  }
  return scannedAll;
}

// Real records: AWS's KMS samples (as a log file), real mixed-service log files, attack logs of other services.
const KMS_SAMPLES = readdirSync('fixtures/cloudtrail/aws-kms-developer-guide')
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(`fixtures/cloudtrail/aws-kms-developer-guide/${f}`, 'utf8')) as JsonValue);
/** Records of other services: from the real log files, and Stratus Red Team's attack logs (arrays of records). */
const OTHER = [
  ...LOG_FILES.flatMap((f) => (JSON.parse(bytesOf(f).toString('utf8')) as { Records: JsonValue[] }).Records),
  ...fixtureFiles('fixtures/cloudtrail/non-kms').flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as JsonValue[]),
].filter((r) => {
  // CloudTrail records only: the S3/SQS event notifications in some fixtures' Records are envelopes, kept on purpose.
  const o = r as { eventSource?: unknown; eventType?: unknown };
  return (
    typeof o.eventSource === 'string' &&
    o.eventSource !== 'kms.amazonaws.com' &&
    !o.eventSource.startsWith('aws:') &&
    o.eventType !== 'AwsCloudTrailInsight'
  );
});

describe('the byte scan of log files changes no outcome', () => {
  it('finds the real log files among the fixtures', () => {
    expect(LOG_FILES.length).toBeGreaterThanOrEqual(5);
    expect(OTHER.length).toBeGreaterThan(50);
  });

  it.each(LOG_FILES.map((f) => [f]))('%s: as written, pretty-printed, with tabs and CRLF', (file) => {
    const bytes = bytesOf(file);
    const value = JSON.parse(bytes.toString('utf8')) as JsonValue;
    // Some fixtures wrap Records in more than the log file's single key; those are parsed whole, as before.
    const scanned = same(bytes);
    for (const text of reformatted(value)) {
      expect(same(Buffer.from(text))).toBe(scanned);
    }
  });

  it("AWS's KMS samples mixed with other services' records, compact and pretty: every KMS record kept", () => {
    // And a KMS record that names no key: its problem keeps its place in the file, under the object's name.
    const broken = { eventSource: 'kms.amazonaws.com', eventName: 'DisableKey', eventTime: '2026-01-01T00:00:00Z' };
    const mixed = { Records: [...OTHER.slice(0, 40), ...KMS_SAMPLES, broken, ...OTHER.slice(40)] };
    for (const text of [JSON.stringify(mixed), JSON.stringify(mixed, null, 4)]) {
      const bytes = Buffer.from(text);
      expect(same(bytes)).toBe(true);
      expect(same(bytes, 's3://trail/AWSLogs/x.json.gz')).toBe(true);
      const problems = core.processLogFile(
        prefilterLogFile(bytes) ?? { kept: [], skipped: {}, records: 0 },
        's3://t/k',
      );
      expect(problems.problems.map((p) => p.path)).toContain(
        `s3://t/k.Records[${40 + KMS_SAMPLES.length}].requestParameters.keyId`,
      );
      const scanned = prefilterLogFile(bytes, ruleset.readSet);
      // Only the KMS records the bundled rules read (and none of the others) were parsed; the other KMS records are
      // skipped unparsed, counted as normalize counts them.
      const kind = (r: JsonValue): string => {
        const { eventName, eventType, eventSource } = r as {
          eventName?: string;
          eventType?: string;
          eventSource?: string;
        };
        // A sample that is itself a log file ({"Records": […]}) has no eventSource: the parse looks into it.
        if (eventSource === undefined) return 'read';
        if (eventType === 'AwsServiceEvent') return 'kms_service_event';
        return (KMS_EVENT_NAMES as readonly string[]).includes(eventName ?? '') ? 'read' : 'untracked_kms_event';
      };
      const count = (k: string): number => KMS_SAMPLES.filter((r) => kind(r) === k).length;
      expect(count('untracked_kms_event')).toBeGreaterThan(3);
      expect(scanned?.kept.length).toBe(count('read') + 1);
      expect(scanned?.skipped).toEqual({
        other_service: OTHER.length,
        untracked_kms_event: count('untracked_kms_event'),
        kms_service_event: count('kms_service_event'),
      });
      // With every record read, every record is parsed.
      expect(prefilterLogFile(bytes, READ_ALL)?.kept.length).toBe(mixed.Records.length);
    }
  });
});

/** JSON text of `value` with random whitespace between tokens and random \u escapes inside strings. */
function serialize(value: JsonValue, rnd: () => number): string {
  const ws = (): string => [' ', '\n', '\t', '\r\n', '', ''][Math.floor(rnd() * 6)] ?? '';
  const str = (s: string): string =>
    `"${[...s]
      .map((ch) =>
        rnd() < 0.05
          ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
          : (JSON.stringify(ch) as string).slice(1, -1),
      )
      .join('')}"`;
  if (typeof value === 'string') return str(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${ws()}${value.map((v) => serialize(v, rnd)).join(`${ws()},${ws()}`)}${ws()}]`;
  const entries = Object.entries(value).map(([k, v]) => `${str(k)}${ws()}:${ws()}${serialize(v, rnd)}`);
  return `{${ws()}${entries.join(`${ws()},${ws()}`)}${ws()}}`;
}

describe('generated log files (fast-check, seeded)', () => {
  const pool = [...KMS_SAMPLES, ...OTHER];
  const item = fc.oneof(
    fc.constantFrom(...pool),
    // An Insight event; a KMS record whose key is named by id; envelopes in Records.
    fc.constantFrom<JsonValue>(
      { eventVersion: '1.07', eventType: 'AwsCloudTrailInsight', eventSource: 'ec2.amazonaws.com', insightDetails: {} },
      { eventType: 'AwsCloudTrailInsight', insightDetails: { state: 'Start' } },
      {
        eventSource: 'kms.amazonaws.com',
        eventName: 'DisableKey',
        eventTime: '2026-01-01T00:00:00Z',
        eventID: 'by-id',
        requestParameters: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' },
      },
      { eventSource: 'aws:s3', s3: { bucket: { name: 'trail' }, object: { key: 'AWSLogs/x.json.gz' } } },
      { eventSource: 'aws:sqs', body: JSON.stringify({ detail: { eventSource: 'kms.amazonaws.com' } }) },
      { eventSource: 42 },
      { noEventSource: true },
      // eventName: absent, not a string, beyond ASCII, empty, each of two names; a KMS service event.
      { eventSource: 'sts.amazonaws.com', eventTime: '2026-01-01T00:00:00Z' },
      { eventSource: 'iam.amazonaws.com', eventName: 7, eventTime: '2026-01-01T00:00:00Z' },
      { eventSource: 'cloudtrail.amazonaws.com', eventName: '', eventTime: '2026-01-01T00:00:00Z' },
      { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StartLogging', eventTime: '2026-01-01T00:00:00Z' },
      { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', eventTime: '2026-01-01T00:00:00Z' },
      { eventSource: 'iam.amazonaws.com', eventName: 'CreateUsér', eventTime: '2026-01-01T00:00:00Z' },
      { eventSource: 'kms', eventName: 'Decrypt', eventTime: '2026-01-01T00:00:00Z' },
      { eventSource: 'sé.amazonaws.com', eventName: 'Get', eventTime: '2026-01-01T00:00:00Z' },
      { eventSource: 'sé', eventName: 'Put', eventTime: '2026-01-01T00:00:00Z' },
      { eventSource: 'kms.amazonaws.com', eventName: 'DisableKey', eventType: 'AwsServiceEvent', eventTime: 'x' },
      { eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', eventTime: 'not a time' },
      [],
      'not a record',
      null,
    ),
  );
  it('the scan and the full parse agree on 300 generated files', () => {
    let scanned = 0;
    fc.assert(
      fc.property(fc.array(item, { maxLength: 30 }), fc.integer(), (records, seed) => {
        let x = seed | 0 || 1;
        const rnd = (): number => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          return (x >>> 0) / 0x100000000;
        };
        // The top-level key stays plain: an escaped "Records" is left to the full parse, which is not what is tested.
        const bytes = Buffer.from(`{"Records":${serialize(records, rnd)}}`);
        if (same(bytes)) scanned++;
      }),
      { numRuns: 300, seed: 20261122 },
    );
    expect(scanned).toBe(300);
  });
});

describe('the byte scan reads what the read set names, by eventSource and eventName', () => {
  const file = (records: readonly JsonValue[]): Buffer => Buffer.from(JSON.stringify({ Records: records }));
  const rec = (eventSource: string, eventName: string, eventType?: string): JsonValue => ({
    eventSource,
    eventName,
    eventTime: '2026-01-01T00:00:00Z',
    ...(eventType === undefined ? {} : { eventType }),
  });
  const records = [
    rec('kms.amazonaws.com', 'DisableKey'),
    rec('kms.amazonaws.com', 'Decrypt'),
    rec('kms.amazonaws.com', 'DeleteKey', 'AwsServiceEvent'),
    rec('cloudtrail.amazonaws.com', 'StopLogging'),
    rec('ecs.amazonaws.com', 'RunTask'),
    rec('ec2.amazonaws.com', 'RunTask'),
    rec('iam.amazonaws.com', 'CreateUser'),
  ];
  const kept = (readSet: ReadSet): number[] => prefilterLogFile(file(records), readSet)?.kept.map((k) => k.index) ?? [];

  it('the bundled rules read the tracked KMS events only, and skip the rest as normalize would', () => {
    expect(kept(READ_TRACKED)).toEqual([0]);
    expect(prefilterLogFile(file(records), READ_TRACKED)?.skipped).toEqual({
      untracked_kms_event: 1,
      kms_service_event: 1,
      other_service: 4,
    });
  });

  it("Falco's rules read the events they name, from any source or from the one they name", () => {
    // StopLogging and CreateUser from any source; RunTask from ecs only (ct.src="ecs.amazonaws.com").
    expect(kept(falco.readSet)).toEqual([3, 4, 6]);
  });

  it('a source read whole, and every record', () => {
    expect(kept({ anySource: new Set(), bySource: new Map([['kms', 'all']]) })).toEqual([0, 1, 2]);
    expect(kept(READ_ALL)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('compiles each read set once', () => {
    expect(byteReadSet(falco.readSet)).toBe(byteReadSet(falco.readSet));
  });
});

describe('scanLogFile refuses what JSON.parse refuses, and shapes that are not a log file', () => {
  const ok = '{"Records":[{"eventSource":"s3.amazonaws.com","n":1}]}';
  it('accepts a log file, a BOM and surrounding whitespace', () => {
    expect(scanLogFile(Buffer.from(ok), byteReadSet(READ_TRACKED))).toHaveLength(1);
    expect(scanLogFile(Buffer.from(`\uFEFF \n${ok}\n`), byteReadSet(READ_TRACKED))).toHaveLength(1);
  });
  it.each([
    ['truncated', ok.slice(0, -3)],
    ['a bad literal in a skipped record', ok.replace('"n":1', '"n":tru')],
    ['a bad escape', ok.replace('s3.amazonaws', 's3\\x.amazonaws')],
    ['a short \\u escape', ok.replace('s3.amazonaws', 's3\\u00.amazonaws')],
    ['a raw control character in a string', ok.replace('s3.amazonaws', 's3\u0001amazonaws')],
    ['a missing comma', ok.replace(',"n"', '"n"')],
    ['a leading zero', ok.replace('"n":1', '"n":01')],
    ['trailing garbage', `${ok}x`],
    ['a trailing comma', ok.replace(']}', ',]}')],
    ['another top-level key', ok.replace('{"Records"', '{"x":1,"Records"')],
    ['a single record', '{"eventSource":"kms.amazonaws.com"}'],
    ['deep nesting', `{"Records":[{"a":${'['.repeat(300)}${']'.repeat(300)}}]}`],
  ])('%s → left to the full parse', (_name, text) => {
    expect(scanLogFile(Buffer.from(text), byteReadSet(READ_ALL))).toBeUndefined();
  });
});
