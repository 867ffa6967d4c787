import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { normalizeRecord, type NormalizeResult } from '../../src/normalize/normalize.ts';
import type { JsonObject } from '../../src/model/json.ts';
import type { KmsEvent } from '../../src/model/kms-event.ts';

const DOC = new URL('../../fixtures/cloudtrail/aws-kms-developer-guide/', import.meta.url);
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-west-2:111122223333:key/${KEY}`;

function record(name: string): JsonObject {
  const json = JSON.parse(readFileSync(new URL(name, DOC), 'utf8')) as JsonObject;
  const records = json['Records'];
  return (Array.isArray(records) ? records[0] : json) as JsonObject;
}

function eventOf(result: NormalizeResult): KmsEvent {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

// Expectations from the AWS KMS Developer Guide page of each record and the KMS API reference.
describe('normalize: every tracked event on AWS sample records', () => {
  it.each([
    [
      'ct-createkey.1.json',
      'CreateKey',
      KEY,
      // An EXTERNAL key: PendingImport until the ImportKeyMaterial that follows, so its state is not compared.
      {
        key_usage: 'ENCRYPT_DECRYPT',
        customer_master_key_spec: 'SYMMETRIC_DEFAULT',
        multi_region: false,
        description: '',
      },
    ],
    [
      'ct-schedule-key-deletion.1.json',
      'ScheduleKeyDeletion',
      KEY,
      { key_state: 'PendingDeletion', deletion_date: '2021-04-12T18:58:30.000Z', deletion_window_in_days: 20 },
    ],
    [
      'ct-schedule-key-deletion.2.json',
      'ScheduleKeyDeletion',
      'mrk-1234abcd12ab34cd56ef1234567890ab',
      { key_state: 'PendingReplicaDeletion', deletion_window_in_days: 30 },
    ],
    [
      'ct-schedule-key-deletion.3.json',
      'ScheduleKeyDeletion',
      '0987dcba-09fe-87dc-65ba-ab0987654321',
      { key_state: 'PendingDeletion', deletion_date: '2021-11-02T23:25:25.000Z', deletion_window_in_days: 30 },
    ],
    ['ct-cancel-key-deletion.1.json', 'CancelKeyDeletion', KEY, { key_state: 'Disabled' }],
    ['ct-disablekey.1.json', 'DisableKey', KEY, { key_state: 'Disabled' }],
    ['ct-enablekey.1.json', 'EnableKey', KEY, { key_state: 'Enabled' }],
    [
      'ct-enablekeyrotation.1.json',
      'EnableKeyRotation',
      KEY, // No rotationPeriodInDays in the request: KMS rotates yearly.
      { enable_key_rotation: true, rotation_period_in_days: 365 },
    ],
    ['ct-disable-key-rotation.1.json', 'DisableKeyRotation', KEY, { enable_key_rotation: false }],
    ['ct-tagresource.1.json', 'TagResource', KEY, {}],
    ['ct-untagresource.1.json', 'UntagResource', KEY, {}],
    ['ct-update-key-description.1.json', 'UpdateKeyDescription', KEY, { description: expect.any(String) }],
  ])('%s → %s of %s', (file, name, keyId, attributes) => {
    const event = eventOf(normalizeRecord(record(file), ''));
    expect(event.name).toBe(name);
    expect(event.key?.keyId).toBe(keyId);
    // Region and account come from the ARN: several samples say awsRegion us-east-1 with us-west-2 ARNs.
    expect(event.region).toBe('us-west-2');
    expect(event.account).toBe('111122223333');
    expect(event.change.kind).toBe('key');
    expect(event.change.attributes).toEqual(attributes);
    expect(event.actor).toMatchObject({ user: 'Alice', type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/Alice' });
  });

  it('PutKeyPolicy parses the exact submitted policy text', () => {
    const event = eventOf(normalizeRecord(record('ct-put-key-policy.1.json'), ''));
    expect(event.change.attributes).toEqual({
      policy: {
        Version: '2012-10-17',
        Id: 'key-default-1',
        Statement: [
          {
            Sid: 'Enable IAM User Permissions',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111122223333:root' },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      },
    });
    expect(event.key?.arn).toBe(KEY_ARN);
  });

  it('TagResource and UntagResource are deltas, named by key ARN in requestParameters', () => {
    const tag = eventOf(normalizeRecord(record('ct-tagresource.1.json'), ''));
    expect(tag.change).toMatchObject({ kind: 'key', tagsSet: { Department: 'IT' } });
    const untag = eventOf(normalizeRecord(record('ct-untagresource.1.json'), ''));
    expect(untag.change).toMatchObject({ kind: 'key', tagsRemoved: ['Dept'] });
  });

  it('CreateAlias / UpdateAlias: alias and target as a bare key id; DeleteAlias: the key only in resources[]', () => {
    const create = eventOf(normalizeRecord(record('ct-createalias.1.json'), ''));
    expect(create).toMatchObject({
      resourceType: 'aws_kms_alias',
      alias: { name: 'alias/ExampleAlias', arn: 'arn:aws:kms:us-west-2:111122223333:alias/ExampleAlias' },
    });
    expect(create.change.attributes).toEqual({ alias_name: 'alias/ExampleAlias', target_key_id: KEY });
    const update = eventOf(normalizeRecord(record('ct-updatealias.1.json'), ''));
    expect(update.change.attributes).toEqual({ alias_name: 'alias/my_alias', target_key_id: KEY });
    const del = eventOf(normalizeRecord(record('ct-deletealias.1.json'), ''));
    expect(del.change).toEqual({ kind: 'alias', attributes: { alias_name: 'alias/my_alias' }, deleted: true });
    expect(del.key?.arn).toBe(KEY_ARN);
    // The 2014 sample's alias ARN says us-east-1: the alias's own ARN decides where the alias lives.
    expect(del.region).toBe('us-east-1');
  });

  it('history: 2014 records in a Records envelope, CreateAlias with an ARN target', () => {
    const json = JSON.parse(readFileSync(new URL('history/ct-createalias.7881062c80.1.json', DOC), 'utf8')) as {
      Records: JsonObject[];
    };
    const event = eventOf(normalizeRecord(json.Records[0] as JsonObject, 'Records[0]'));
    expect(event.change.attributes).toEqual({ alias_name: 'alias/my_alias', target_key_id: KEY });
    const create = JSON.parse(readFileSync(new URL('history/ct-createkey.980f865112.1.json', DOC), 'utf8')) as {
      Records: JsonObject[];
    };
    const key = eventOf(normalizeRecord(create.Records[0] as JsonObject, 'Records[0]'));
    expect(key).toMatchObject({
      name: 'CreateKey',
      region: 'us-east-1',
      key: { keyId: '06dc80ca-1bdc-4d0b-be5b-b7009cd14f13' },
    });
    expect(key.change.attributes).toMatchObject({ key_state: 'Enabled', key_usage: 'ENCRYPT_DECRYPT' });
  });

  it('CreateKey: keyMetadata beats a resources[] ARN that names another key (ct-createkey.3)', () => {
    const event = eventOf(normalizeRecord(record('ct-createkey.3.json'), ''));
    expect(event.key).toMatchObject({ keyId: KEY, arn: KEY_ARN, account: '111122223333', region: 'us-west-2' });
  });

  it('other KMS events and service events are skipped with a reason', () => {
    expect(normalizeRecord(record('ct-decrypt.1.json'), '')).toEqual({ kind: 'skip', reason: 'untracked_kms_event' });
    expect(normalizeRecord(record('ct-delete-key.1.json'), '')).toEqual({ kind: 'skip', reason: 'kms_service_event' });
  });
});

describe('normalize: Panther records (YAML flow maps)', () => {
  const panther = parse(
    readFileSync(new URL('../../fixtures/detections/panther/rules/aws_kms_cmk_loss.yml', import.meta.url), 'utf8'),
  ) as {
    Tests: { Name: string; Log: JsonObject }[];
  };
  const log = (name: string): JsonObject => panther.Tests.find((t) => t.Name === name)?.Log ?? {};

  it('an AssumedRole actor is the session issuer, as in Falco', () => {
    const event = eventOf(normalizeRecord(log('KMS Key Disabled'), ''));
    expect(event.actor).toMatchObject({
      user: 'tester',
      type: 'AssumedRole',
      issuerArn: 'arn:aws:iam::123456789012:role/tester',
    });
  });

  it('resources: null — the key comes from responseElements.keyId (ARN)', () => {
    const event = eventOf(normalizeRecord(log('KMS Key Scheduled For Deletion - missing resources'), ''));
    expect(event.key).toMatchObject({ arn: 'arn:aws:kms:us-west-2:123456789012:key/1', account: '123456789012' });
    expect(event.change.attributes).toMatchObject({ deletion_date: '2019-01-01T00:00:00.000Z' });
  });

  it('a failed call is an event with its error and no state change', () => {
    const event = eventOf(normalizeRecord(log('KMS Disable Key Error'), ''));
    expect(event.error).toEqual({ code: 'NotFoundException' });
    expect(event.change).toEqual({ kind: 'key', attributes: {} });
  });
});

describe('normalize: bad records give a located problem', () => {
  const base = record('ct-disablekey.1.json');
  it.each([
    [{ ...base, requestParameters: { keyId: 42 } }, 'Records[3].requestParameters.keyId', 'RECORD_SHAPE'],
    [{ ...base, eventTime: 'yesterday' }, 'Records[3].eventTime', 'RECORD_TIME'],
    [
      { ...base, requestParameters: {}, resources: null },
      'Records[3].requestParameters.keyId',
      'RECORD_KEY_UNRESOLVED',
    ],
    [{ ...base, resources: 'x' }, 'Records[3].resources', 'RECORD_SHAPE'],
  ])('%#: %s', (bad, path, code) => {
    const result = normalizeRecord(bad as JsonObject, 'Records[3]');
    expect(result).toMatchObject({ kind: 'problem', problem: { code, path, severity: 'error' } });
  });

  it("an alias name in keyId is kept for the state to resolve, in the call's account and Region", () => {
    const event = eventOf(
      normalizeRecord({ ...base, requestParameters: { keyId: 'alias/xks-foo' }, resources: [] } as JsonObject, ''),
    );
    expect(event.key).toEqual({
      aliasName: 'alias/xks-foo',
      partition: 'aws',
      account: base['recipientAccountId'],
      region: base['awsRegion'],
    });
  });

  it('__proto__ keys are ordinary data', () => {
    const evil = JSON.parse(
      JSON.stringify(record('ct-tagresource.1.json')).replace('"Department"', '"__proto__"'),
    ) as JsonObject;
    const event = eventOf(normalizeRecord(evil, ''));
    expect(Object.keys((event.change as { tagsSet: object }).tagsSet)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['IT']).toBeUndefined();
  });
});
