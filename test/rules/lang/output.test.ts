import { describe, expect, it } from 'vitest';
import { compileOutput } from '../../../src/rules/lang/output.ts';
import { fieldRegistry } from '../../../src/rules/lang/fields.ts';
import { kmsRecord, readRecord, subject } from './subject.ts';

const finding = subject(kmsRecord('ct-schedule-key-deletion.1'), {
  resource: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  driftType: 'deleted',
  changes: { key_state: { expected: 'Enabled', actual: 'PendingDeletion' } },
  actual: { key_state: 'PendingDeletion', deletion_date: '2021-04-12T18:58:30Z' },
  expected: { key_state: 'Enabled', rotation_period_in_days: 365 },
});
const serviceEvent = subject(readRecord('envelopes/aws-cloudtrail-user-guide/non-api-aws-service-events.1.json'));

function render(format: string, s = finding): string {
  const r = compileOutput(format, fieldRegistry);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.output.render(s);
}

describe('compileOutput: rendering', () => {
  it.each([
    [
      'requesting user=%ct.user, requesting IP=%ct.srcip, AWS region=%ct.region',
      'requesting user=Alice, requesting IP=192.0.2.0, AWS region=us-east-1',
    ],
    ['key=%resource.', 'key=arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab.'],
    ['%user/%user.arn', 'Alice/arn:aws:iam::111122223333:user/Alice'],
    ['error=%ct.error', 'error=<NA>'],
    ['[%10ct.user]', '[Alice     ]'],
    ['[%3ct.user]', '[Ali]'],
    ['%tolower(ct.name)!', 'schedulekeydeletion!'],
    ['%toupper(ct.user)', 'ALICE'],
    ['window=%json.value[/requestParameters/pendingWindowInDays] days', 'window=20 days'],
    [
      'state=%drift.key_state expected=%tf.key_state rot=%tf.rotation_period_in_days',
      'state=PendingDeletion expected=Enabled rot=365',
    ],
    ['changed=%drift.changed', 'changed=(key_state)'],
    ['managed=%tf.managed address=%tf.address', 'managed=false address=<NA>'],
    ['no fields at all', 'no fields at all'],
  ])('%s', (format, expected) => {
    expect(render(format)).toBe(expected);
  });

  it('prints <NA> for ct.user on a service event without an identity type', () => {
    expect(render('user=%ct.user via=%user', serviceEvent)).toBe('user=<NA> via=AWS Internal');
  });

  it('gives typed output_fields, null when absent, without transformed tokens', () => {
    const r = compileOutput(
      '%ct.user %ct.error %tf.rotation_period_in_days %tf.managed %drift.changed %json.value[/requestParameters/keyId] %tolower(ct.name)',
      fieldRegistry,
    );
    if (!r.ok) throw new Error('compile');
    expect(r.output.fields(finding)).toEqual({
      'ct.user': 'Alice',
      'ct.error': null,
      'tf.rotation_period_in_days': 365,
      'tf.managed': false,
      'drift.changed': ['key_state'],
      'json.value[/requestParameters/keyId]': '1234abcd-12ab-34cd-56ef-1234567890ab',
    });
  });
});

describe('compileOutput: errors', () => {
  it.each([
    ['start %(ct.user) end', "'%(' is not valid: write %field or %tolower(field)", 7],
    ['trailing %', "trailing '%' in output", 10],
    ['100% sure', "'%' must be followed by a field name", 4],
    ['user=%no.such x', "unknown field 'no.such' in output", 7],
    ['%json.value', 'field json.value requires an argument, e.g. json.value[/requestParameters/keyId]', 2],
    ['%json.value[/a', "missing ']' after field argument", 12],
    ['%tolower(ct.user', "expected ')' to close tolower(", 17],
  ])('%s → %s', (format, message, col) => {
    const r = compileOutput(format, fieldRegistry);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]?.message).toBe(message);
      expect(r.errors[0]?.pos.col).toBe(col);
    }
  });
});
