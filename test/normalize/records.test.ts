import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { normalizeRecord, type NormalizeResult } from '../../src/normalize/normalize.ts';
import { unwrapPayload } from '../../src/unwrap/unwrap.ts';
import type { JsonObject, JsonValue } from '../../src/model/json.ts';
import type { KmsEvent } from '../../src/model/kms-event.ts';

const F = new URL('../../fixtures/', import.meta.url);
const DOC = 'cloudtrail/aws-kms-developer-guide/';
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-west-2:111122223333:key/${KEY}`;

const json = (path: string): JsonValue => JSON.parse(readFileSync(new URL(path, F), 'utf8')) as JsonValue;
/** The first record of a sample, whether the page shows it bare or in a {"Records": […]} log file. */
const first = (path: string): JsonObject => (unwrapPayload(json(path)).records[0]?.record ?? {}) as JsonObject;
const clone = (r: JsonObject): Record<string, JsonValue> => structuredClone(r) as Record<string, JsonValue>;

function eventOf(result: NormalizeResult): KmsEvent {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

// The 2014-2020 versions of the AWS KMS Developer Guide pages: older record shapes (eventVersion 1.02, resources
// without `type`, responseElements null). Expected values read off each page.
describe('normalize: the history records of the KMS guide', () => {
  const K2014 = ['64e07f97-2489-4d04-bfdf-41723ad130bd', '123456789012', 'us-east-1'] as const;
  it.each([
    [
      'ct-createalias.7881062c80.1.json',
      'CreateAlias',
      KEY,
      '123456789012',
      'us-east-1',
      { alias_name: 'alias/my_alias', target_key_id: KEY },
    ],
    [
      'ct-createalias.980f865112.1.json',
      'CreateAlias',
      ...K2014,
      { alias_name: 'alias/my_alias', target_key_id: K2014[0] },
    ],
    [
      'ct-deletealias.7881062c80.1.json',
      'DeleteAlias',
      KEY,
      '111122223333',
      'us-east-1',
      { alias_name: 'alias/my_alias' },
    ],
    ['ct-deletealias.980f865112.1.json', 'DeleteAlias', ...K2014, { alias_name: 'alias/my_alias' }],
    ['ct-disablekey.7881062c80.1.json', 'DisableKey', KEY, '111122223333', 'us-west-2', { key_state: 'Disabled' }],
    [
      'ct-disablekey.980f865112.1.json',
      'DisableKey',
      '262d9fcb-f1a0-4447-af16-3714cff61ec1',
      '123456789012',
      'us-east-1',
      { key_state: 'Disabled' },
    ],
    ['ct-enablekey.7881062c80.1.json', 'EnableKey', KEY, '111122223333', 'us-west-2', { key_state: 'Enabled' }],
    [
      'ct-enablekey.980f865112.1.json',
      'EnableKey',
      'e17cebae-e7a6-4864-b92f-0365f2feff38',
      '123456789012',
      'us-east-1',
      { key_state: 'Enabled' },
    ],
    // "Jul 31, 2020 12:00:00 AM" is midnight.
    [
      'ct-schedule-key-deletion.7881062c80.1.json',
      'ScheduleKeyDeletion',
      KEY,
      '111122223333',
      'us-west-2',
      { key_state: 'PendingDeletion', deletion_date: '2020-07-31T00:00:00.000Z', deletion_window_in_days: 7 },
    ],
  ])('%s → %s of %s in %s/%s', (file, name, keyId, account, region, attributes) => {
    const event = eventOf(normalizeRecord(first(`${DOC}history/${file}`), 'Records[0]'));
    expect(event.name).toBe(name);
    expect(event.key?.keyId).toBe(keyId);
    expect([event.account, event.region]).toEqual([account, region]);
    expect(event.change.attributes).toEqual(attributes);
    if (name === 'DeleteAlias') expect(event.change).toMatchObject({ kind: 'alias', deleted: true });
  });

  it('CreateKey 2014: the policy text is parsed, three statements', () => {
    const event = eventOf(normalizeRecord(first(`${DOC}history/ct-createkey.980f865112.1.json`), 'Records[0]'));
    const policy = event.change.attributes as { policy: { Statement: unknown[] } };
    expect(policy.policy.Statement).toHaveLength(3);
    expect(event.key?.arn).toBe('arn:aws:kms:us-east-1:123456789012:key/06dc80ca-1bdc-4d0b-be5b-b7009cd14f13');
  });

  it.each([
    ['ct-delete-key.7881062c80.1.json', 'kms_service_event'],
    ['ct-encrypt.980f865112.1.json', 'kms_service_event'],
    ['ct-describekey.980f865112.1.json', 'untracked_kms_event'],
    ['ct-ec2one.980f865112.1.json', 'other_service'],
  ])('%s is skipped: %s', (file, reason) => {
    expect(normalizeRecord(first(`${DOC}history/${file}`), 'Records[0]')).toEqual({ kind: 'skip', reason });
  });
});

describe('normalize: key identity in every form CloudTrail uses', () => {
  it.each(['ct-tagresource.1.json', 'ct-disable-key-rotation.1.json', 'ct-schedule-key-deletion.3.json'])(
    '%s names the key by ARN in requestParameters.keyId: a bare id, account and region even without resources[]',
    (file) => {
      const record = clone(first(`${DOC}${file}`));
      delete record['resources'];
      delete record['responseElements'];
      const key = eventOf(normalizeRecord(record, '')).key;
      expect(key?.arn).toMatch(/^arn:aws:kms:us-west-2:111122223333:key\//);
      expect(key?.keyId).toBe(key?.arn?.slice(key.arn.indexOf('/') + 1));
    },
  );

  it('responseElements.keyId: an ARN beats an alias in the request; a bare id is used as the key id', () => {
    const record = clone(first(`${DOC}ct-schedule-key-deletion.1.json`));
    delete record['resources'];
    record['requestParameters'] = { keyId: 'alias/ExampleAlias' };
    expect(eventOf(normalizeRecord(record, '')).key).toMatchObject({ keyId: KEY, arn: KEY_ARN, region: 'us-west-2' });
    // Without an ARN, the names are placed where KMS resolves them: the call's account and Region.
    const call = { partition: 'aws', account: '111122223333', region: record['awsRegion'] };
    record['responseElements'] = { keyId: KEY, deletionDate: 'Apr 12, 2021 18:58:30 PM' };
    expect(eventOf(normalizeRecord(record, '')).key).toEqual({ keyId: KEY, aliasName: 'alias/ExampleAlias', ...call });
    record['responseElements'] = null;
    expect(eventOf(normalizeRecord(record, '')).key).toEqual({ aliasName: 'alias/ExampleAlias', ...call });
  });

  it('an alias ARN in keyId is kept as the alias, with the account and region of its ARN', () => {
    const record = clone(first(`${DOC}ct-disablekey.1.json`));
    record['resources'] = [];
    record['requestParameters'] = { keyId: 'arn:aws:kms:eu-west-1:444455556666:alias/prod' };
    const event = eventOf(normalizeRecord(record, ''));
    expect(event.key).toEqual({
      aliasName: 'alias/prod',
      partition: 'aws',
      account: '444455556666',
      region: 'eu-west-1',
    });
    expect([event.account, event.region]).toEqual(['444455556666', 'eu-west-1']);
  });

  it.each([
    ['ct-createkey.1.json', 'AWSAccountId'],
    ['ct-createkey.2.json', 'aWSAccountId'],
  ])('CreateKey (%s spells it %s): keyMetadata alone names the key and its account', (file) => {
    const record = clone(first(`${DOC}${file}`));
    delete record['resources'];
    delete record['recipientAccountId'];
    delete (record['userIdentity'] as Record<string, JsonValue>)['accountId'];
    delete ((record['responseElements'] as Record<string, JsonValue>)['keyMetadata'] as Record<string, JsonValue>)[
      'arn'
    ];
    const event = eventOf(normalizeRecord(record, ''));
    expect(event.key).toMatchObject({ account: '111122223333' });
    expect(event.key?.keyId).toMatch(/^(1234abcd|0987dcba)-/);
    expect(event.account).toBe('111122223333');
  });

  it('CreateAlias with an ARN target and no resources[] (EventBridge 2018 payloads): target is a bare id', () => {
    const record = clone(first(`${DOC}history/ct-createalias.7881062c80.1.json`));
    delete record['resources'];
    const event = eventOf(normalizeRecord(record, ''));
    expect(event.change.attributes).toEqual({ alias_name: 'alias/my_alias', target_key_id: KEY });
    expect(event.key).toMatchObject({ keyId: KEY, arn: KEY_ARN });
  });

  it('resources[] written with a lowercase `arn` still name the key', () => {
    const record = clone(first(`${DOC}ct-disablekey.1.json`));
    record['requestParameters'] = {};
    record['resources'] = [null, {}, { arn: KEY_ARN }];
    expect(eventOf(normalizeRecord(record, '')).key?.arn).toBe(KEY_ARN);
  });
});

describe('normalize: change details', () => {
  it('EnableKeyRotation carries rotationPeriodInDays when the request has it (2024+)', () => {
    const record = clone(first(`${DOC}ct-enablekeyrotation.1.json`));
    record['requestParameters'] = { keyId: KEY, rotationPeriodInDays: 180 };
    expect(eventOf(normalizeRecord(record, '')).change.attributes).toEqual({
      enable_key_rotation: true,
      rotation_period_in_days: 180,
    });
  });

  it('ScheduleKeyDeletion keeps the requested window; the multi-Region primary has no deletion date', () => {
    expect(eventOf(normalizeRecord(first(`${DOC}ct-schedule-key-deletion.1.json`), '')).change).toMatchObject({
      pendingWindowInDays: 20,
    });
    const mrk = eventOf(normalizeRecord(first(`${DOC}ct-schedule-key-deletion.2.json`), ''));
    expect(mrk.key?.keyId).toBe('mrk-1234abcd12ab34cd56ef1234567890ab');
    expect(mrk.change).toEqual({
      kind: 'key',
      attributes: { key_state: 'PendingReplicaDeletion', deletion_window_in_days: 30 },
      pendingWindowInDays: 30,
    });
  });

  it('PutKeyPolicy with a policy that is not JSON keeps the text and is still an event', () => {
    const record = clone(first(`${DOC}ct-put-key-policy.1.json`));
    record['requestParameters'] = { keyId: KEY, policyName: 'default', policy: '{"Version": "2012-10-17", ' };
    expect(eventOf(normalizeRecord(record, '')).change.attributes).toEqual({ policy: '{"Version": "2012-10-17", ' });
  });

  it('a failed alias call changes nothing: no attributes, not deleted, but the error is there', () => {
    const record = clone(first(`${DOC}ct-deletealias.1.json`));
    record['errorCode'] = 'NotFoundException';
    record['errorMessage'] = 'Alias arn:aws:kms:us-east-1:111122223333:alias/my_alias is not found.';
    const event = eventOf(normalizeRecord(record, ''));
    expect(event.change).toEqual({ kind: 'alias', attributes: {} });
    expect(event.error?.code).toBe('NotFoundException');
  });
});

describe('normalize: Panther test records', () => {
  const tests = (file: string): Map<string, JsonObject> => {
    const doc = parse(readFileSync(new URL(`detections/panther/rules/${file}`, F), 'utf8')) as {
      Tests: { Name: string; Log: JsonObject }[];
    };
    return new Map(doc.Tests.map((t) => [t.Name, t.Log]));
  };
  const published = tests('aws_resource_made_public.yml');

  it('PutKeyPolicy (2025, SSO role): nanosecond eventTime, policy string with Version 2008-10-17', () => {
    const event = eventOf(normalizeRecord(published.get('KMS Key Restricted Access (Should Not Alert)') ?? {}, ''));
    expect(event.eventTime).toBe('2025-03-05T21:19:44.000Z');
    expect(event.change.attributes).toMatchObject({ policy: { Version: '2008-10-17' } });
    expect((event.change.attributes as { policy: { Statement: unknown[] } }).policy.Statement).toHaveLength(4);
    expect(event.actor).toMatchObject({ type: 'AssumedRole', user: 'AWSReservedSSO_ExampleRole_xxxxxxxxxxxxxxxx' });
  });

  it('PutKeyPolicy that names no key at all is RECORD_KEY_UNRESOLVED; with a key, its object policy is kept', () => {
    const log = published.get('Wildcard Principal No Conditions (Should Alert)') ?? {};
    expect(normalizeRecord(log, 'Records[0]')).toMatchObject({
      kind: 'problem',
      problem: { code: 'RECORD_KEY_UNRESOLVED', path: 'Records[0].requestParameters.keyId' },
    });
    const withKey = clone(log);
    (withKey['requestParameters'] as Record<string, JsonValue>)['keyId'] = KEY;
    const event = eventOf(normalizeRecord(withKey, ''));
    expect(event.eventTime).toBe('2024-01-01T00:00:00.000Z');
    expect(event.change.attributes).toEqual({
      policy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }],
      },
    });
    // No sessionIssuer: Falco's ct.user is the literal type; no awsRegion-less fallback needed here.
    expect(event.actor.user).toBe('AssumedRole');
    expect(event.region).toBe('us-west-2');
  });

  it('the SQS SetQueueAttributes and S3 records of the same file are other services', () => {
    const kinds = [...published.values()].map((log) => normalizeRecord(log, ''));
    expect(kinds.filter((k) => k.kind === 'skip' && k.reason === 'other_service').length).toBeGreaterThan(0);
    expect(kinds.filter((k) => k.kind === 'event').length).toBe(1);
  });
});

describe('normalize: what is skipped, and why', () => {
  it('same-name events of other services (our fixture: WorkMail CreateAlias, rbin TagResource, …) are other_service', () => {
    const out = unwrapPayload(json('own/cloudtrail/other-services/same-name-events.json'));
    const results = out.records.map(({ record, path }) => normalizeRecord(record, path));
    expect(results.length).toBeGreaterThanOrEqual(4);
    expect(results.every((r) => r.kind === 'skip' && r.reason === 'other_service')).toBe(true);
  });

  it('Insight records of the plaso log file are insight_event; the rest are other services', () => {
    const out = unwrapPayload(json('envelopes/s3-cloudtrail-log-files/plaso/aws_cloudtrail.json'));
    const reasons = out.records.map(({ record, path }) => {
      const r = normalizeRecord(record, path);
      return r.kind === 'skip' ? r.reason : r.kind;
    });
    expect(reasons.filter((r) => r === 'insight_event')).toHaveLength(2);
    expect(reasons.filter((r) => r === 'other_service')).toHaveLength(7);
  });
});

describe('normalize: Falco ct.user for every identity type', () => {
  const base = first(`${DOC}ct-disablekey.1.json`);
  it.each([
    [{ type: 'IAMUser', userName: 'Alice' }, 'Alice'],
    [{ type: 'Root', userName: 'root-name', arn: 'arn:aws:iam:::root' }, 'root-name'],
    [{ type: 'AWSService', invokedBy: 'cloudfront.amazonaws.com' }, 'cloudfront.amazonaws.com'],
    [
      {
        type: 'AssumedRole',
        sessionContext: { sessionIssuer: { userName: 'deployer', arn: 'arn:aws:iam::1:role/deployer' } },
      },
      'deployer',
    ],
    [{ type: 'AssumedRole' }, 'AssumedRole'],
    [{ type: 'AWSAccount', accountId: '111122223333' }, 'AWSAccount'],
    [{ type: 'FederatedUser' }, 'FederatedUser'],
    [{ accountId: '111122223333', invokedBy: 'AWS Internal' }, undefined],
  ])('%j → %s', (userIdentity, user) => {
    const event = eventOf(normalizeRecord({ ...base, userIdentity } as JsonObject, ''));
    expect(event.actor.user).toBe(user);
  });
});

describe('normalize: wrong types are RECORD_SHAPE / RECORD_TIME at their JSON path', () => {
  const tag = first(`${DOC}ct-tagresource.1.json`);
  const untag = first(`${DOC}ct-untagresource.1.json`);
  const disable = first(`${DOC}ct-disablekey.1.json`);
  it.each([
    [
      { ...tag, requestParameters: { keyId: KEY, tags: { Department: 'IT' } } },
      'RECORD_SHAPE',
      'Records[2].requestParameters.tags',
    ],
    [
      { ...tag, requestParameters: { keyId: KEY, tags: ['x'] } },
      'RECORD_SHAPE',
      'Records[2].requestParameters.tags[0]',
    ],
    [
      { ...tag, requestParameters: { keyId: KEY, tags: [{ tagKey: 'a', tagValue: 1 }] } },
      'RECORD_SHAPE',
      'Records[2].requestParameters.tags[0].tagValue',
    ],
    [
      { ...untag, requestParameters: { keyId: KEY, tagKeys: ['a', 7] } },
      'RECORD_SHAPE',
      'Records[2].requestParameters.tagKeys[1]',
    ],
    [{ ...disable, responseElements: 'ok' }, 'RECORD_SHAPE', 'Records[2].responseElements'],
    [{ ...disable, requestParameters: [] }, 'RECORD_SHAPE', 'Records[2].requestParameters'],
    [{ ...disable, eventTime: null }, 'RECORD_TIME', 'Records[2].eventTime'],
    [{ ...disable, eventTime: 'Feb 31, 2021 10:00:00 AM' }, 'RECORD_TIME', 'Records[2].eventTime'],
    [{ ...disable, eventTime: '2021-02-31T10:00:00Z' }, 'RECORD_TIME', 'Records[2].eventTime'],
  ])('%#: %s at %s', (record, code, path) => {
    expect(normalizeRecord(record as JsonObject, 'Records[2]')).toMatchObject({
      kind: 'problem',
      problem: { code, path },
    });
  });

  it('an epoch-seconds eventTime is accepted and shown as ISO 8601', () => {
    expect(eventOf(normalizeRecord({ ...disable, eventTime: 1415062363 } as JsonObject, '')).eventTime).toBe(
      '2014-11-04T00:52:43.000Z',
    );
  });
});
