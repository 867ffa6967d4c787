import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../../src/rules/lang/parser.ts';
import { eventIndexKeys } from '../../../src/rules/lang/index.ts';

function keys(text: string): { names: string[] | 'any'; sources: string[] | 'any' } {
  const p = parseCondition(text);
  if (!p.ok) throw new Error(p.error.message);
  const k = eventIndexKeys(p.expr);
  return {
    names: k.names === 'any' ? 'any' : [...k.names].sort(),
    sources: k.sources === 'any' ? 'any' : [...k.sources].sort(),
  };
}

describe('eventIndexKeys', () => {
  it.each<[string, string[] | 'any', string[] | 'any']>([
    ['evt.name = DisableKey', ['DisableKey'], 'any'],
    ['ct.name in (DisableKey, EnableKey)', ['DisableKey', 'EnableKey'], 'any'],
    ['ct.name in (DisableKey, EnableKey) and evt.name = EnableKey', ['EnableKey'], 'any'],
    ['ct.name = DisableKey or ct.name = EnableKey', ['DisableKey', 'EnableKey'], 'any'],
    ['ct.name = DisableKey or ct.error exists', 'any', 'any'],
    ['not ct.name = DisableKey', 'any', 'any'],
    ['ct.name != DisableKey', 'any', 'any'],
    ['tolower(ct.name) = disablekey', 'any', 'any'],
    ['cloud.service = kms and ct.name = PutKeyPolicy', ['PutKeyPolicy'], ['kms']],
    ['ct.src = kms.amazonaws.com', 'any', ['kms']],
    ['ct.shortsrc in (kms, s3)', 'any', ['kms', 's3']],
    ['ct.name = A and ct.name = B', [], 'any'],
    ['some_macro and ct.name = A', ['A'], 'any'],
    ['(ct.name = A and ct.src = kms.amazonaws.com) or (ct.name = B and cloud.service = s3)', ['A', 'B'], ['kms', 's3']],
  ])('%s', (text, names, sources) => {
    expect(keys(text)).toEqual({ names, sources });
  });
});
