// A list's name in a condition: Falco expands a list only where its name stands as a bare word (bounded by the start
// or end of the text, a blank or one of `(),=`); a quoted "my_list" is a string like any other quoted value
// (Falco's rules docs, "Lists"; libs compiler.cpp `resolve_list`). So `ct.name in ("my_list")` asks for an event
// named my_list, not for the list's items.
import { describe, expect, it } from 'vitest';
import type { DriftFinding } from '../../../src/model/finding.ts';
import { formatProblem } from '../../../src/model/problem.ts';
import { loadRules } from '../../../src/rules/load/load.ts';
import { asUser, finding, record } from './finding.ts';

const LISTS = ['- list: my_list', '  items: [DisableKey, Alice]', ''].join('\n');
const rule = (name: string, condition: string) =>
  [`- rule: ${name}`, '  desc: d', `  condition: ${condition}`, '  output: o', '  priority: warning', ''].join('\n');

/** Names of the rules that fire on `subject`; fails the test if the file does not load without error. */
function firing(rules: string, subject: DriftFinding): string[] {
  const loaded = loadRules([{ path: 'lists.yaml', text: LISTS + rules }]);
  expect(loaded.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
  return loaded.ruleset.evaluate(subject).map((m) => m.rule);
}

// AWS's sample DisableKey record, made by Alice, and the same call by a user whose name spells the list's.
const byAlice = finding(asUser(record('ct-disablekey.1'), 'Alice'));
const byMyList = finding(asUser(record('ct-disablekey.1'), 'my_list'));

describe('a quoted item that spells a list name is a string, not the list', () => {
  it('bare, the name is the list: `ct.name in (my_list)` fires on DisableKey', () => {
    expect(firing(rule('bare', 'ct.name in (my_list)'), byAlice)).toEqual(['bare']);
  });

  it.each([
    ['double quotes', 'ct.name in ("my_list")'],
    ['single quotes', "ct.name in ('my_list')"],
    ['double quotes, with another item', 'ct.name in (EnableKey, "my_list")'],
  ])('quoted (%s): `ct.name` is not compared with the list items', (_how, condition) => {
    expect(firing(rule('quoted', JSON.stringify(condition)), byAlice)).toEqual([]);
  });

  it('the quoted item is compared as the text it spells', () => {
    const rules = rule('quoted_user', JSON.stringify('ct.user in ("my_list")'));
    expect(firing(rules, byMyList)).toEqual(['quoted_user']);
    expect(firing(rules, byAlice)).toEqual([]);
  });

  it('a quoted list name with `=` is a string too', () => {
    const rules = rule('eq', JSON.stringify('ct.user = "my_list"'));
    expect(firing(rules, byMyList)).toEqual(['eq']);
    expect(firing(rules, byAlice)).toEqual([]);
  });
});
