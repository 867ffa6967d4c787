// The operands prepared at load (compile/glob.ts, regex-literals.ts, fused.ts, memo.ts) answer exactly as the
// per-call code they replace: each is checked against that code (kept here or still in ops.ts) on edge cases and
// generated inputs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { compileGlob, compilePmatch, globMatch } from '../../../src/rules/lang/compile/glob.ts';
import { hasLiterals, requiredLiterals } from '../../../src/rules/lang/compile/regex-literals.ts';
import { compileRegex } from '../../../src/rules/lang/compile/match.ts';
import { literalKey, runtimeKey, type Key } from '../../../src/rules/lang/compile/literal.ts';
import { literalTest } from '../../../src/rules/lang/compile/ops.ts';
import { compileCondition } from '../../../src/rules/lang/compile.ts';
import { parseCondition } from '../../../src/rules/lang/parser.ts';
import {
  createFieldRegistry,
  type FieldResult,
  type FieldType,
  type RuleSubject,
} from '../../../src/rules/lang/fields.ts';
import { beginEvent, endEvent, memoized } from '../../../src/rules/lang/compile/memo.ts';
import type { Operator } from '../../../src/rules/lang/ast.ts';

/** The pmatch of before: each value split on `/`, each component globbed. */
function pmatchReference(prefixes: readonly string[], value: string): boolean {
  const split = prefixes.map((p) => {
    const parts = p.split('/');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts;
  });
  const parts = value.split('/');
  return split.some((prefix) => prefix.length <= parts.length && prefix.every((c, i) => globMatch(c, parts[i] ?? '')));
}

const GLOB_CHARS = ['a', 'b', '/', '*', '?', '[', ']', '!', '^', '-', '\\', 'A'];
const globText = fc.array(fc.constantFrom(...GLOB_CHARS), { maxLength: 8 }).map((cs) => cs.join(''));

describe('globs prepared once', () => {
  it.each([
    ['', ''],
    ['', 'a'],
    ['*', ''],
    ['*', 'a/b'],
    ['**', 'x'],
    ['*ab', 'xab'],
    ['*ab', 'ab'],
    ['*ab', 'abx'],
    ['ab*', 'abx'],
    ['ab*', 'xab'],
    ['*ab*', 'xaby'],
    ['*ab*', 'ba'],
    ['a*b', 'axxb'],
    ['a\\*', 'a*'],
    ['a\\*', 'ab'],
    ['[ab]*', 'b'],
    ['[*', '[x'],
    ['*[', 'x['],
    ['*?', ''],
    ['AB*', 'ab'],
    // `*` then a fixed-length rest: tried on the last characters only.
    ['*-0000[0-9][0-9]', 'key-000042'],
    ['*-0000[0-9][0-9]', 'key-00004x'],
    ['*-0000[0-9][0-9]', '-000042'],
    ['*-0000[0-9][0-9]', '000042'],
    ['*a?', 'xab'],
    ['*a?', 'ab'],
    ['*a?', 'xabc'],
    ['*\\*', 'x*'],
    ['*\\*', 'x'],
    ['*[ab', 'x[ab'],
    ['*[!a]', 'b'],
    ['*[!a]', 'ba'],
    ['*\\', 'x\\'],
  ])('%j on %j as globMatch', (pattern, text) => {
    expect(compileGlob(pattern)(text)).toBe(globMatch(pattern, text));
  });

  it('agrees with globMatch on generated patterns and texts', () => {
    fc.assert(
      fc.property(globText, globText, (p, t) => compileGlob(p)(t) === globMatch(p, t)),
      { numRuns: 5000 },
    );
  });

  it('a leading `*` and a rest of any elements agrees with globMatch on longer texts', () => {
    const longText = fc.array(fc.constantFrom(...GLOB_CHARS), { maxLength: 24 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(globText, longText, (rest, t) => compileGlob(`*${rest}`)(t) === globMatch(`*${rest}`, t)),
      { numRuns: 5000 },
    );
  });
});

describe('pmatch prepared once', () => {
  it.each([
    [['/etc/hello'], '/etc/hello/x'],
    [['/etc/hello'], '/etc/hello_world'],
    [['/etc/hello'], '/etc/hello'],
    [['/etc/hello/'], '/etc/hello'],
    [['/etc/hello'], '/etc'],
    [['/'], 'abc'],
    [['/'], '/abc'],
    [[''], ''],
    [[''], 'a'],
    [['a//'], 'a/'],
    [['a//'], 'a'],
    [['a/b'], 'a/b/'],
    [['a/*'], 'a/'],
    [['a/*'], 'a'],
    [['/usr', '/etc/hello*'], '/etc/hello_world'],
    [['arn:aws:kms:*:key/*-00[0-9]'], 'arn:aws:kms:us-west-2:1:key/x-001'],
    [['arn:aws:kms:*:key/*-00[0-9]'], 'arn:aws:kms:us-west-2:1:key/x-001/more'],
  ])('%j on %j as the split-based pmatch', (prefixes, value) => {
    expect(compilePmatch(prefixes)(value)).toBe(pmatchReference(prefixes, value));
  });

  it('agrees with the split-based pmatch on generated prefixes and values', () => {
    fc.assert(
      fc.property(fc.array(globText, { minLength: 1, maxLength: 3 }), globText, (prefixes, value) => {
        return compilePmatch(prefixes)(value) === pmatchReference(prefixes, value);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('literals every regex match contains', () => {
  it.each([
    ['abc', { prefix: 'abc', suffix: 'abc', inner: [] }],
    ['0000a1[0-9a-f]{2}-[0-9a-f-]+', { prefix: '0000a1', suffix: '', inner: ['-'] }],
    [
      'arn:aws:iam::[0-9]{12}:(user|role)/(ops|sec)-alpha-[a-z0-9]+',
      { prefix: 'arn:aws:iam::', suffix: '', inner: [':', '/', '-alpha-'] },
    ],
    ['ab*c', { prefix: 'a', suffix: 'c', inner: [] }],
    ['ab?', { prefix: 'a', suffix: '', inner: [] }],
    ['ab{0,2}', { prefix: 'a', suffix: '', inner: [] }],
    ['a\\.b', { prefix: 'a.b', suffix: 'a.b', inner: [] }],
    ['a\\.+', { prefix: 'a', suffix: '', inner: [] }],
    ['.*Key.*', { prefix: '', suffix: '', inner: ['Key'] }],
    ['^abc$', { prefix: '', suffix: '', inner: ['abc'] }],
    ['[]a]bc', { prefix: '', suffix: 'bc', inner: [] }],
    ['x\\dy', { prefix: 'x', suffix: 'y', inner: [] }],
  ])('%s', (pattern, expected) => {
    expect(requiredLiterals(pattern)).toEqual(expected);
  });

  it.each(['a|b', '(?i)abc', 'a(?i:b)c', '\\Qa|b\\E', '[[:alpha:]]x', 'a{,2}', '\\x41', '\\pLx', 'é', '.*', '(ab)+'])(
    'knows none of %s',
    (pattern) => {
      expect(requiredLiterals(pattern)).toBeUndefined();
    },
  );

  const PIECES = [
    'a',
    'b',
    '-',
    '.',
    '\\.',
    '*',
    '+',
    '?',
    '{2}',
    '{1,}',
    '(a|b)',
    '[ab]',
    '[^a]',
    '\\d',
    '\\w',
    '^',
    '$',
    '|',
  ];
  const pattern = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 6 }).map((ps) => ps.join(''));
  const text = fc.array(fc.constantFrom('a', 'b', '-', '.', '1', 'x'), { maxLength: 8 }).map((cs) => cs.join(''));

  it('never refuses a value RE2 fully matches, and compileRegex answers as RE2', () => {
    fc.assert(
      fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 20 }), (p, texts) => {
        let re: RE2JS;
        try {
          re = RE2JS.compile(p);
        } catch {
          return true; // not a pattern RE2 accepts: refused at load, never filtered
        }
        const lits = requiredLiterals(p);
        const compiled = compileRegex(p);
        if (typeof compiled === 'string') return false;
        return texts.every(
          (t) => (lits === undefined || !re.matches(t) || hasLiterals(lits, t)) && compiled.test(t) === re.matches(t),
        );
      }),
      { numRuns: 3000 },
    );
  });
});

describe('fused checks answer as the generic ones', () => {
  let value: FieldResult | undefined;
  const registry = createFieldRegistry(
    (['string', 'number', 'boolean', 'list'] as const).map((type) => ({
      name: `f.${type}`,
      type,
      description: '',
      example: '',
      argument: 'none' as const,
      extract: () => value,
    })),
  );
  /** check.ts applyTest over ops.ts literalTest: what every check did before fused.ts. */
  function generic(type: FieldType, op: Operator, literals: readonly string[], v: FieldResult | undefined): boolean {
    const keys = literals
      .map((l) => literalKey(type === 'list' ? 'string' : type, l))
      .map((k) => (k as { key: Key }).key);
    const test = literalTest(op, keys, literals);
    if (typeof test === 'string') throw new Error(test);
    if (type === 'list') return Array.isArray(v) && (op === 'in' ? v.every(test) : v.some(test));
    if (type === 'string') return typeof v === 'string' && test(v);
    if (v === undefined) return false;
    const k = runtimeKey(type, v);
    return k !== undefined && test(k);
  }
  const VALUES: readonly (FieldResult | undefined)[] = [
    undefined,
    '',
    'a',
    'ab',
    'b',
    'A',
    '5',
    '5.0',
    '0x10',
    ' 5',
    'true',
    'false',
    5,
    0,
    -0,
    16,
    4.5,
    1e3,
    Infinity,
    -Infinity,
    true,
    false,
    [],
    ['a'],
    ['a', 'b'],
    ['c'],
    ['5'],
  ];
  const CASES: readonly (readonly [FieldType, Operator, readonly string[]])[] = [
    ...(['=', '==', '!=', 'contains', 'icontains', 'startswith', 'endswith', 'glob', 'regex'] as const).flatMap(
      (op) => [['string', op, ['a']] as const, ['string', op, ['']] as const, ['string', op, ['A*']] as const],
    ),
    ['string', 'in', ['a']],
    ['string', 'in', ['a', 'b', '5']],
    ['string', 'in', ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'a']],
    ['string', 'intersects', ['a', 'b']],
    ['string', 'pmatch', ['a', 'b/*']],
    ['list', 'in', ['a', 'b']],
    ['list', 'intersects', ['a', 'b']],
    ['list', 'intersects', ['5']],
    ...(['=', '!=', '<', '<=', '>', '>='] as const).flatMap((op) => [
      ['number', op, ['5']] as const,
      ['number', op, ['0x10']] as const,
      ['number', op, ['-0']] as const,
      ['number', op, ['1e3']] as const,
    ]),
    ['boolean', '=', ['true']],
    ['boolean', '=', ['false']],
    ['boolean', '!=', ['true']],
  ];
  it.each(CASES)('f.%s %s %j', (type, op, literals) => {
    const text = `f.${type} ${op} ${op === 'in' || op === 'intersects' || op === 'pmatch' ? `(${literals.map((l) => JSON.stringify(l)).join(', ')})` : JSON.stringify(literals[0])}`;
    const parsed = parseCondition(text);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const compiled = compileCondition(parsed.expr, registry);
    if (!compiled.ok) throw new Error(compiled.errors.map((e) => e.message).join('; '));
    const subject = {} as RuleSubject;
    for (const v of VALUES) {
      value = v;
      expect([v, compiled.check(subject)]).toEqual([v, generic(type, op, literals, v)]);
    }
  });
});

describe('per-event memo', () => {
  let calls = 0;
  let value = 'a';
  const read = memoized({
    name: 'memo.test',
    type: 'string',
    description: '',
    example: '',
    argument: 'none',
    memo: true,
    extract: () => {
      calls++;
      return value;
    },
  });
  it('computes once for the event being evaluated, afresh for any other subject or after the event', () => {
    const subject = {} as RuleSubject;
    const other = {} as RuleSubject;
    calls = 0;
    beginEvent(subject);
    expect([read(subject), read(subject), read(subject)]).toEqual(['a', 'a', 'a']);
    expect(calls).toBe(1);
    value = 'b';
    expect(read(other)).toBe('b');
    expect(calls).toBe(2);
    endEvent();
    // The same object after its event: never the value kept during it.
    expect(read(subject)).toBe('b');
    beginEvent(subject);
    expect(read(subject)).toBe('b');
    value = 'c';
    expect(read(subject)).toBe('b');
    endEvent();
    beginEvent(subject);
    expect(read(subject)).toBe('c');
    endEvent();
  });
});
