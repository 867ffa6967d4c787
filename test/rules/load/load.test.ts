import { describe, expect, it } from 'vitest';
import { loadRules } from '../../../src/rules/load/load.ts';
import type { DriftFinding } from '../../../src/model/finding.ts';
import type { KmsEventName } from '../../../src/model/kms-event.ts';

const load = (text: string, ...more: string[]) =>
  loadRules([text, ...more].map((t, i) => ({ path: `f${i}.yaml`, text: t })));
const at = (text: string) => load(text).problems.map((p) => `${p.source}:${p.line}:${p.column} ${p.code} ${p.message}`);

function subject(name: KmsEventName, extra: Partial<DriftFinding> = {}): DriftFinding {
  return {
    event: {
      name,
      eventId: 'e',
      eventTime: '2025-01-01T00:00:00Z',
      eventSource: 'kms.amazonaws.com',
      actor: { user: 'Alice' },
      resourceType: 'aws_kms_key',
      change: { kind: 'key', attributes: {} },
      record: {
        eventSource: 'kms.amazonaws.com',
        eventName: name,
        userIdentity: { type: 'IAMUser', userName: 'Alice' },
      },
    },
    resourceType: 'aws_kms_key',
    resource: 'arn:aws:kms:us-west-2:111122223333:key/k',
    driftType: 'modified',
    changes: {},
    actual: {},
    expected: {},
    byTerraform: false,
    ...extra,
  };
}
const fired = (text: string, s: DriftFinding) =>
  load(text)
    .ruleset.evaluate(s)
    .map((h) => h.rule);

describe('rules load: positioned diagnostics for broken files', () => {
  it('unknown field, at the field', () => {
    expect(
      at('- rule: r\n  desc: d\n  condition: evt.name = "X" and kms.nope = 1\n  output: o\n  priority: info\n'),
    ).toEqual([expect.stringMatching(/^f0\.yaml:3:33 LOAD_ERR_COMPILE_CONDITION .*kms\.nope/)]);
  });

  it('bad operator, at the operator', () => {
    expect(at('- rule: r\n  desc: d\n  condition: evt.name equals X\n  output: o\n  priority: info\n')).toEqual([
      expect.stringMatching(/^f0\.yaml:3:23 LOAD_ERR_COMPILE_CONDITION /),
    ]);
  });

  it('unclosed parenthesis in a condition folded over two lines', () => {
    const problems = at(
      '- rule: r\n  desc: d\n  condition:\n    (evt.name = X and\n     user = y\n  output: o\n  priority: info\n',
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^f0\.yaml:(5:\d+|4:5) LOAD_ERR_COMPILE_CONDITION .*parenthes/i);
  });

  it('undefined macro, at the identifier', () => {
    expect(
      at('- rule: r\n  desc: d\n  condition: evt.name = X and not_a_macro\n  output: o\n  priority: info\n'),
    ).toEqual(["f0.yaml:3:31 LOAD_ERR_VALIDATE Undefined macro 'not_a_macro' used in filter."]);
  });

  it('bad priority, at the value', () => {
    expect(at('- rule: r\n  desc: d\n  condition: evt.name = X\n  output: o\n  priority: loud\n')).toEqual([
      expect.stringMatching(/^f0\.yaml:5:13 LOAD_ERR_VALIDATE Invalid priority 'loud'/),
    ]);
  });

  it('YAML syntax error, where the parser stops', () => {
    const problems = load('- rule: r\n  desc: "unterminated\n  priority: info\n').problems;
    expect(problems[0]).toMatchObject({ code: 'LOAD_ERR_YAML_PARSE', source: 'f0.yaml', line: expect.any(Number) });
  });

  it('every problem of every file at once', () => {
    const { problems } = load(
      '- rule: a\n  desc: d\n  condition: nope.field = 1\n  output: o\n  priority: info\n- rule: b\n  desc: d\n  condition: evt.name = X\n  output: o\n  priority: nope\n',
      '- rule: c\n  desc: d\n  condition: evt.name = (\n  output: o\n  priority: info\n',
    );
    expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.source}:${p.line}`)).toEqual([
      'f0.yaml:10',
      'f0.yaml:3',
      'f1.yaml:3',
    ]);
  });

  it('override of a missing rule is an error', () => {
    expect(at('- rule: ghost\n  condition: and x\n  override:\n    condition: append\n')).toEqual([
      expect.stringMatching(/^f0\.yaml:1:3 LOAD_ERR_VALIDATE Rule 'ghost' has 'override' but no previous rule/),
    ]);
  });
});

const BASE = `
- list: state_events
  items: [DisableKey, EnableKey]
- macro: state_change
  condition: evt.name in (state_events)
- rule: state
  desc: d
  condition: state_change
  output: "state %evt.name by %user"
  priority: warning
  tags: [a]
- rule: everything
  desc: d
  condition: cloud.service = kms
  output: all
  priority: debug
`;

describe('rules load: Falco semantics', () => {
  it('every matching rule fires, in load order; the index agrees with evaluating all', () => {
    expect(fired(BASE, subject('DisableKey'))).toEqual(['state', 'everything']);
    expect(fired(BASE, subject('PutKeyPolicy'))).toEqual(['everything']);
  });

  it('override: condition append, output replace, tags union; list append; exceptions', () => {
    const text = `${BASE}
- list: state_events
  items: [CancelKeyDeletion]
  override: { items: append }
- rule: state
  condition: and not user = Bob
  output: "changed"
  tags: [b]
  override: { condition: append, output: replace, tags: append }
- rule: everything
  exceptions:
    - name: quiet
      fields: [evt.name, user]
      values: [[PutKeyPolicy, Alice]]
  override: { exceptions: append }
`;
    const loaded = load(text);
    expect(loaded.problems).toEqual([]);
    const hits = loaded.ruleset.evaluate(subject('CancelKeyDeletion'));
    expect(hits.map((h) => [h.rule, h.output, h.tags])).toEqual([
      ['state', 'changed', ['a', 'b']],
      ['everything', 'all', []],
    ]);
    expect(fired(text, subject('PutKeyPolicy'))).toEqual([]);
    const bob = subject('DisableKey', {
      event: {
        ...subject('DisableKey').event,
        record: { eventSource: 'kms.amazonaws.com', userIdentity: { type: 'IAMUser', userName: 'Bob' } },
      },
    });
    expect(fired(text, bob)).toEqual(['everything']);
  });

  it('a redefinition replaces the rule and keeps its place', () => {
    const text = `${BASE}\n- rule: state\n  desc: d\n  condition: evt.name = PutKeyPolicy\n  output: o\n  priority: info\n`;
    expect(fired(text, subject('PutKeyPolicy'))).toEqual(['state', 'everything']);
  });

  it('scalar exceptions with a list name; disabled rules and min priority', () => {
    const text = `${BASE}\n- list: quiet_users\n  items: [Alice]\n- rule: everything\n  exceptions:\n    - name: users\n      fields: user\n      values: [quiet_users]\n  override: { exceptions: replace }\n`;
    expect(fired(text, subject('PutKeyPolicy'))).toEqual([]);
    expect(
      loadRules([{ path: 'x', text: BASE }], { minPriority: 'Warning' })
        .ruleset.evaluate(subject('DisableKey'))
        .map((h) => h.rule),
    ).toEqual(['state']);
  });

  it('macro visibility: a macro cannot use a macro defined after it; cycles are reported', () => {
    const later =
      '- macro: a\n  condition: b\n- macro: b\n  condition: evt.name = X\n- rule: r\n  desc: d\n  condition: a\n  output: o\n  priority: info\n';
    expect(at(later)).toContainEqual(expect.stringMatching(/^f0\.yaml:2:14 LOAD_ERR_VALIDATE Undefined macro 'b'/));
  });

  it('unused lists and macros are warnings', () => {
    const { problems } = load('- list: l\n  items: [a]\n- macro: m\n  condition: evt.name = X\n');
    expect(problems.map((p) => [p.code, p.severity])).toEqual([
      ['LOAD_UNUSED_MACRO', 'warning'],
      ['LOAD_UNUSED_LIST', 'warning'],
    ]);
  });
});
