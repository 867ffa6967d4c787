import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DriftFinding } from '../../../src/model/finding.ts';
import type { JsonObject } from '../../../src/model/json.ts';
import { formatProblem } from '../../../src/model/problem.ts';
import { loadRules } from '../../../src/rules/load/load.ts';
import { evaluateAll, type Ruleset } from '../../../src/rules/load/ruleset.ts';
import { asUser, finding, record } from './finding.ts';

// An event filed under a service and a name is tested without the conjuncts its bucket already decides
// (`evt.name = …`, `ct.name in (…)`, `ct.shortsrc = …`, `cloud.service = …`). An event the index cannot file so —
// its record names another event or service than the event does — must still have those conjuncts tested.

const rule = (name: string, condition: string): string =>
  `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: "${name}"\n  priority: warning\n`;

function load(text: string): Ruleset {
  const { ruleset, problems } = loadRules([{ path: 'bucket.yaml', text }]);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map(formatProblem).join('\n'));
  return ruleset;
}

const names = (ruleset: Ruleset, subject: DriftFinding): string[] => ruleset.evaluate(subject).map((m) => m.rule);

const disableKey = record('ct-disablekey.1');
/** The DisableKey record under an event that calls itself EnableKey: the index cannot use the name. */
const renamed = (rec: JsonObject): DriftFinding => {
  const f = finding(rec);
  return { ...f, event: { ...f.event, name: 'EnableKey' } };
};
/** The DisableKey record, by Bob, with another eventSource than its event's: the index cannot use the service. */
const otherSource = (source: string): DriftFinding => {
  const rec = asUser(disableKey, 'Bob');
  const f = finding(rec);
  return { ...f, event: { ...f.event, record: { ...rec, eventSource: source } } };
};

describe('conjuncts decided by the index', () => {
  const ruleset = load(
    [
      rule('evt_name_only', 'evt.name = DisableKey'),
      rule('ct_name_only', 'ct.name = DisableKey'),
      rule('name_and_service', 'evt.name in (DisableKey, EnableKey) and cloud.service = kms'),
      rule('shortsrc', 'ct.shortsrc = kms and ct.name in (DisableKey)'),
      rule('by_alice', 'evt.name = DisableKey and cloud.service = kms and user = Alice'),
      rule('ct_src', 'ct.src = kms.amazonaws.com and evt.name = DisableKey'),
      rule('under_or', '(evt.name = EnableKey or user = Alice) and ct.name = DisableKey'),
      rule('under_not', 'not evt.name = EnableKey and cloud.service = kms'),
      rule('or_name', 'evt.name = DisableKey or user = Bob'),
    ].join(''),
  );

  it('are true in their bucket: a filed event matches as the full condition says', () => {
    const subject = finding(asUser(disableKey, 'Alice'));
    expect(names(ruleset, subject)).toEqual([
      'evt_name_only',
      'ct_name_only',
      'name_and_service',
      'shortsrc',
      'by_alice',
      'ct_src',
      'under_or',
      'under_not',
      'or_name',
    ]);
    expect(names(ruleset, subject)).toEqual(
      evaluateAll(ruleset.rules, { ...subject, context: { num: 1 } }).map((m) => m.rule),
    );
    // The conjunct the bucket does not decide is still tested.
    expect(names(ruleset, finding(asUser(disableKey, 'Bob')))).not.toContain('by_alice');
    expect(names(ruleset, finding(asUser(disableKey, 'Bob')))).not.toContain('under_or');
  });

  it('are tested when the record names another event than the event does', () => {
    // evt.name reads the event (EnableKey), ct.name the record (DisableKey).
    expect(names(ruleset, renamed(asUser(disableKey, 'Alice')))).toEqual([
      'ct_name_only',
      'name_and_service',
      'shortsrc',
      'under_or',
    ]);
  });

  it('are tested when the record names another service than the event does', () => {
    // cloud.service and ct.shortsrc read the record's eventSource.
    expect(names(ruleset, otherSource('s3.amazonaws.com'))).toEqual(['evt_name_only', 'ct_name_only', 'or_name']);
    // ct.src is never left out: a source written `kms` is filed as kms too, and is not kms.amazonaws.com.
    const shortWritten = finding({ ...disableKey, eventSource: 'kms' });
    expect(names(ruleset, shortWritten)).toContain('evt_name_only');
    expect(names(ruleset, shortWritten)).not.toContain('ct_src');
  });
});

describe('indexed evaluation with the decided conjuncts left out', () => {
  const NAMES = ['DisableKey', 'EnableKey', 'PutKeyPolicy'] as const;
  const SOURCES = ['kms', 's3', 'kms.amazonaws.com', 's3.amazonaws.com'] as const;
  const USERS = ['Alice', 'Bob'] as const;
  const atom = fc.oneof(
    fc.constantFrom('evt.name', 'ct.name').chain((f) =>
      fc.oneof(
        fc.constantFrom(...NAMES).map((n) => `${f} = ${n}`),
        fc.subarray([...NAMES], { minLength: 1 }).map((ns) => `${f} in (${ns.join(', ')})`),
      ),
    ),
    fc
      .constantFrom('ct.shortsrc', 'cloud.service')
      .chain((f) => fc.constantFrom('kms', 's3').map((s) => `${f} = ${s}`)),
    fc.constantFrom('kms.amazonaws.com', 's3.amazonaws.com').map((s) => `ct.src = ${s}`),
    fc.constantFrom(...USERS).map((u) => `user = ${u}`),
  );
  const condition: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atom,
      fc.array(tie('expr'), { minLength: 2, maxLength: 4 }).map((cs) => `(${cs.join(' and ')})`),
      fc.array(tie('expr'), { minLength: 2, maxLength: 3 }).map((cs) => `(${cs.join(' or ')})`),
      tie('expr').map((c) => `not ${c}`),
    ),
  })).expr;
  const subject = fc.record({
    recordName: fc.constantFrom(...NAMES),
    eventName: fc.constantFrom(...NAMES),
    recordSource: fc.constantFrom(...SOURCES),
    eventSource: fc.constantFrom(...SOURCES),
    user: fc.constantFrom(...USERS),
  });

  it('matches what testing every full condition in load order matches', () => {
    fc.assert(
      fc.property(
        fc.array(condition, { minLength: 1, maxLength: 12 }),
        fc.array(subject, { maxLength: 8 }),
        (conds, subjects) => {
          const ruleset = load(conds.map((c, i) => rule(`r${i}`, c)).join(''));
          subjects.forEach((s, i) => {
            const rec = asUser({ ...disableKey, eventName: s.recordName, eventSource: s.recordSource }, s.user);
            const f = finding(rec);
            const subj: DriftFinding = { ...f, event: { ...f.event, name: s.eventName, eventSource: s.eventSource } };
            const expected = evaluateAll(ruleset.rules, { ...subj, context: { num: i + 1 } }).map((m) => m.rule);
            expect(ruleset.evaluate(subj).map((m) => m.rule)).toEqual(expected);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
