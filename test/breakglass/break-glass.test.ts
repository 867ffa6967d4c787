import { describe, expect, it } from 'vitest';
import type { Core } from '../../src/app.ts';
import type { JsonObject } from '../../src/model/json.ts';
import { call, core, DAY, EMERGENCY_ROLE, RECOVERY_ROLE, SETTINGS, T0 } from './records.ts';

const rulesOf = (c: Core, ...records: JsonObject[]): string[][] =>
  records.map((r) =>
    c
      .processPayload(r)
      .logs.map((l) => String(l.log['rule']))
      .sort(),
  );

describe('break-glass: the emergency action', () => {
  it.each([
    ['ct-disablekey.1.json', 'kms_key_disabled'],
    ['ct-schedule-key-deletion.1.json', 'kms_key_deletion_scheduled'],
    ['ct-revoke-grant.1.json', undefined],
  ])('%s by the emergency role is authorized_emergency, not %s', (file, driftRule) => {
    const c = core();
    const out = c.processPayload(call(file, EMERGENCY_ROLE, T0, 'e1'));
    const rules = out.logs.map((l) => l.log['rule']);
    expect(rules).toContain('kms_break_glass_emergency_action');
    if (driftRule !== undefined) expect(rules).not.toContain(driftRule);
    const log = out.logs.find((l) => l.log['rule'] === 'kms_break_glass_emergency_action')?.log;
    expect(log).toMatchObject({
      priority: 'Warning',
      emergency: { status: 'authorized_emergency', emergency_event_id: 'e1', window_days: 7 },
    });
  });

  it('by anyone else it is the ordinary drift it always was', () => {
    expect(rulesOf(core(), call('ct-disablekey.1.json', null, T0, 'e1'))).toEqual([['kms_key_disabled']]);
  });

  it('without emergency principals configured nothing is break-glass', () => {
    expect(rulesOf(core({}), call('ct-disablekey.1.json', EMERGENCY_ROLE, T0, 'e1'))).toEqual([['kms_key_disabled']]);
  });

  it('a failed emergency call starts no episode', () => {
    const failed = { ...call('ct-disablekey.1.json', EMERGENCY_ROLE, T0, 'e1'), errorCode: 'AccessDenied' };
    const c = core();
    expect(rulesOf(c, failed)).toEqual([[]]);
    expect(rulesOf(c, call('ct-enablekey.1.json', RECOVERY_ROLE, T0 + DAY, 'r1'))).toEqual([[]]);
  });
});

describe('break-glass: the recovery window, on both sides of its edge', () => {
  const after = (ms: number, role: string | null = RECOVERY_ROLE): string[] => {
    const c = core();
    c.processPayload(call('ct-disablekey.1.json', EMERGENCY_ROLE, T0, 'e1'));
    return rulesOf(c, call('ct-enablekey.1.json', role, T0 + ms, 'r1'))[0] ?? [];
  };
  it('exactly 7 days later is a recovery', () => {
    expect(after(7 * DAY)).toEqual(['kms_break_glass_recovery']);
  });
  it('one second past 7 days is a recovery outside the window', () => {
    expect(after(7 * DAY + 1000)).toEqual(['kms_break_glass_recovery_outside_window']);
  });
  it('within the window by someone who is not a recovery principal is unauthorized', () => {
    expect(after(DAY, null)).toEqual(['kms_break_glass_unauthorized_recovery']);
  });
  it('the recovery role defaults to the emergency principals', () => {
    const c = core({ emergencyPrincipals: [EMERGENCY_ROLE] });
    c.processPayload(call('ct-disablekey.1.json', EMERGENCY_ROLE, T0, 'e1'));
    expect(rulesOf(c, call('ct-enablekey.1.json', EMERGENCY_ROLE, T0 + DAY, 'r1'))).toEqual([
      ['kms_break_glass_recovery'],
    ]);
  });
  it('the window setting moves the edge', () => {
    const c = core({ ...SETTINGS, recoveryWindowDays: 1 });
    c.processPayload(call('ct-disablekey.1.json', EMERGENCY_ROLE, T0, 'e1'));
    expect(rulesOf(c, call('ct-enablekey.1.json', RECOVERY_ROLE, T0 + 2 * DAY, 'r1'))).toEqual([
      ['kms_break_glass_recovery_outside_window'],
    ]);
  });
  it('the window counts from the first emergency action of the episode', () => {
    const c = core();
    c.processPayload(call('ct-disablekey.1.json', EMERGENCY_ROLE, T0, 'e1'));
    c.processPayload(call('ct-schedule-key-deletion.1.json', EMERGENCY_ROLE, T0 + 5 * DAY, 'e2'));
    const late = c.processPayload(call('ct-cancel-key-deletion.1.json', RECOVERY_ROLE, T0 + 8 * DAY, 'r1'));
    expect(late.logs.map((l) => l.log['emergency'])).toContainEqual(
      expect.objectContaining({ status: 'recovery_outside_window', emergency_event_id: 'e1', elapsed_hours: 192 }),
    );
  });
});

describe('break-glass: episodes', () => {
  it('CancelKeyDeletion then EnableKey: both are the recovery; after EnableKey the episode is over', () => {
    const c = core();
    c.processPayload(call('ct-schedule-key-deletion.1.json', EMERGENCY_ROLE, T0, 'e1'));
    expect(
      rulesOf(
        c,
        call('ct-cancel-key-deletion.1.json', RECOVERY_ROLE, T0 + DAY, 'r1'),
        call('ct-enablekey.1.json', RECOVERY_ROLE, T0 + DAY + 60_000, 'r2'),
        call('ct-enablekey.1.json', RECOVERY_ROLE, T0 + 2 * DAY, 'r3'),
      ),
    ).toEqual([['kms_break_glass_recovery'], ['kms_break_glass_recovery'], []]);
  });
  it('a recovery before the emergency action, or on another key, is no part of it', () => {
    const c = core();
    c.processPayload(call('ct-disablekey.1.json', EMERGENCY_ROLE, T0, 'e1'));
    const before = call('ct-enablekey.1.json', RECOVERY_ROLE, T0 - 60_000, 'r0');
    const other = call('ct-enablekey.1.json', RECOVERY_ROLE, T0 + DAY, 'r1');
    const otherKey = JSON.parse(
      JSON.stringify(other).replaceAll('1234abcd-12ab-34cd-56ef-1234567890ab', '0987dcba-09fe-87dc-65ba-ab0987654321'),
    ) as JsonObject;
    expect(rulesOf(c, before, otherKey)).toEqual([[], []]);
  });
});
