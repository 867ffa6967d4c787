import { describe, expect, it } from 'vitest';
import { compileRegex } from '../../../src/rules/lang/compile/match.ts';

describe('regex conditions are bounded', () => {
  it.each(['(a+)+', '(a*b?)*', '(?:x+){2,}', '((a+)b)*', '(\\d+\\.)+\\d'])(
    'refuses the nested repetition %s',
    (pattern) => {
      expect(compileRegex(pattern)).toMatch(/exponentially slow/);
    },
  );

  it.each([
    '(ab)+',
    'a+b+',
    '(a|b)*',
    '[(+]+',
    '\\(a+\\)+',
    '(a{2})+',
    'user-[0-9]+',
    'arn:aws:iam::[0-9]{12}:role/.*',
  ])('accepts %s', (pattern) => {
    expect(compileRegex(pattern)).toBeInstanceOf(RegExp);
  });
});
