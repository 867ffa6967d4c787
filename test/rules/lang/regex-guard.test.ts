import { describe, expect, it } from 'vitest';
import { RE2JS } from 're2js';
import { compileRegex, type Regex } from '../../../src/rules/lang/compile/match.ts';
import { loadRules } from '../../../src/rules/load/load.ts';

// Rule regexes run on RE2 (re2js), as in Falco: linear in the value whatever the pattern. JavaScript's backtracking
// engine took 12 s for `(a|a)*b` and 8 s for `(a{1,100})+b` on a 28-character description, on the main thread.
// The work is counted, not timed: the characters the engine reads, through an input that counts its reads.

/** Matches `text` (as its UTF-8 bytes, which re2js also accepts) and counts the bytes the engine reads. */
function countedMatch(pattern: string, text: string): { matched: boolean; reads: number } {
  const bytes = [...Buffer.from(text, 'utf8')];
  let reads = 0;
  const input = new Proxy(bytes, {
    get: (target, key, receiver) => {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { matched: RE2JS.compile(pattern).matches(input), reads };
}

function compiled(pattern: string): Regex {
  const re = compileRegex(pattern);
  if (typeof re === 'string') throw new Error(re);
  return re;
}

describe('regex conditions match in linear time (RE2)', () => {
  it.each(['(a|a)*b', '(a{1,100})+b', '(a+)+$', '(a*b?)*c', 'a*a*a*a*a*a*b'])(
    '%s: each character of a 28-character and of a 100,000-character value read about once, no match',
    (pattern) => {
      const re = compiled(pattern);
      for (const n of [28, 100_000]) {
        const text = `${'a'.repeat(n)}!`;
        expect(re.test(text)).toBe(false);
        const { matched, reads } = countedMatch(pattern, text);
        expect(matched).toBe(false);
        // Backtracking reads these characters 2^n times; RE2 reads each once (plus the ends).
        expect(reads).toBeLessThanOrEqual(2 * (n + 2));
      }
      // And keeps at most this many states per character: the program is small whatever the nesting.
      expect(re.size).toBeLessThan(1000);
    },
  );

  it.each([
    ['(a|a)*b', 'aaab', true],
    ['(a{1,100})+b', 'aaab', true],
    ['user-[0-9]+', 'user-42', true],
    ['user-[0-9]+', 'xuser-42', false],
    ['arn:aws:iam::[0-9]{12}:role/.*', 'arn:aws:iam::111122223333:role/Admin', true],
    ['(?i)alice', 'ALICE', true],
    ['Schedule|Disable', 'ScheduleKeyDeletion', false],
  ])('%s on %s: %s (the whole value, as Falco)', (pattern, text, expected) => {
    expect(compiled(pattern).test(text)).toBe(expected);
  });

  it.each([
    ['(?=a)b', 'lookaround assertions are not supported (Falco uses RE2)'],
    ['(?<=a)b', 'lookaround assertions are not supported (Falco uses RE2)'],
    ['(a)\\1', 'backreferences are not supported (Falco uses RE2)'],
    ['a**', 'invalid regex (RE2 syntax): invalid nested repetition operator: `**`'],
    ['a{1001}', 'invalid regex (RE2 syntax): invalid repeat count: `{1001}`'],
    ['a'.repeat(1001), 'regex longer than 1000 characters'],
  ])('refuses %s at load: %s', (pattern, message) => {
    expect(compileRegex(pattern)).toBe(message);
  });

  it('a refused regex is a located load error; the hostile patterns load', () => {
    const rule = (name: string, condition: string) =>
      `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: info\n`;
    const loaded = loadRules([
      {
        path: 'r.yaml',
        text: rule('slow_in_js', `ct.user regex "(a|a)*b"`) + rule('lookahead', `ct.user regex "(?=a)b"`),
      },
    ]);
    expect(loaded.problems.map((p) => [p.code, p.line, p.column, p.message])).toEqual([
      ['LOAD_ERR_COMPILE_CONDITION', 8, 28, expect.stringContaining('lookaround assertions are not supported')],
    ]);
  });
});
