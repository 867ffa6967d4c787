import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCore, fixedState, type PayloadOutcome } from '../../src/app.ts';
import type { JsonValue } from '../../src/model/json.ts';
import { loadRules } from '../../src/rules/load/load.ts';
import { readRuleFiles } from '../../src/rules/load/files.ts';
import { prefilterLogFile } from '../../src/sources/prefilter/log-file.ts';
import { scanLogFile } from '../../src/sources/prefilter/scan-log-file.ts';
import { loadStates } from '../../src/terraform/load-states.ts';

// The byte scan skips records without parsing them. These tests prove it never changes what a file produces: every
// real file, re-serialized pretty, with tabs and CRLF, and generated files with escapes, duplicate keys, Insight
// events and envelopes in Records, give the same drift logs, problems, events and skip counts as the full parse.

const ruleset = loadRules((await readRuleFiles(['rules'])).files).ruleset;
const state = await loadStates(['examples/terraform.tfstate']);
const core = createCore({ ruleset, terraformPrincipals: [] }, fixedState(state.index));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(json|gz)$/.test(name) ? [path] : [];
  });
}
const bytesOf = (path: string): Buffer => {
  const raw = readFileSync(path);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
};

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

/** Both paths on the same bytes (at `path`, as the daemon names S3 objects); false when the scan left the file. */
function same(bytes: Buffer, path = ''): boolean {
  const scanned = prefilterLogFile(bytes);
  if (scanned === undefined) return false;
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  expect(seen(core.processLogFile(scanned, path))).toEqual(
    seen(core.processPayload(JSON.parse(text) as JsonValue, path)),
  );
  return true;
}

// Real records: AWS's KMS samples (as a log file), real mixed-service log files, attack logs of other services.
const KMS_SAMPLES = readdirSync('fixtures/cloudtrail/aws-kms-developer-guide')
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(`fixtures/cloudtrail/aws-kms-developer-guide/${f}`, 'utf8')) as JsonValue);
const LOG_FILES = files('fixtures').filter((f) => {
  try {
    const v = JSON.parse(bytesOf(f).toString('utf8')) as { Records?: unknown };
    return Array.isArray(v.Records);
  } catch {
    return false;
  }
});
/** Records of other services: from the real log files, and Stratus Red Team's attack logs (arrays of records). */
const OTHER = [
  ...LOG_FILES.flatMap((f) => (JSON.parse(bytesOf(f).toString('utf8')) as { Records: JsonValue[] }).Records),
  ...files('fixtures/cloudtrail/non-kms').flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as JsonValue[]),
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
    for (const text of [
      JSON.stringify(value, null, 2),
      JSON.stringify(value, null, '\t'),
      JSON.stringify(value, null, 1).replaceAll('\n', '\r\n'),
    ]) {
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
      const scanned = prefilterLogFile(bytes);
      // Only KMS records (and none of the others) were parsed.
      expect(scanned?.kept.length).toBe(KMS_SAMPLES.length + 1);
      expect(scanned?.skipped).toEqual({ other_service: OTHER.length });
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
    // An Insight event; a record whose eventSource appears twice (JSON.parse keeps the last); envelopes in Records.
    fc.constantFrom<JsonValue>(
      { eventVersion: '1.07', eventType: 'AwsCloudTrailInsight', eventSource: 'ec2.amazonaws.com', insightDetails: {} },
      { eventType: 'AwsCloudTrailInsight', insightDetails: { state: 'Start' } },
      JSON.parse(
        '{"eventSource":"s3.amazonaws.com","eventName":"DisableKey","eventSource":"kms.amazonaws.com","eventTime":"2026-01-01T00:00:00Z","eventID":"dup","requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}}',
      ) as JsonValue,
      { eventSource: 'aws:s3', s3: { bucket: { name: 'trail' }, object: { key: 'AWSLogs/x.json.gz' } } },
      { eventSource: 'aws:sqs', body: JSON.stringify({ detail: { eventSource: 'kms.amazonaws.com' } }) },
      { eventSource: 42 },
      { noEventSource: true },
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

describe('scanLogFile refuses what JSON.parse refuses, and shapes that are not a log file', () => {
  const ok = '{"Records":[{"eventSource":"s3.amazonaws.com","n":1}]}';
  it('accepts a log file, a BOM and surrounding whitespace', () => {
    expect(scanLogFile(Buffer.from(ok))).toHaveLength(1);
    expect(scanLogFile(Buffer.from(`\uFEFF \n${ok}\n`))).toHaveLength(1);
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
    expect(scanLogFile(Buffer.from(text))).toBeUndefined();
  });
});
