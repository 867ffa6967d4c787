// Falco's priority names in a rules file: case-insensitive, and `info` also names Informational (Falco's rules docs:
// emergency, alert, critical, error, warning, notice, informational/info, debug). Alerts carry the full name.
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/model/problem.ts';
import { loadRules } from '../../../src/rules/load/load.ts';
import { asUser, finding, record } from './finding.ts';

const disableKey = finding(asUser(record('ct-disablekey.1'), 'Alice'));

function loaded(priority: string, minPriority?: 'Notice' | 'Informational') {
  const yaml = [
    '- rule: r',
    '  desc: d',
    '  condition: ct.name = DisableKey',
    '  output: o',
    `  priority: ${priority}`,
  ];
  return loadRules([{ path: 'p.yaml', text: yaml.join('\n') }], minPriority === undefined ? {} : { minPriority });
}

describe('priority names', () => {
  it.each(['info', 'INFO', 'Info', 'informational', 'INFORMATIONAL'])(
    '`priority: %s` loads as Informational',
    (name) => {
      const rules = loaded(name);
      expect(rules.problems.map(formatProblem)).toEqual([]);
      expect(rules.ruleset.evaluate(disableKey).map((m) => [m.rule, m.priority])).toEqual([['r', 'Informational']]);
    },
  );

  it('an `info` rule is below Notice and at Informational: dropped by the one, kept by the other', () => {
    expect(loaded('info', 'Notice').ruleset.evaluate(disableKey)).toEqual([]);
    expect(
      loaded('info', 'Informational')
        .ruleset.evaluate(disableKey)
        .map((m) => m.priority),
    ).toEqual(['Informational']);
  });

  it.each([
    ['notice', 'Notice'],
    ['debug', 'Debug'],
    ['Warning', 'Warning'],
  ])('`priority: %s` loads as %s', (name, expected) => {
    expect(
      loaded(name)
        .ruleset.evaluate(disableKey)
        .map((m) => m.priority),
    ).toEqual([expected]);
  });
});
