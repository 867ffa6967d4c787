import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createCore, fixedState } from '../../src/app.ts';
import type { JsonValue } from '../../src/model/json.ts';
import { MAX_JSON_DEPTH } from '../../src/model/json-depth.ts';
import { parseAwsDate } from '../../src/normalize/dates.ts';
import { normalizeRecord } from '../../src/normalize/normalize.ts';
import { loadRules } from '../../src/rules/load/load.ts';
import { buildIndex } from '../../src/terraform/build-index.ts';
import { parseState } from '../../src/terraform/parse-state.ts';
import { prefilterLogFile } from '../../src/sources/prefilter/log-file.ts';
import { ROOT } from '../helpers/cli.ts';
import { logFileWithDeepPolicy } from '../helpers/hostile.ts';

// Seeded property tests: whatever arrives, each stage returns a result or a located problem — it never throws and
// never hangs. 1,000 cases per target; the seed makes a failure reproducible.
const RUNS = { numRuns: 1000, seed: 20261122 };
const real = JSON.parse(
  readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-put-key-policy.1.json`, 'utf8'),
) as Record<string, JsonValue>;
const rules = loadRules([
  { path: 'rules.yaml', text: readFileSync(`${ROOT}rules/kms_drift_rules.yaml`, 'utf8') },
]).ruleset;
const core = createCore({ ruleset: rules, terraformPrincipals: [] }, fixedState(buildIndex([]).index));

const json: fc.Arbitrary<JsonValue> = fc.jsonValue({ maxDepth: 6 }) as fc.Arbitrary<JsonValue>;
const evilKeys = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'Records',
  'detail',
  'Message',
  'keyId',
  'eventSource',
);

/** Real records with fields replaced by anything: wrong types, nulls, evil keys, huge strings. */
const mutatedRecord = fc
  .record({
    field: fc.constantFrom(...Object.keys(real), 'requestParameters', 'resources', 'responseElements'),
    value: fc.oneof(json, fc.string({ maxLength: 2000 }), fc.constant(null), fc.dictionary(evilKeys, json)),
  })
  .map(({ field, value }) => ({ ...real, [field]: value }) as JsonValue);

describe('bad input never crashes a stage (1,000 cases each)', () => {
  it('payloads of any shape through the whole core', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          json,
          mutatedRecord,
          mutatedRecord.map((r) => ({ Records: [r, r] })),
          mutatedRecord.map((r) => ({ Type: 'Notification', Message: JSON.stringify(r) })),
        ),
        (payload) => {
          const outcome = core.processPayload(payload);
          for (const p of outcome.problems) expect(p.path ?? p.source).toBeDefined();
        },
      ),
      RUNS,
    );
  });

  it('CloudTrail records: an event, a skip, or a problem with a JSON path', () => {
    fc.assert(
      fc.property(mutatedRecord, (record) => {
        const result = normalizeRecord(record as never, 'Records[0]');
        if (result.kind === 'problem') expect(result.problem.path).toMatch(/^Records\[0\]/);
      }),
      RUNS,
    );
  });

  it('tfstate text: a state or a problem, and never a value of a non-KMS resource in a message', () => {
    const secret = 'Pl4nted-S3cret';
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          json.map((v) => JSON.stringify(v)),
          json.map((v) =>
            JSON.stringify({
              version: 4,
              resources: [
                { mode: 'managed', type: 'aws_kms_key', name: 'k', instances: [{ attributes: v }] },
                {
                  mode: 'managed',
                  type: 'aws_db_instance',
                  name: 'd',
                  instances: [{ attributes: { password: secret } }],
                },
              ],
            }),
          ),
        ),
        (text) => {
          const { problems } = parseState(text, 'fuzz.tfstate');
          expect(JSON.stringify(problems)).not.toContain(secret);
        },
      ),
      RUNS,
    );
  });

  it('rule files: loaded or positioned problems, never an exception', () => {
    const fragments = fc.constantFrom(
      '- rule: r\n',
      '  condition: ',
      'evt.name = X',
      ' and ',
      ' or not ',
      '(',
      ')',
      '  output: o\n',
      '  priority: info\n',
      '  desc: d\n',
      '- macro: m\n',
      '- list: l\n  items: [a, b]\n',
      'm',
      ' in (l)',
      '&a [1]',
      '*a',
      '"',
      '\\',
      '\n',
      '  override: {condition: append}\n',
      'json.value[/a',
      ' regex "(a+)+$"',
    );
    fc.assert(
      fc.property(
        fc.array(fragments, { maxLength: 40 }).map((parts) => parts.join('')),
        (text) => {
          const loaded = loadRules([{ path: 'f.yaml', text }]);
          for (const p of loaded.problems) expect(p.line === undefined || p.line >= 1).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('deletionDate strings: an ISO date or nothing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
          fc.constantFrom('Apr 12, 2021 18:58:30 PM', 'Feb 30, 2021, 1:00:00 AM'),
        ),
        (text) => {
          const iso = parseAwsDate(text);
          if (iso !== undefined) expect(Number.isNaN(Date.parse(iso))).toBe(false);
        },
      ),
      RUNS,
    );
  });
});

describe('named hostile inputs', () => {
  it('a 1 MiB string and __proto__ keys in a record; a record nested 10,000 levels is a located problem', () => {
    const huge = {
      ...real,
      userAgent: 'x'.repeat(1 << 20),
      // An own key named __proto__, as JSON.parse makes it (a literal would set the prototype instead).
      requestParameters: {
        ...(real['requestParameters'] as object),
        ...(JSON.parse('{"__proto__": {"polluted": true}}') as object),
      },
    };
    let deep: JsonValue = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const outcome = core.processPayload({ Records: [huge as JsonValue, { ...real, additionalEventData: deep }] });
    expect(outcome.events).toHaveLength(1);
    // The first object past the limit: the record is level 1, additionalEventData level 2, so 63 more.
    expect(outcome.problems).toEqual([
      expect.objectContaining({
        code: 'RECORD_DEPTH',
        path: `Records[1].additionalEventData${'.a'.repeat(MAX_JSON_DEPTH - 1)}`,
      }),
    ]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a PutKeyPolicy whose policy nests 8,000 levels, among 10 good records of a log file (the daemon core)', () => {
    const text = logFileWithDeepPolicy(8000);
    const file = prefilterLogFile(Buffer.from(text));
    expect(file).toBeDefined();
    const outcome = core.processLogFile(file as NonNullable<typeof file>);
    expect(outcome.events).toHaveLength(10);
    expect(outcome.problems).toEqual([
      {
        code: 'RECORD_DEPTH',
        severity: 'error',
        // The policy is level 1, Statement 2, its first statement 3, Condition 4: the first object past the limit.
        path: `Records[5].requestParameters.policy.Statement[0].Condition${'.a'.repeat(MAX_JSON_DEPTH - 3)}`,
        message: `the policy text nests deeper than ${MAX_JSON_DEPTH} levels`,
      },
    ]);
    // The same through a whole-document parse (an object that is not a log file, an SQS body).
    expect(core.processPayload(JSON.parse(text) as JsonValue).problems).toEqual(outcome.problems);
  });

  it('any depth in any field: a record or a problem at the depth limit, never an exception (1,000 cases)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('requestParameters', 'responseElements', 'additionalEventData', 'resources', 'userIdentity'),
        fc.integer({ min: 1, max: 3000 }),
        fc.boolean(),
        (name, depth, arrays) => {
          const nested = arrays
            ? '['.repeat(depth) + ']'.repeat(depth)
            : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
          const record = JSON.parse(JSON.stringify({ ...real, [name]: 'X' }).replace('"X"', nested)) as JsonValue;
          const result = normalizeRecord(record as never, 'Records[0]');
          // The record is level 1, the field's own value level 2.
          if (depth + 1 > MAX_JSON_DEPTH) {
            expect(result).toMatchObject({ kind: 'problem', problem: { code: 'RECORD_DEPTH' } });
          } else if (result.kind === 'problem') {
            expect(result.problem.code).not.toBe('RECORD_DEPTH');
          }
        },
      ),
      RUNS,
    );
  });

  it('a YAML alias bomb and a huge list in a rule file are refused or loaded, quickly and without exhausting memory', () => {
    const bomb = `- list: a\n  items: &a [x, x, x, x, x, x, x, x, x, x]\n- list: b\n  items: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n- list: c\n  items: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n- list: d\n  items: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
    const before = process.memoryUsage().heapUsed;
    const loaded = loadRules([{ path: 'bomb.yaml', text: bomb }]);
    expect(loaded.problems.some((p) => p.code === 'LOAD_ERR_YAML_PARSE' && p.line === 1)).toBe(true);
    const items = Array.from({ length: 100_000 }, (_, i) => `k${i}`).join(', ');
    const big = loadRules([
      {
        path: 'big.yaml',
        text: `- list: many\n  items: [${items}]\n- rule: r\n  desc: d\n  condition: evt.name in (many)\n  output: o\n  priority: info\n`,
      },
    ]);
    expect(big.problems).toEqual([]);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(512 * 1024 * 1024);
  });
});
