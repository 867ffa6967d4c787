import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DriftFinding, DriftType } from '../../../src/model/finding.ts';
import { isJsonObject, type JsonObject } from '../../../src/model/json.ts';
import { KMS_EVENT_NAMES } from '../../../src/model/kms-event.ts';
import { formatProblem } from '../../../src/model/problem.ts';
import { loadRules } from '../../../src/rules/load/load.ts';
import { evaluateAll } from '../../../src/rules/load/ruleset.ts';
import { compatFile } from '../compat-file.ts';
import { asUser, finding, FIXTURES } from './finding.ts';

// The second index level (rules filed by the value of `user`, `drift.type`, `ct.region`…) must never drop a rule
// that could match: on every ruleset we ship or document and on every fixture record, the indexed evaluation gives
// exactly what testing every rule in load order gives.

type RuleFile = { path: string; text: string };
const GUIDE_DIR = `${FIXTURES}cloudtrail/aws-kms-developer-guide/`;

/** Every tracked-event record of the fixtures, as findings with several callers, drift types and regions. */
function subjects(): DriftFinding[] {
  const records: JsonObject[] = [];
  for (const name of readdirSync(GUIDE_DIR).filter((n) => n.endsWith('.json'))) {
    const value: unknown = JSON.parse(readFileSync(`${GUIDE_DIR}${name}`, 'utf8'));
    if (isJsonObject(value) && (KMS_EVENT_NAMES as readonly unknown[]).includes(value['eventName'])) {
      records.push(value);
    }
  }
  const out: DriftFinding[] = [];
  const driftTypes: DriftType[] = ['modified', 'deleted', 'unmanaged'];
  for (const rec of records) {
    const { userIdentity: _dropped, ...anonymous } = rec;
    const variants = [
      rec,
      anonymous,
      { ...rec, awsRegion: 'eu-west-1' },
      ...['Alice', 'alice', 'Bob', 'Terraform', 'user-3', 'user-999'].map((u) => asUser(rec, u)),
    ];
    for (const v of variants) for (const driftType of driftTypes) out.push(finding(v, { driftType }));
  }
  return out;
}

const SUBJECTS = subjects();
const file = (path: string): RuleFile => ({ path, text: readFileSync(`${FIXTURES}../${path}`, 'utf8') });
const guideBlocks = [
  ...readFileSync(`${FIXTURES}../docs/rules-guide.md`, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g),
].map((m, i): RuleFile => ({ path: `guide-${i + 1}.yaml`, text: m[1] ?? '' }));

/** Rules shaped like the bench's, on several users, events and drift types. */
function generated(n: number): string {
  const events = ['DisableKey', 'EnableKey', 'PutKeyPolicy', 'ScheduleKeyDeletion', 'CreateAlias', 'TagResource'];
  let text = '';
  for (let i = 0; i < n; i++) {
    const event = events[i % events.length] ?? 'DisableKey';
    text += `- rule: generated_${i}\n  desc: g\n  condition: evt.name = ${event} and user = "user-${i}" and drift.type = modified\n  output: "g ${i}"\n  priority: notice\n`;
  }
  return text;
}

const rule = (name: string, condition: string, extra = ''): string =>
  `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: "${name} %user"\n  priority: warning\n${extra}`;

/** Shapes around the indexed fields: lists, macros, exceptions, transformers, overrides, disabled rules. */
const SHAPES = [
  '- list: people\n  items: [Alice, Bob, "user-3"]\n',
  '- macro: by_people\n  condition: user in (people)\n',
  rule('in_list', 'by_people and drift.type = modified'),
  rule('eq_alice', 'user = Alice'),
  rule('eq_lower', 'user = alice'),
  rule('lower_transform', 'tolower(user) = alice'),
  rule('two_on_user', 'user in (Alice, Bob) and user = Bob'),
  rule('contradiction', 'user = Alice and user = Bob'),
  rule('ne_user', 'user != Alice and drift.type in (modified, deleted)'),
  rule('or_user', 'user = Alice or drift.type = deleted'),
  rule('not_user', 'not user = Bob and ct.region = us-east-1'),
  rule('region', 'ct.region in (us-east-1, us-west-2) and cloud.region exists'),
  rule('nested_and', '(user = "user-3" and (drift.type = unmanaged and evt.name = DisableKey))'),
  rule('user_type', 'user.type = IAMUser and ct.user.arn exists'),
  rule('ct_user', 'ct.user = Terraform'),
  rule(
    'with_exception',
    'user in (Alice, Bob, Terraform)',
    '  exceptions:\n  - name: terraform\n    fields: [user, drift.type]\n    values:\n    - [Terraform, modified]\n',
  ),
  rule('disabled', 'user = Alice', '  enabled: false\n'),
  rule('overridden', 'user = Nobody'),
  '- rule: overridden\n  condition: and drift.type = modified or user = Bob\n  override:\n    condition: append\n',
  rule('replaced', 'user = Nobody'),
  '- rule: replaced\n  condition: user = Alice and drift.type = deleted\n  override:\n    condition: replace\n',
  rule('unconstrained', 'evt.name exists'),
].join('');

const RULESETS: Record<string, RuleFile[]> = {
  bundled: [file('rules/kms_drift_rules.yaml')],
  'rules guide examples': guideBlocks,
  'falco compat file': [{ path: 'compat.yaml', text: compatFile() }],
  'bundled + 300 generated': [file('rules/kms_drift_rules.yaml'), { path: 'g.yaml', text: generated(300) }],
  shapes: [{ path: 'shapes.yaml', text: SHAPES }],
};

describe('the value index (second level)', () => {
  it('has fixture subjects and guide examples to run', () => {
    expect(SUBJECTS.length).toBeGreaterThan(300);
    expect(guideBlocks.length).toBeGreaterThanOrEqual(4);
  });

  it.each(Object.entries(RULESETS))('%s: indexed evaluation equals evaluating every rule', (_name, files) => {
    const loaded = loadRules(files);
    expect(loaded.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
    let fired = 0;
    // The ruleset numbers the events it evaluates and remembers the first one's time (evt.num, evt.reltime).
    const firstTimeMs = Date.parse(SUBJECTS[0]?.event.eventTime ?? '');
    for (const [i, subject] of SUBJECTS.entries()) {
      const indexed = loaded.ruleset.evaluate(subject);
      expect(indexed).toEqual(evaluateAll(loaded.ruleset.rules, { ...subject, context: { num: i + 1, firstTimeMs } }));
      fired += indexed.length;
    }
    expect(fired).toBeGreaterThan(0);
  });

  it('the shapes fire as written: exceptions, appends, replaces, transformers and disabled rules are kept', () => {
    const { ruleset } = loadRules([{ path: 'shapes.yaml', text: SHAPES }]);
    const rec = JSON.parse(readFileSync(`${GUIDE_DIR}ct-disablekey.1.json`, 'utf8')) as JsonObject;
    const names = (user: string, driftType: DriftType) =>
      ruleset.evaluate(finding(asUser(rec, user), { driftType })).map((m) => m.rule);
    expect(names('Terraform', 'modified')).not.toContain('with_exception');
    expect(names('Terraform', 'deleted')).toContain('with_exception');
    expect(names('alice', 'modified')).toEqual(expect.arrayContaining(['eq_lower', 'lower_transform']));
    expect(names('Alice', 'modified')).toEqual(expect.arrayContaining(['eq_alice', 'lower_transform']));
    // The append reads `user = Nobody and drift.type = modified or user = Bob`: Bob, not Alice.
    expect(names('Alice', 'modified')).not.toContain('overridden');
    expect(names('Alice', 'modified')).not.toContain('disabled');
    expect(names('Alice', 'deleted')).toContain('replaced');
    expect(names('Bob', 'modified')).toEqual(expect.arrayContaining(['two_on_user', 'in_list', 'overridden']));
  });

  // Random conditions over the indexed fields, their transformers and boolean structure, on random callers.
  it('property: for generated conditions, indexed evaluation equals evaluating every rule', () => {
    const users = ['Alice', 'alice', 'Bob', 'user-3', 'Terraform'];
    const value = fc.constantFrom(...users, 'Nobody');
    const atom = fc.oneof(
      value.map((v) => `user = "${v}"`),
      value.map((v) => `ct.user = "${v}"`),
      value.map((v) => `user != "${v}"`),
      value.map((v) => `tolower(user) = "${v}"`),
      fc
        .uniqueArray(value, { minLength: 1, maxLength: 3 })
        .map((vs) => `user in (${vs.map((v) => `"${v}"`).join(', ')})`),
      fc.constantFrom('modified', 'deleted', 'unmanaged').map((d) => `drift.type = ${d}`),
      fc.constantFrom('us-east-1', 'us-west-2', 'eu-west-1').map((r) => `ct.region = ${r}`),
      fc.constantFrom('DisableKey', 'EnableKey', 'PutKeyPolicy').map((e) => `evt.name = ${e}`),
      fc.constant('user exists'),
    );
    // Groups are written `( … )` with spaces: the lexer reads `exists)` as one word (a parser quirk, left alone here).
    const condition: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom,
        fc.array(tie('expr'), { minLength: 2, maxLength: 3 }).map((xs) => `( ${xs.join(' and ')} )`),
        fc.array(tie('expr'), { minLength: 2, maxLength: 3 }).map((xs) => `( ${xs.join(' or ')} )`),
        tie('expr').map((x) => `not ( ${x} )`),
      ),
    })).expr;
    const sample = SUBJECTS.filter((_s, i) => i % 7 === 0);
    fc.assert(
      fc.property(fc.array(condition, { minLength: 1, maxLength: 12 }), (conditions) => {
        const text = conditions.map((c, i) => rule(`p${i}`, c)).join('');
        const loaded = loadRules([{ path: 'p.yaml', text }]);
        expect(loaded.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
        for (const [i, subject] of sample.entries()) {
          const firstTimeMs = Date.parse(sample[0]?.event.eventTime ?? '');
          const context = { num: i + 1, firstTimeMs };
          expect(loaded.ruleset.evaluate(subject)).toEqual(evaluateAll(loaded.ruleset.rules, { ...subject, context }));
        }
      }),
      { numRuns: 200, seed: 20261122 },
    );
  });
});
