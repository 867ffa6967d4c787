// `and` and `or` chains of three and more operands, through the loader as a rules file uses them. Falco's grammar
// makes both n-ary (libs `and_expr`/`or_expr` hold a vector of children) with `not` > `and` > `or`: an `and` chain is
// true only when every operand is, whatever its length and wherever the false operand sits.
import { describe, expect, it } from 'vitest';
import type { DriftFinding } from '../../../src/model/finding.ts';
import { formatProblem } from '../../../src/model/problem.ts';
import { loadRules } from '../../../src/rules/load/load.ts';
import { asUser, finding, record } from '../load/finding.ts';

/** Whether a one-rule file with `condition` fires on `subject`; fails the test if the file does not load cleanly. */
function fires(condition: string, subject: DriftFinding): boolean {
  const yaml = [
    '- rule: r',
    '  desc: d',
    `  condition: ${JSON.stringify(condition)}`,
    '  output: o',
    '  priority: warning',
  ].join('\n');
  const loaded = loadRules([{ path: 'chains.yaml', text: yaml }]);
  expect(loaded.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
  return loaded.ruleset
    .evaluate(subject)
    .map((m) => m.rule)
    .includes('r');
}

// AWS's sample DisableKey record (kms.amazonaws.com), made by Alice.
const disableKey = finding(asUser(record('ct-disablekey.1'), 'Alice'));
// Not `ct.name = DisableKey`: the ruleset's index decides that conjunct and leaves it untested (bucketCheck), which
// would make each chain below one operand shorter than it reads.
const NAME = 'ct.name startswith Disable';
const USER = 'ct.user = Alice';
const SRC = 'ct.src = kms.amazonaws.com';

describe('`and` of three or more operands is true only when every operand is', () => {
  it('every operand true: fires (so the cases below fail for the false operand alone)', () => {
    expect(fires(`${NAME} and ${USER} and ${SRC}`, disableKey)).toBe(true);
    expect(fires(`${NAME} and ${USER} and ${SRC} and ct.region = us-east-1`, disableKey)).toBe(true);
  });

  it.each([
    ['first', `ct.user = Bob and ${NAME} and ${SRC}`],
    ['middle', `${NAME} and ct.user = Bob and ${SRC}`],
    ['last', `${NAME} and ${SRC} and ct.user = Bob`],
    ['first of four', `ct.user = Bob and ${NAME} and ${USER} and ${SRC}`],
    ['last of four', `${NAME} and ${USER} and ${SRC} and ct.user = Bob`],
    ['third of five', `${NAME} and ${USER} and ct.user = Bob and ${SRC} and ct.region = us-east-1`],
  ])('one operand false (%s): does not fire', (_where, condition) => {
    expect(fires(condition, disableKey)).toBe(false);
  });

  it('two operands false of three: does not fire', () => {
    expect(fires(`${NAME} and ct.user = Bob and ct.src = iam.amazonaws.com`, disableKey)).toBe(false);
  });

  it('`not` binds tighter than `and`: `a and b and not c` is false when c holds', () => {
    expect(fires(`${NAME} and ${USER} and not ${SRC}`, disableKey)).toBe(false);
    expect(fires(`${NAME} and ${USER} and not ct.user = Bob`, disableKey)).toBe(true);
  });
});

describe('`or` of three or more operands is true when any operand is', () => {
  it.each([
    ['first', `${USER} or ct.user = Bob or ct.user = Carol`],
    ['middle', `ct.user = Bob or ${USER} or ct.user = Carol`],
    ['last', `ct.user = Bob or ct.user = Carol or ${USER}`],
  ])('one operand true (%s): fires', (_where, condition) => {
    expect(fires(condition, disableKey)).toBe(true);
  });

  it('every operand false: does not fire', () => {
    expect(fires('ct.user = Bob or ct.user = Carol or ct.user = Dave', disableKey)).toBe(false);
  });

  it('`and` binds tighter than `or`: `a or b and c and d` with a false and d false is false', () => {
    expect(fires(`ct.user = Bob or ${NAME} and ${SRC} and ct.user = Carol`, disableKey)).toBe(false);
    expect(fires(`${USER} or ${NAME} and ${SRC} and ct.user = Carol`, disableKey)).toBe(true);
  });
});
