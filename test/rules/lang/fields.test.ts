import { describe, expect, it } from 'vitest';
import type { DriftFinding } from '../../../src/model/finding.ts';
import { fieldRegistry, type FieldResult } from '../../../src/rules/lang/fields.ts';
import { kmsRecord, pantherLog, readRecord, subject } from './subject.ts';
import { policyFacts } from '../../../src/policy/facts.ts';

const NO_FACTS = policyFacts({}, undefined, { allowedAccounts: new Set() });

function get(s: DriftFinding, name: string, arg?: string): FieldResult | undefined {
  const r = fieldRegistry.resolve(name, arg);
  if (!r.ok) throw new Error(r.message);
  return r.def.extract(s, arg);
}

const createKey = subject(kmsRecord('ct-createkey.1'));
const schedule = subject(kmsRecord('ct-schedule-key-deletion.1'));
const putPolicy = subject(kmsRecord('ct-put-key-policy.1'));
const CMK_LOSS = 'detections/panther/rules/aws_kms_cmk_loss.yml';
const assumedRole = subject(pantherLog(CMK_LOSS, 'KMS Key Disabled'));
const disableError = subject(pantherLog(CMK_LOSS, 'KMS Disable Key Error'));
const serviceEvent = subject(readRecord('envelopes/aws-cloudtrail-user-guide/non-api-aws-service-events.1.json'));

describe('cloudtrail plugin fields on real records', () => {
  it.each<[string, DriftFinding, string, FieldResult | undefined]>([
    ['IAMUser', createKey, 'ct.user', 'Alice'],
    ['IAMUser', createKey, 'ct.originaluser', 'Alice'],
    ['IAMUser', createKey, 'ct.user.identitytype', 'IAMUser'],
    ['IAMUser', createKey, 'ct.user.arn', 'arn:aws:iam::111122223333:user/Alice'],
    ['IAMUser', createKey, 'ct.user.principalid', 'EX_PRINCIPAL_ID'],
    ['IAMUser', createKey, 'ct.user.accountid', '111122223333'],
    ['AssumedRole: the session issuer', assumedRole, 'ct.user', 'tester'],
    ['AssumedRole: session name from principalId', assumedRole, 'ct.originaluser', 'tester'],
    ['service event without userIdentity.type', serviceEvent, 'ct.user', undefined],
    ['service event', serviceEvent, 'ct.user.identitytype', undefined],
    ['service event', serviceEvent, 'ct.user.accountid', '123456789012'],
    // The plugin reads serviceEventDetails as a string; an object is present but empty (extract.go GetStringBytes).
    ['service event', serviceEvent, 'ct.serviceeventdetails', ''],
    [
      'service event: user and source IP are both "AWS Internal"',
      serviceEvent,
      'ct.info',
      '<invalid cloudtrail event: userIdentity field missing>',
    ],
    ['service event', serviceEvent, 'ct.eventtype', 'AwsServiceEvent'],
    ['service event: null request', serviceEvent, 'ct.request', 'null'],
    ['', createKey, 'ct.id', '36327b37-f4f6-40a9-92ab-48064ec905a2'],
    ['', createKey, 'ct.src', 'kms.amazonaws.com'],
    ['', createKey, 'ct.shortsrc', 'kms'],
    ['', createKey, 'ct.name', 'CreateKey'],
    ['', createKey, 'ct.region', 'us-west-2'],
    ['', createKey, 'ct.srcip', '192.0.2.0'],
    ['', createKey, 'ct.useragent', 'AWS Internal'],
    ['', createKey, 'ct.requestid', '1aef6713-0223-4ff7-9a6d-781360521930'],
    ['', createKey, 'ct.eventcategory', 'Management'],
    ['', createKey, 'ct.recipientaccountid', '111122223333'],
    ['success: no error', createKey, 'ct.error', undefined],
    ['failed call', disableError, 'ct.error', 'NotFoundException'],
    ['', createKey, 'ct.managementevent', 'true'],
    ['no managementEvent key: no value', schedule, 'ct.managementevent', undefined],
    ['', createKey, 'ct.readonly', 'false'],
    ['no sessionCredentialFromConsole key: no value', createKey, 'ct.sessioncredentialfromconsole', undefined],
    ['', createKey, 'ct.info', 'Alice via 192.0.2.0 → CreateKey'],
    ['failed call', disableError, 'ct.info', 'tester via 111.111.111.111 !→ DisableKey'],
    [
      '',
      createKey,
      'ct.resources',
      '{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}',
    ],
    ['', schedule, 'ct.request', '{"pendingWindowInDays":20,"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}'],
    ['', putPolicy, 'ct.request.policy', (putPolicy.event.record['requestParameters'] as { policy: string }).policy],
    ['', createKey, 'ct.request.policy', undefined],
    ['', createKey, 'ct.tlsdetails.tlsversion', undefined],
    ['the plugin never matches this name', createKey, 'ct.request.documentname', undefined],
  ])('%s %s → %j', (_what, s, name, expected) => {
    expect(get(s, name)).toEqual(expected);
  });
});

describe('json.value[pointer]', () => {
  it.each<[DriftFinding, string, string | undefined]>([
    [schedule, '/requestParameters/keyId', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    [schedule, '/requestParameters/pendingWindowInDays', '20'],
    [schedule, '/responseElements/deletionDate', 'Apr 12, 2021 18:58:30 PM'],
    [schedule, '/resources/0/ARN', 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    [schedule, '/resources/1/ARN', undefined],
    [schedule, '/resources/01', undefined],
    [schedule, '/readOnly', 'false'],
    [schedule, '/nothing/here', undefined],
    [schedule, '/__proto__', undefined],
    [createKey, '/responseElements/keyMetadata/encryptionAlgorithms', '["SYMMETRIC_DEFAULT"]'],
    [serviceEvent, '/responseElements', 'null'],
  ])('%#: %s', (s, pointer, expected) => {
    expect(get(s, 'json.value', pointer)).toBe(expected);
    expect(get(s, 'jevt.value', pointer)).toBe(expected);
  });

  it.each<[string, string | undefined]>([
    ['requestParameters/keyId', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['resources/0/ARN', 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['/resources/+0/ARN', 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['/resources/-1/ARN', undefined],
    ['/requestParameters~2', undefined],
  ])('as the json plugin walks it (leading / optional, Atoi indexes): %s', (pointer, expected) => {
    expect(get(schedule, 'json.value', pointer)).toBe(expected);
  });

  it('decodes ~1 and ~0', () => {
    const s = subject({ ...schedule.event.record, 'a/b': { 'c~d': 'x' } });
    expect(get(s, 'json.value', '/a~1b/c~0d')).toBe('x');
  });
});

describe('resolve', () => {
  it.each([
    ['no.such', undefined, 'nonexistent field no.such'],
    ['json.value', undefined, 'field json.value requires an argument, e.g. json.value[/requestParameters/keyId]'],
    ['ct.name', 'x', 'field ct.name does not take an argument'],
  ])('%s[%s] → %s', (name, arg, message) => {
    expect(fieldRegistry.resolve(name, arg)).toEqual({ ok: false, message });
  });

  it('lists every field once, each with a type, a description and an argument kind', () => {
    const all = fieldRegistry.all();
    expect(new Set(all.map((d) => d.name)).size).toBe(all.length);
    for (const name of ['ct.user', 'json.value', 'evt.time', 'user', 'drift.key_state', 'tf.tags', 'kms.alias']) {
      expect(all.some((d) => d.name === name)).toBe(true);
    }
    for (const d of all) expect(d.description).not.toBe('');
  });
});

describe('evt and kms-drift fields', () => {
  const drifted = subject(kmsRecord('ct-schedule-key-deletion.1'), {
    resource: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    account: '111122223333',
    region: 'us-west-2',
    driftType: 'deleted',
    changes: { key_state: { expected: 'Enabled', actual: 'PendingDeletion' } },
    actual: { key_state: 'PendingDeletion', deletion_date: '2021-04-12T18:58:30Z', tags: { Env: 'prod' } },
    expected: { key_state: 'Enabled', enable_key_rotation: true, rotation_period_in_days: 365, tags: { Env: 'prod' } },
    terraform: { address: 'aws_kms_key.data', type: 'aws_kms_key', state: 'prod.tfstate' },
    policy: {
      ...NO_FACTS,
      added_principals: [],
      removed_principals: ['arn:aws:iam::1:root'],
      external_accounts: [],
      wildcard_principal: false,
    },
  });
  it.each<[string, FieldResult | undefined, string?]>([
    ['evt.name', 'ScheduleKeyDeletion'],
    ['evt.id', '3c4226b0-1e81-48a8-a333-7fa5f3cbd118'],
    ['evt.time', '2021-03-23T18:58:30Z'],
    ['evt.time.iso8601', '2021-03-23T18:58:30.000000000+0000'],
    ['evt.time.s', '18:58:30'],
    ['evt.datetime', '2021-03-23 18:58:30.000000000'],
    ['evt.datetime.s', '2021-03-23 18:58:30'],
    ['evt.rawtime.s', Date.parse('2021-03-23T18:58:30Z') / 1000],
    ['evt.rawtime.ns', 0],
    ['json.rawtime', '1616525910000000000'],
    ['jevt.rawtime', '1616525910000000000'],
    ['evt.num', 1],
    ['evt.reltime', 0],
    ['evt.pluginname', 'cloudtrail'],
    ['evt.plugininfo', 'us-east-1 Alice kms ScheduleKeyDeletion Alice via 192.0.2.0 → ScheduleKeyDeletion'],
    ['evt.is_async', false],
    ['evt.asynctype', undefined],
    ['evt.hostname', undefined],
    ['evt.rawtime', Date.parse('2021-03-23T18:58:30Z') * 1e6],
    ['evt.source', 'aws_cloudtrail'],
    ['cloud.service', 'kms'],
    ['cloud.region', 'us-west-2'],
    ['cloud.account', '111122223333'],
    ['user', 'Alice'],
    ['user.arn', 'arn:aws:iam::111122223333:user/Alice'],
    ['user.type', 'IAMUser'],
    ['resource.type', 'aws_kms_key'],
    ['tf.managed', true],
    ['tf.address', 'aws_kms_key.data'],
    ['tf.state', 'prod.tfstate'],
    ['drift.detected', true],
    ['drift.type', 'deleted'],
    ['drift.changed', ['key_state']],
    ['drift.by_terraform', false],
    ['drift.key_state', 'PendingDeletion'],
    ['tf.key_state', 'Enabled'],
    ['drift.deletion_date', '2021-04-12T18:58:30Z'],
    ['tf.deletion_date', undefined],
    ['tf.enable_key_rotation', true],
    ['tf.rotation_period_in_days', 365],
    ['drift.tags', '{"Env":"prod"}'],
    ['drift.tags', 'prod', 'Env'],
    ['drift.tags', undefined, 'Team'],
    ['policy.added_principals', undefined],
    ['policy.removed_principals', ['arn:aws:iam::1:root']],
    ['policy.wildcard_principal', false],
  ])('%s → %j', (name, expected, arg) => {
    expect(get(drifted, name, arg)).toEqual(expected);
  });

  it('user falls back to the caller ARN, then invokedBy, when ct.user has no value', () => {
    expect(get(serviceEvent, 'user')).toBe('AWS Internal');
    const federated = subject({ ...createKey.event.record, userIdentity: { arn: 'arn:aws:sts::1:x/y' } });
    expect(get(federated, 'user')).toBe('arn:aws:sts::1:x/y');
  });

  it('drift.detected is false for in_sync and none', () => {
    expect(get(subject(kmsRecord('ct-enablekey.1'), { driftType: 'in_sync' }), 'drift.detected')).toBe(false);
    expect(get(createKey, 'drift.detected')).toBe(false);
    expect(get(createKey, 'tf.managed')).toBe(false);
    expect(get(createKey, 'tf.address')).toBeUndefined();
  });
});
