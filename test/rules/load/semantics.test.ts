import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DriftFinding } from '../../../src/model/finding.ts';
import type { Priority } from '../../../src/model/priority.ts';
import { formatProblem } from '../../../src/model/problem.ts';
import { loadRules } from '../../../src/rules/load/load.ts';
import { evaluateAll } from '../../../src/rules/load/ruleset.ts';
import { asUser, finding, FIXTURES, record, trackedRecords } from './finding.ts';

const own = (name: string) => ({
  path: `fixtures/own/rules/${name}`,
  text: readFileSync(`${FIXTURES}own/rules/${name}`, 'utf8'),
});
const text = (t: string, i = 0) => ({ path: `f${i}.yaml`, text: t });

/** Names of the rules that fire, in order; fails the test if the files do not load cleanly. */
function firing(files: readonly { path: string; text: string }[], subject: DriftFinding, minPriority?: Priority) {
  const loaded = loadRules(files, minPriority === undefined ? {} : { minPriority });
  expect(loaded.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
  return loaded.ruleset.evaluate(subject).map((m) => m.rule);
}

const by = (name: string, user = 'Alice'): DriftFinding => finding(asUser(record(name), user));

describe('the spec example rule', () => {
  const files = [own('spec-example.yaml')];

  it('loads with exactly one warning: the missing desc, at the rule', () => {
    expect(loadRules(files).problems.map(formatProblem)).toEqual([
      "fixtures/own/rules/spec-example.yaml:1:3 LOAD_MISSING_DESC Rule 'kms_key_deletion_scheduled' has no desc; Falco requires one",
    ]);
  });

  it('fires on a real ScheduleKeyDeletion record with its output and typed output fields, not on DisableKey', () => {
    const { ruleset } = loadRules(files);
    const subject = finding(record('ct-schedule-key-deletion.1'), {
      actual: { deletion_date: '2021-04-12T00:00:00Z' },
    });
    expect(ruleset.evaluate(subject)).toEqual([
      {
        rule: 'kms_key_deletion_scheduled',
        priority: 'Critical',
        output:
          'KMS Key Deletion Scheduled (key=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab deletion_date=2021-04-12T00:00:00Z user=Alice)',
        tags: [],
        source: 'aws_cloudtrail',
        outputFields: {
          resource: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          'drift.deletion_date': '2021-04-12T00:00:00Z',
          user: 'Alice',
        },
      },
    ]);
    expect(ruleset.evaluate(by('ct-disablekey.1'))).toEqual([]);
  });
});

describe('override and append across files (base.yaml, then local.yaml)', () => {
  const both = [own('base.yaml'), own('local.yaml')];

  it('both files load without any problem', () => {
    expect(loadRules(both).problems.map(formatProblem)).toEqual([]);
  });

  // [record, caller, rules with base.yaml alone, rules with base.yaml + local.yaml]
  const TABLE: readonly (readonly [string, string, readonly string[], readonly string[]])[] = [
    // condition append: `and not ct.user = Bob`; exceptions append values: Alice may DisableKey.
    ['ct-disablekey.1', 'Alice', ['key_state_changed', 'watched_event', 'any_kms'], ['key_state_changed']],
    ['ct-disablekey.1', 'Bob', ['key_state_changed', 'watched_event', 'any_kms'], ['watched_event']],
    [
      'ct-enablekey.1',
      'Alice',
      ['key_state_changed', 'watched_event', 'any_kms'],
      ['key_state_changed', 'watched_event'],
    ],
    // list append reaches the list and the list nested in another list; every matching rule fires.
    ['ct-tagresource.1', 'Alice', ['any_kms'], ['key_state_changed', 'watched_event']],
    // the original exception still holds.
    ['ct-put-key-policy.1', 'Terraform', ['any_kms'], []],
    ['ct-put-key-policy.1', 'Alice', ['watched_event', 'any_kms'], ['watched_event']],
    // the scalar-form exception names a list; the redefined rule keeps its place before after_deletion.
    ['ct-schedule-key-deletion.1', 'Alice', ['watched_event', 'deletion', 'any_kms'], ['deletion']],
    [
      'ct-cancel-key-deletion.1',
      'Alice',
      ['watched_event', 'after_deletion', 'any_kms'],
      ['deletion', 'after_deletion'],
    ],
    ['ct-createalias.1', 'Alice', ['any_kms'], []],
  ];
  it.each(TABLE)('%s by %s', (name, user, baseOnly, withLocal) => {
    expect(firing([own('base.yaml')], by(name, user))).toEqual(baseOnly);
    expect(firing(both, by(name, user))).toEqual(withLocal);
  });

  it('output replaced, tags united (sorted), priority and output of the redefinition', () => {
    const { ruleset } = loadRules(both);
    const [state] = ruleset.evaluate(by('ct-disablekey.1'));
    expect(state).toMatchObject({
      rule: 'key_state_changed',
      output: 'state of arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab changed by Alice',
      tags: ['drift', 'kms', 'state'],
      priority: 'Warning',
    });
    const [deletion] = ruleset.evaluate(by('ct-schedule-key-deletion.1'));
    expect(deletion).toMatchObject({ rule: 'deletion', output: 'deletion changed', priority: 'Error', tags: [] });
  });

  it('minPriority drops less severe rules at load', () => {
    expect(firing(both, by('ct-cancel-key-deletion.1'), 'Error')).toEqual(['deletion']);
    expect(firing(both, by('ct-enablekey.1'), 'Warning')).toEqual(['key_state_changed']);
    expect(firing(both, by('ct-enablekey.1'), 'Critical')).toEqual([]);
    expect(loadRules(both, { minPriority: 'Error' }).ruleset.rules.map((r) => r.name)).toEqual(['deletion']);
  });
});

const RULE = (name: string, condition: string, extra = '') =>
  `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: info\n${extra}`;

describe('lists and macros, resolved on the AST with Falco visibility', () => {
  it('a list inside a list is expanded only when defined before it; a later one stays a literal', () => {
    const t = `- list: outer\n  items: [inner, PutKeyPolicy]\n- list: inner\n  items: [DisableKey]\n${RULE('r', 'evt.name in (outer)')}`;
    const loaded = loadRules([text(t)]);
    expect(loaded.problems.map(formatProblem)).toEqual([
      "f0.yaml:3:3 LOAD_UNUSED_LIST List 'inner' not referred to by any other rule/macro",
    ]);
    expect(loaded.ruleset.evaluate(by('ct-disablekey.1'))).toEqual([]);
    expect(loaded.ruleset.evaluate(by('ct-put-key-policy.1')).map((m) => m.rule)).toEqual(['r']);
  });

  it('conditions see every list, also one defined after them, by name or inside a list literal', () => {
    const t = `${RULE('a', 'evt.name in later')}${RULE('b', 'evt.name in (EnableKey, later)')}- list: later\n  items: [DisableKey]\n`;
    expect(firing([text(t)], by('ct-disablekey.1'))).toEqual(['a', 'b']);
    expect(firing([text(t)], by('ct-enablekey.1'))).toEqual(['b']);
  });

  it('an empty list matches nothing and leaves the other items', () => {
    const t = `- list: none\n  items: []\n${RULE('a', 'evt.name in (none)')}${RULE('b', 'evt.name in (none, DisableKey)')}`;
    expect(firing([text(t)], by('ct-disablekey.1'))).toEqual(['b']);
  });

  it('list items are exact strings, spaces and quotes included', () => {
    const t = `- list: people\n  items: ['Al "x" ice', "Bob Smith"]\n${RULE('r', 'ct.user in (people)')}`;
    expect(firing([text(t)], by('ct-disablekey.1', 'Al "x" ice'))).toEqual(['r']);
    expect(firing([text(t)], by('ct-disablekey.1', 'Bob Smith'))).toEqual(['r']);
    expect(firing([text(t)], by('ct-disablekey.1', 'Bob'))).toEqual([]);
  });

  it('a macro sees only earlier macros; a rule sees every macro; macros nest under not and parentheses', () => {
    const t = `${RULE('r', 'not (later) and earlier')}- macro: earlier\n  condition: evt.name = DisableKey\n- macro: later\n  condition: earlier and ct.user = Bob\n`;
    expect(firing([text(t)], by('ct-disablekey.1'))).toEqual(['r']);
    expect(firing([text(t)], by('ct-disablekey.1', 'Bob'))).toEqual([]);
    const bad = `- macro: a\n  condition: b\n- macro: b\n  condition: evt.name = X\n${RULE('r', 'a')}`;
    expect(loadRules([text(bad)]).problems.map(formatProblem)).toEqual([
      "f0.yaml:2:14 LOAD_ERR_VALIDATE Undefined macro 'b' used in filter.",
      "f0.yaml:3:3 LOAD_UNUSED_MACRO Macro 'b' not referred to by any other rule/macro",
    ]);
  });

  it('a macro cannot reach itself: self-reference and a redefinition that would close a cycle are errors', () => {
    const self = `- macro: a\n  condition: a or evt.name = X\n${RULE('r', 'a')}`;
    expect(loadRules([text(self)]).problems.map(formatProblem)).toEqual([
      "f0.yaml:2:14 LOAD_ERR_VALIDATE Undefined macro 'a' used in filter.",
    ]);
    // b uses a; a is then redefined to use b. The redefinition is newer than b, so b no longer sees a.
    const cycle = `- macro: a\n  condition: evt.name = X\n- macro: b\n  condition: a\n- macro: a\n  condition: b\n${RULE('r', 'a')}`;
    expect(loadRules([text(cycle)]).problems.map(formatProblem)).toEqual([
      "f0.yaml:4:14 LOAD_ERR_VALIDATE Undefined macro 'a' used in filter.",
    ]);
  });

  it('macro condition append and legacy append: true', () => {
    const t = `- macro: m\n  condition: evt.name = DisableKey\n- macro: m\n  condition: or evt.name = EnableKey\n  override: {condition: append}\n${RULE('r', 'm')}- rule: r\n  condition: and ct.user = Bob\n  append: true\n`;
    const loaded = loadRules([text(t)]);
    expect(loaded.problems.map(formatProblem)).toEqual([
      "f0.yaml:13:3 LOAD_DEPRECATED_ITEM 'append' is deprecated; use 'override'",
    ]);
    // Falco appends text: `(m) and ct.user = Bob` binds as `DisableKey or (EnableKey and Bob)` — the macro is one node.
    expect(loaded.ruleset.evaluate(by('ct-enablekey.1', 'Bob')).map((m) => m.rule)).toEqual(['r']);
    expect(loaded.ruleset.evaluate(by('ct-enablekey.1', 'Alice'))).toEqual([]);
  });

  it('unused lists and macros are warnings at their definitions', () => {
    const t = `- list: l\n  items: [a]\n- macro: m\n  condition: evt.name = X\n`;
    expect(loadRules([text(t)]).problems.map(formatProblem)).toEqual([
      "f0.yaml:1:3 LOAD_UNUSED_LIST List 'l' not referred to by any other rule/macro",
      "f0.yaml:3:3 LOAD_UNUSED_MACRO Macro 'm' not referred to by any other rule/macro",
    ]);
  });
});

describe('exceptions change what matches', () => {
  const withExc = (exceptions: string) => [
    text(RULE('r', 'evt.name in (DisableKey, EnableKey)', `  exceptions:\n${exceptions}`)),
  ];
  const CASES: readonly (readonly [string, string, readonly (readonly [string, string, boolean])[]])[] = [
    [
      'list form, comps default to =',
      '    - name: e\n      fields: [ct.user, evt.name]\n      values: [[Alice, DisableKey]]\n',
      [
        ['ct-disablekey.1', 'Alice', false],
        ['ct-disablekey.1', 'Bob', true],
        ['ct-enablekey.1', 'Alice', true],
      ],
    ],
    [
      'list form, comps given, a nested value list',
      '    - name: e\n      fields: [ct.user, evt.name]\n      comps: [in, startswith]\n      values: [[[Alice, Bob], Disable]]\n',
      [
        ['ct-disablekey.1', 'Alice', false],
        ['ct-disablekey.1', 'Bob', false],
        ['ct-disablekey.1', 'Carol', true],
        ['ct-enablekey.1', 'Bob', true],
      ],
    ],
    [
      'scalar form, comp defaults to in',
      '    - name: e\n      fields: ct.user\n      values: [Alice, Carol]\n',
      [
        ['ct-disablekey.1', 'Alice', false],
        ['ct-enablekey.1', 'Carol', false],
        ['ct-disablekey.1', 'Bob', true],
      ],
    ],
    [
      'a value with spaces and quotes is compared exactly (no text quoting)',
      '    - name: e\n      fields: [ct.user]\n      values: [[\'Al "x" ice\']]\n',
      [
        ['ct-disablekey.1', 'Al "x" ice', false],
        ['ct-disablekey.1', 'Al', true],
      ],
    ],
    [
      'an exception without values contributes nothing',
      '    - name: e\n      fields: [ct.user]\n',
      [['ct-disablekey.1', 'Alice', true]],
    ],
  ];
  describe.each(CASES)('%s', (_name, exceptions, rows) => {
    it.each(rows)('%s by %s fires: %s', (name, user, fires) => {
      expect(firing(withExc(exceptions), by(name, user))).toEqual(fires ? ['r'] : []);
    });
  });

  it('scalar form with a list name; exceptions replaced by an override', () => {
    const base = RULE(
      'r',
      'evt.name = DisableKey',
      '  exceptions:\n    - {name: e, fields: ct.user, values: [trusted]}\n',
    );
    const t = `- list: trusted\n  items: [Alice]\n${base}`;
    expect(firing([text(t)], by('ct-disablekey.1'))).toEqual([]);
    expect(firing([text(t)], by('ct-disablekey.1', 'Bob'))).toEqual(['r']);
    const replaced = `${t}- rule: r\n  exceptions:\n    - {name: f, fields: ct.user, values: [Bob]}\n  override: {exceptions: replace}\n`;
    expect(firing([text(replaced)], by('ct-disablekey.1'))).toEqual(['r']);
    expect(firing([text(replaced)], by('ct-disablekey.1', 'Bob'))).toEqual([]);
  });
});

describe('enabling and disabling', () => {
  const t = RULE('r', 'evt.name = DisableKey', '  enabled: false\n');
  it('a disabled rule is still validated but never fires; override or an enabled-only item turns it on', () => {
    expect(firing([text(t)], by('ct-disablekey.1'))).toEqual([]);
    expect(loadRules([text(RULE('r', 'kms.nope = 1', '  enabled: false\n'))]).problems.map((p) => p.code)).toEqual([
      'LOAD_ERR_COMPILE_CONDITION',
    ]);
    expect(
      firing([text(t), text('- rule: r\n  enabled: true\n  override: {enabled: replace}\n', 1)], by('ct-disablekey.1')),
    ).toEqual(['r']);
    const legacy = loadRules([text(t), text('- rule: r\n  enabled: true\n', 1)]);
    expect(legacy.problems.map(formatProblem)).toEqual([
      "f1.yaml:1:3 LOAD_DEPRECATED_ITEM An enabled-only rule item is deprecated; use 'override: {enabled: replace}'",
    ]);
    expect(legacy.ruleset.evaluate(by('ct-disablekey.1')).map((m) => m.rule)).toEqual(['r']);
  });
});

describe('the (service, event name) index', () => {
  const INDEX_SHAPES = [
    RULE('by_name', 'evt.name = DisableKey'),
    RULE('by_list', 'ct.name in (EnableKey, TagResource)'),
    RULE('by_service', 'ct.shortsrc = kms'),
    RULE('other_service', 'ct.src = s3.amazonaws.com'),
    RULE('negated', 'not evt.name = DisableKey'),
    RULE('either', 'evt.name = PutKeyPolicy or ct.user = Bob'),
    RULE('both', 'cloud.service = kms and evt.name in (CreateAlias, DeleteAlias)'),
    RULE('impossible', 'evt.name = DisableKey and evt.name = EnableKey'),
  ].join('');
  // Enough rules per event that pin `user` for the second index level, mixed with rules that pin it with `in`, pin it
  // twice, or do not pin it (an `or`, a transformer): the shape of a large organisation's own rules.
  const EVENTS = ['DisableKey', 'EnableKey', 'PutKeyPolicy', 'TagResource', 'ScheduleKeyDeletion'];
  const SECOND_LEVEL = Array.from({ length: 200 }, (_, i) => {
    const event = EVENTS[Math.floor(i / 10) % EVENTS.length] ?? 'DisableKey';
    const user = `user-${i}`;
    switch (i % 10) {
      case 6:
        return RULE(`pin_in_${i}`, `evt.name = ${event} and user in (Bob, "${user}", carol)`);
      case 7:
        return RULE(`pin_twice_${i}`, `evt.name = ${event} and user in (Alice, "${user}") and user = "${user}"`);
      case 8:
        return i % 20 === 8
          ? RULE(`unpinned_${i}`, `evt.name = ${event} and (user = "${user}" or user = Bob or ct.user = Alice)`)
          : RULE(`anonymous_${i}`, `evt.name = ${event} and not user exists`);
      case 9:
        return RULE(`lower_${i}`, `evt.name = ${event} and tolower(user) = "${user}"`);
      default:
        return RULE(`pin_${i}`, `evt.name = ${event} and user = "${user}" and drift.type != none`);
    }
  }).join('');
  const RULESETS = {
    shapes: [text(INDEX_SHAPES)],
    'second level (200 rules, most pinning user)': [text(SECOND_LEVEL)],
    'base + local': [own('base.yaml'), own('local.yaml')],
    bundled: [
      { path: 'rules/kms_drift_rules.yaml', text: readFileSync(`${FIXTURES}../rules/kms_drift_rules.yaml`, 'utf8') },
    ],
  };

  it.each(Object.entries(RULESETS))(
    '%s: the index gives what evaluating every rule gives, on every tracked record',
    (_n, files) => {
      const { ruleset } = loadRules(files);
      let fired = 0;
      for (const rec of trackedRecords()) {
        const users = ['Alice', 'Bob', 'Terraform', 'carol', 'user-0', 'user-5', 'user-6', 'user-7', 'user-9'];
        // And a caller with no identity at all: the indexed field is then absent.
        const subjects = [...users.map((u) => finding(asUser(rec, u))), finding({ ...rec, userIdentity: {} })];
        for (const subject of subjects) {
          const indexed = ruleset.evaluate(subject);
          expect(indexed).toEqual(evaluateAll(ruleset.rules, subject));
          fired += indexed.length;
        }
      }
      expect(fired).toBeGreaterThan(0);
    },
  );

  it('every matching rule fires in load order, indexed or not', () => {
    const { ruleset } = loadRules(RULESETS.shapes);
    expect(ruleset.evaluate(by('ct-disablekey.1', 'Bob')).map((m) => m.rule)).toEqual([
      'by_name',
      'by_service',
      'either',
    ]);
    expect(ruleset.evaluate(by('ct-tagresource.1')).map((m) => m.rule)).toEqual(['by_list', 'by_service', 'negated']);
    expect(ruleset.evaluate(by('ct-createalias.1')).map((m) => m.rule)).toEqual(['by_service', 'negated', 'both']);
  });
});
