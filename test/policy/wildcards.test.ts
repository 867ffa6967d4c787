import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { principalMatcher } from '../../src/diff/by-terraform.ts';
import { wildcardMatch } from '../../src/model/wildcard.ts';
import { expandActions, KMS_ACTIONS } from '../../src/policy/kms-actions.ts';

// Wildcards from input (a policy's Action in a PutKeyPolicy record) against names from input (ARNs): matched by a
// loop that backtracks only to the last `*`. `kms:**?*?*?*?*?*?*?*?*?*t*t*t*z` as a RegExp took 30 s per action name.

/** The RegExp the matcher replaces, as the reference for what a match is (on inputs small enough for it). */
function reference(pattern: string, text: string): boolean {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${body.join('')}$`, 's').test(text);
}

describe('IAM wildcards', () => {
  it('agree with the anchored RegExp on 2,000 small cases', () => {
    const chars = fc.constantFrom('a', 'b', '*', '?', '.', ':');
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 8 }), fc.string({ unit: chars, maxLength: 10 }), (p, t) => {
        expect(wildcardMatch(p, t)).toBe(reference(p, t));
      }),
      { numRuns: 2000, seed: 20261201 },
    );
  });

  it('a hostile Action expands against every KMS action without stalling, and matches what it should', () => {
    const hostile = `kms:*${'*?'.repeat(9)}${'*t'.repeat(3)}*z`;
    expect([...expandActions([hostile], false)]).toEqual([]);
    // NotAction of it: everything.
    expect(expandActions([hostile], true).size).toBe(KMS_ACTIONS.length);
    expect([...expandActions(['kms:Re?ncrypt*'], false)].sort()).toEqual(['kms:ReEncryptFrom', 'kms:ReEncryptTo']);
  });

  it('principal patterns: `*` is a wildcard, `?` is literal; a 1 MB ARN is answered', () => {
    const matcher = principalMatcher(['arn:aws:iam::*:role/*admin*x']);
    const actor = (arn: string) => ({ arn }) as never;
    expect(matcher(actor('arn:aws:iam::111122223333:role/my-admin-x'))).toBe(true);
    expect(matcher(actor(`arn:aws:iam::111122223333:role/${'admin'.repeat(200_000)}`))).toBe(false);
    expect(principalMatcher(['arn:aws:iam::1?'])(actor('arn:aws:iam::12'))).toBe(false);
  });
});
