import { describe, expect, it } from 'vitest';
import type { Expr, FieldExpr, Value } from '../../../src/rules/lang/ast.ts';
import { parseCondition } from '../../../src/rules/lang/parser.ts';

/** A compact rendering of the AST, so the table reads like the grammar. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `${e.kind}(${e.children.map(show).join(', ')})`;
    case 'not':
      return `not(${show(e.child)})`;
    case 'identifier':
      return `@${e.name}`;
    case 'check':
      return `[${field(e.field)} ${e.op}${e.value === undefined ? '' : ` ${value(e.value)}`}]`;
  }
}
function field(f: FieldExpr): string {
  return f.kind === 'field'
    ? f.arg === undefined
      ? f.name
      : `${f.name}{${f.arg}}`
    : `${f.transformer}<${field(f.operand)}>`;
}
function value(v: Value): string {
  switch (v.kind) {
    case 'string':
      return v.quoted ? JSON.stringify(v.value) : v.value;
    case 'list':
      return `(${v.items.map(value).join('|')})`;
    case 'listref':
      return `&${v.name}`;
    case 'fieldvalue':
      return `val<${field(v.field)}>`;
  }
}
function parsed(text: string): string {
  const r = parseCondition(text);
  if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
  return show(r.expr);
}

describe('parseCondition: accepted conditions', () => {
  it.each([
    ['a or b and c', 'or(@a, and(@b, @c))'],
    ['a and b or c', 'or(and(@a, @b), @c)'],
    ['a and b and c', 'and(@a, @b, @c)'],
    ['(a or b) and c', 'and(or(@a, @b), @c)'],
    ['not a and b', 'and(not(@a), @b)'],
    ['not not a', 'not(not(@a))'],
    ['not(a or b)', 'not(or(@a, @b))'],
    ['a and(b)', 'and(@a, @b)'],
    ['((a))', '@a'],
    ['ct.name=CreateKey', '[ct.name = CreateKey]'],
    ['ct.name == "Create Key"', '[ct.name == "Create Key"]'],
    ["ct.name != 'x'", '[ct.name != "x"]'],
    ['ct.error exists', '[ct.error exists]'],
    ['not ct.error exists and ct.name = X', 'and(not([ct.error exists]), [ct.name = X])'],
    // `exists` right before the closing parenthesis (found by the rule-index helper's generated conditions).
    ['(ct.error exists)', '[ct.error exists]'],
    ['a and (ct.user exists or not ct.error exists)', 'and(@a, or([ct.user exists], not([ct.error exists])))'],
    ['ct.name in (a, "b c", 1)', '[ct.name in (a|"b c"|1)]'],
    ['ct.name in ()', '[ct.name in ()]'],
    ['ct.name in kms_events', '[ct.name in &kms_events]'],
    ['drift.changed intersects (policy,key_state)', '[drift.changed intersects (policy|key_state)]'],
    ['json.value[/requestParameters/keyId] = abc', '[json.value{/requestParameters/keyId} = abc]'],
    ['drift.tags["cost center"] = a', '[drift.tags{cost center} = a]'],
    ['tolower(ct.user) = alice', '[tolower<ct.user> = alice]'],
    ['len(toupper(ct.user)) > 3', '[len<toupper<ct.user>> > 3]'],
    ['ct.user = val(ct.originaluser)', '[ct.user = val<ct.originaluser>]'],
    ['ct.user = tolower(ct.originaluser)', '[ct.user = val<tolower<ct.originaluser>>]'],
    ['user = arn:aws:iam::111122223333:user/Alice', '[user = arn:aws:iam::111122223333:user/Alice]'],
    ['resource startswith arn:aws:kms:us-west-2:', '[resource startswith arn:aws:kms:us-west-2:]'],
    ['ct.useragent glob "*terraform*"', '[ct.useragent glob "*terraform*"]'],
    ['ct.srcip pmatch (/a/b, /c)', '[ct.srcip pmatch (/a/b|/c)]'],
    ['evt.rawtime >= 1.5e3', '[evt.rawtime >= 1.5e3]'],
    ['drift.deletion_date < 2026-01-31T00:00:00Z', '[drift.deletion_date < 2026-01-31T00:00:00Z]'],
    ['ct.x < "abc"', '[ct.x < "abc"]'],
    ['a\nand\tb', 'and(@a, @b)'],
    // extension: a boolean field alone
    ['not drift.by_terraform', 'not([drift.by_terraform = true])'],
    ['(drift.detected) and x', 'and([drift.detected = true], @x)'],
  ])('%s', (text, expected) => {
    expect(parsed(text)).toBe(expected);
  });

  it.each([
    ['"a\\"b"', 'a"b'],
    ["'a\\'b'", "a'b"],
    ['"tab\\there"', 'tab\there'],
    ['"\\x41\\/\\\\"', 'A/\\'],
    ['"line\\nbreak"', 'line\nbreak'],
  ])('unescapes %s', (literal, expected) => {
    const r = parseCondition(`ct.name = ${literal}`);
    expect(r.ok && r.expr.kind === 'check' && r.expr.value?.kind === 'string' && r.expr.value.value).toBe(expected);
  });

  it('gives every node its line and column', () => {
    const r = parseCondition('a and\n  ct.name = "x"');
    if (!r.ok || r.expr.kind !== 'and') throw new Error('expected and');
    const check = r.expr.children[1];
    if (check?.kind !== 'check' || check.value === undefined) throw new Error('expected check');
    expect(check.pos).toEqual({ offset: 8, line: 2, col: 3 });
    expect(check.value.pos).toEqual({ offset: 18, line: 2, col: 13 });
  });

  it('parses 1000 nested parentheses and refuses 1001 without overflowing the stack', () => {
    expect(parseCondition(`${'('.repeat(999)}a${')'.repeat(999)}`).ok).toBe(true);
    const deep = parseCondition(`${'('.repeat(5000)}a${')'.repeat(5000)}`);
    expect(deep.ok).toBe(false);
    if (!deep.ok) expect(deep.error.message).toBe('exceeded max depth limit of 1000');
    expect(parseCondition(`${'not '.repeat(5000)}a`).ok).toBe(false);
  });
});

describe('parseCondition: errors with positions', () => {
  it.each([
    ['(a and b', 'missing closing parenthesis', 1],
    ['a and (b or (c)', 'missing closing parenthesis', 7],
    ['ct.name in (a, b', 'missing closing parenthesis', 12],
    ['ct.name ~= x', "unexpected token after 'ct.name', expecting an operator", 9],
    ['ct.name foo', "unexpected token after 'ct.name', expecting an operator", 9],
    ['ct.name = x y', "unexpected token after 'x', expecting 'or', 'and'", 13],
    ['a b', "unexpected token after 'a', expecting 'or', 'and'", 3],
    ['(a b)', "unexpected token after 'a', expecting 'or', 'and', ')'", 4],
    ['a and b)', "unexpected token after 'b', expecting 'or', 'and'", 8],
    ['ct.name = "abc', 'unterminated string', 11],
    ["ct.name = 'a\\\"b'", 'unsupported string escape sequence', 13],
    ['ct.name = "\\q"', 'unsupported string escape sequence', 12],
    ['ct.x > abc', "expected a number after '>'", 8],
    ['ct.name in "a"', "expected a list or a list name after 'in'", 12],
    ['a and', "unexpected end of condition after 'and'", 6],
    ['not', "unexpected end of condition after 'not'", 4],
    ['', 'empty condition', 1],
    ['json.value[/a = 1', "missing ']' after field argument", 11],
    ['ct.name = (a)', "unexpected '(' after '=': a list needs 'in', 'intersects' or 'pmatch'", 11],
  ])('%j → %s at column %i', (text, message, col) => {
    const r = parseCondition(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toBe(message);
      expect(r.error.pos.col).toBe(col);
    }
  });
});
