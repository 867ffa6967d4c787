import { describe, expect, it } from 'vitest';
import type { DriftFinding } from '../../../src/model/finding.ts';
import { parseCondition } from '../../../src/rules/lang/parser.ts';
import { compileCondition } from '../../../src/rules/lang/compile.ts';
import { fieldRegistry } from '../../../src/rules/lang/fields.ts';
import type { LangError } from '../../../src/rules/lang/error.ts';
import { kmsRecord, pantherLog, subject } from './subject.ts';
import { policyFacts } from '../../../src/policy/facts.ts';

const NO_FACTS = policyFacts({}, undefined, { allowedAccounts: new Set() });

function compile(text: string): ((s: DriftFinding) => boolean) | readonly LangError[] {
  const p = parseCondition(text);
  if (!p.ok) throw new Error(`${text}: ${p.error.message}`);
  const c = compileCondition(p.expr, fieldRegistry);
  return c.ok ? c.check : c.errors;
}
function matches(text: string, s: DriftFinding): boolean {
  const check = compile(text);
  if (typeof check !== 'function') throw new Error(`${text}: ${check.map((e) => e.message).join('; ')}`);
  return check(s);
}

const schedule = subject(kmsRecord('ct-schedule-key-deletion.1'), {
  driftType: 'deleted',
  changes: {
    key_state: { expected: 'Enabled', actual: 'PendingDeletion' },
    deletion_date: { actual: '2021-04-12T18:58:30Z' },
  },
  actual: { key_state: 'PendingDeletion', deletion_date: '2021-04-12T18:58:30Z', multi_region: false },
  expected: { key_state: 'Enabled', enable_key_rotation: true, rotation_period_in_days: 365 },
  policy: {
    ...NO_FACTS,
    added_principals: ['arn:aws:iam::444455556666:root'],
    removed_principals: [],
    external_accounts: ['444455556666'],
    wildcard_principal: false,
  },
});

describe('an absent field makes every comparison false', () => {
  // ct.error is absent on a successful call.
  it.each([
    'ct.error = x',
    'ct.error == x',
    'ct.error != x',
    'ct.error < 1',
    'ct.error <= 1',
    'ct.error > 1',
    'ct.error >= 1',
    'ct.error contains x',
    'ct.error icontains x',
    'ct.error bcontains 78',
    'ct.error startswith x',
    'ct.error bstartswith 78',
    'ct.error endswith x',
    'ct.error glob "*"',
    'ct.error iglob "*"',
    'ct.error regex ".*"',
    'ct.error in (x)',
    'ct.error intersects (x)',
    'ct.error pmatch (/)',
    'ct.error exists',
    'tf.rotation_period_in_days != 1 and drift.rotation_period_in_days != 1',
    'policy.removed_principals in (a)',
    'ct.name = val(ct.error)',
  ])('%s is false', (text) => {
    expect(matches(text, schedule)).toBe(false);
  });
  it.each(['not ct.error exists', 'not ct.error = x', 'not ct.error != x'])('%s is true', (text) => {
    expect(matches(text, schedule)).toBe(true);
  });
});

describe('semantics', () => {
  it.each<[string, boolean]>([
    ['ct.name = ScheduleKeyDeletion', true],
    ['ct.name = schedulekeydeletion', false],
    ['ct.name != DisableKey', true],
    ['ct.name in (DisableKey, ScheduleKeyDeletion)', true],
    ['ct.name in ()', false],
    ['ct.name intersects (ScheduleKeyDeletion)', true],
    ['ct.name contains KeyDel', true],
    ['ct.name icontains keydel', true],
    ['ct.name startswith Schedule', true],
    ['ct.name endswith Deletion', true],
    ['ct.name bcontains 4b6579', true], // "Key"
    ['ct.name bstartswith 5363', true], // "Sc"
    ['ct.name bstartswith 4b', false],
    ['ct.name glob "Schedule*"', true],
    ['ct.name glob "*Key*tion"', true],
    ['ct.name glob "S?hedule[JK]ey*"', true],
    ['ct.name glob "[!S]*"', false],
    ['ct.name glob Schedule', false],
    ['ct.name iglob "schedule*"', true],
    ['ct.name regex "Schedule.*"', true],
    ['ct.name regex "Key"', false],
    ['ct.name regex "Schedule|Disable"', false],
    ['ct.name regex "(Schedule|Disable)KeyDeletion"', true],
    // string fields compare lexicographically, as in Falco
    ['json.value[/requestParameters/pendingWindowInDays] < 7', true],
    ['json.value[/requestParameters/pendingWindowInDays] < 100', false],
    ['json.value[/requestParameters/pendingWindowInDays] = 20', true],
    // typed fields compare as their type
    ['tf.rotation_period_in_days = 365', true],
    ['tf.rotation_period_in_days = 365.0', true],
    ['tf.rotation_period_in_days > 90', true],
    ['tf.rotation_period_in_days < 1000', true],
    ['tf.rotation_period_in_days in (90, 365)', true],
    ['tf.enable_key_rotation = true', true],
    ['tf.enable_key_rotation != false', true],
    ['drift.multi_region = false', true],
    ['drift.deletion_date < 2021-05-01', true],
    ['drift.deletion_date < "2021-04-12T18:58:30Z"', false],
    ['drift.deletion_date <= 2021-04-12T18:58:30Z', true],
    ['drift.deletion_date = 2021-04-12T20:58:30+02:00', true],
    ['evt.time > 2021-03-23T00:00:00Z', true],
    ['evt.rawtime > 1e18', true],
    ['len(ct.name) = 19', true],
    ['len(drift.changed) >= 2', true],
    ['tolower(ct.name) = schedulekeydeletion', true],
    ['toupper(ct.name) startswith SCHEDULE', true],
    ['basename(json.value[/resources/0/ARN]) = 1234abcd-12ab-34cd-56ef-1234567890ab', true],
    ['b64(ct.name) exists', false],
    // list fields: in = subset, intersects = overlap
    ['drift.changed in (key_state, deletion_date, policy)', true],
    ['drift.changed in (key_state)', false],
    ['drift.changed intersects (policy, key_state)', true],
    ['drift.changed intersects (policy)', false],
    ['policy.external_accounts intersects (444455556666)', true],
    ['drift.detected = true', true],
    ['drift.detected and not drift.by_terraform', true],
    ['tf.enable_key_rotation and drift.multi_region', false],
    // field to field
    ['ct.user = val(ct.originaluser)', true],
    ['ct.user = val(ct.name)', false],
    ['drift.key_state != val(tf.key_state)', true],
    ['tolower(ct.user) = tolower(ct.originaluser)', true],
    // boolean logic
    ['ct.name = ScheduleKeyDeletion and not ct.error exists', true],
    ['ct.name = DisableKey or ct.name = ScheduleKeyDeletion', true],
    ['not (ct.name = DisableKey or ct.user = Bob)', true],
  ])('%s → %s', (text, expected) => {
    expect(matches(text, schedule)).toBe(expected);
  });

  it("string operators against another field compare with that field's value", () => {
    const s = subject({ ...schedule.event.record, a: 'ScheduleKeyDeletion', b: 'Deletion', c: 'Schedule' });
    expect(matches('json.value[/a] endswith val(json.value[/b])', s)).toBe(true);
    expect(matches('json.value[/a] endswith val(json.value[/c])', s)).toBe(false);
    expect(matches('json.value[/a] startswith val(json.value[/c])', s)).toBe(true);
    expect(matches('json.value[/a] startswith val(json.value[/b])', s)).toBe(false);
    expect(matches('json.value[/a] contains val(json.value[/b])', s)).toBe(true);
  });

  it('pmatch matches whole path components', () => {
    const s = subject({ ...schedule.event.record, p: '/etc/hello/x', q: '/etc/hello_world', r: '/etc/hello' });
    expect(matches('json.value[/p] pmatch (/etc/hello)', s)).toBe(true);
    expect(matches('json.value[/r] pmatch (/etc/hello)', s)).toBe(true);
    expect(matches('json.value[/q] pmatch (/etc/hello)', s)).toBe(false);
    expect(matches('json.value[/q] pmatch (/usr, /etc/hello*)', s)).toBe(true);
    expect(matches('json.value[/p] pmatch (/etc/*/x)', s)).toBe(true);
  });

  it('evaluates a Panther-labelled disable-key error as an error', () => {
    const err = subject(pantherLog('detections/panther/rules/aws_kms_cmk_loss.yml', 'KMS Disable Key Error'));
    expect(matches('ct.name in (DisableKey, ScheduleKeyDeletion) and not ct.error exists', err)).toBe(false);
    expect(matches('ct.error = NotFoundException and ct.user.identitytype = AssumedRole', err)).toBe(true);
  });
});

describe('compile errors carry positions', () => {
  it.each<[string, string, number]>([
    ['ct.name = a and no.such = b', 'nonexistent field no.such', 17],
    ['tolower(no.such) = b', 'nonexistent field no.such', 9],
    ['ct.name = val(no.such)', 'nonexistent field no.such', 15],
    ['tf.rotation_period_in_days = abc', "'abc' is not a number", 30],
    ['tf.rotation_period_in_days in (1, x)', "'x' is not a number", 35],
    ['tf.enable_key_rotation = yes', "'yes' is not a boolean (true or false)", 26],
    ['drift.deletion_date < "next week"', "'next week' is not an ISO 8601 date (e.g. 2026-01-31T00:00:00Z)", 23],
    ['tf.enable_key_rotation < 1', "operator '<' is not supported on boolean field tf.enable_key_rotation", 1],
    [
      'tf.rotation_period_in_days contains 3',
      "operator 'contains' is not supported on number field tf.rotation_period_in_days",
      1,
    ],
    ['drift.changed = policy', "operator '=' is not supported on list field drift.changed", 1],
    ['ct.name regex "(?=a)b"', 'lookaround assertions are not supported (Falco uses RE2)', 15],
    ['ct.name regex "(a)\\\\1"', 'backreferences are not supported (Falco uses RE2)', 15],
    [`ct.name regex "${'a'.repeat(1001)}"`, 'regex longer than 1000 characters', 15],
    ['ct.name regex "("', 'invalid regex (RE2 syntax): missing closing ): `(`', 15],
    ['ct.name bcontains xyz', "'xyz' is not a hex byte string", 19],
    ['ct.name glob val(ct.user)', "operator 'glob' cannot compare with another field", 14],
    ['ct.region = x or ct.name', "ct.name is a string field: alone it is no condition (write 'ct.name exists')", 18],
    ['ct.name in my_list', "undefined list 'my_list'", 12],
    ['a and ct.name = x', "Undefined macro 'a' used in filter.", 1],
  ])('%s → %s', (text, message, col) => {
    const r = compile(text);
    expect(typeof r).not.toBe('function');
    if (typeof r !== 'function') {
      expect(r[0]?.message).toBe(message);
      expect(r[0]?.pos.col).toBe(col);
    }
  });

  it('reports every error of the condition, not only the first', () => {
    const r = compile('x.y = 1 or (a.b = 2 and ct.name = c)');
    expect(typeof r !== 'function' && r.map((e) => [e.message, e.pos.col])).toEqual([
      ['nonexistent field x.y', 1],
      ['nonexistent field a.b', 13],
    ]);
  });
});
