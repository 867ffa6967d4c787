import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeRecord, type NormalizeResult } from '../../src/normalize/normalize.ts';
import { notReadReason, READ_ALL, READ_TRACKED, reads, type ReadSet } from '../../src/normalize/read-set.ts';
import type { JsonObject } from '../../src/model/json.ts';
import type { KmsEvent } from '../../src/model/kms-event.ts';

const DOC = 'fixtures/cloudtrail/aws-kms-developer-guide/';
const KEY_ARN = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function record(path: string): JsonObject {
  const json = JSON.parse(readFileSync(path, 'utf8')) as JsonObject | JsonObject[];
  if (Array.isArray(json)) return json[0] as JsonObject;
  const records = json['Records'];
  return (Array.isArray(records) ? records[0] : json) as JsonObject;
}

function eventOf(result: NormalizeResult): KmsEvent {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

describe('normalize with a read set: what the rules read becomes an event', () => {
  it('the default read set is the tracked KMS events: the rest is skipped as it always was', () => {
    expect(normalizeRecord(record(`${DOC}ct-decrypt.1.json`), '')).toEqual({
      kind: 'skip',
      reason: 'untracked_kms_event',
    });
    expect(normalizeRecord(record(`${DOC}ct-delete-key.1.json`), '')).toEqual({
      kind: 'skip',
      reason: 'kms_service_event',
    });
    const stop = record('fixtures/cloudtrail/non-kms/stratus-red-team/aws.defense-evasion.cloudtrail-stop.json');
    expect(normalizeRecord(stop, '')).toEqual({ kind: 'skip', reason: 'other_service' });
  });

  it('a Decrypt read by the rules is an event about its key, with no change', () => {
    const event = eventOf(normalizeRecord(record(`${DOC}ct-decrypt.1.json`), '', READ_ALL));
    expect(event).toMatchObject({
      name: 'Decrypt',
      eventId: 'abcde202-ba1a-467c-b4ba-f729d45ae521',
      eventSource: 'kms.amazonaws.com',
      resourceType: 'aws_kms_key',
      key: { arn: KEY_ARN, account: '111122223333', region: 'us-west-2' },
      account: '111122223333',
      region: 'us-west-2',
      change: { kind: 'none', attributes: {} },
    });
  });

  it("KMS's own service events and calls that name no key are events too", () => {
    const deletion = eventOf(normalizeRecord(record(`${DOC}ct-delete-key.1.json`), '', READ_ALL));
    expect(deletion).toMatchObject({ name: 'DeleteKey', key: { arn: KEY_ARN }, change: { kind: 'none' } });
    const random = eventOf(normalizeRecord(record(`${DOC}ct-generaterandom.1.json`), '', READ_ALL));
    expect(random).toMatchObject({ name: 'GenerateRandom', account: '111122223333', region: 'us-east-1' });
    expect(random.key).toBeUndefined();
    expect(random.resourceType).toBeUndefined();
  });

  it('a failed call keeps its error', () => {
    const denied = { ...record(`${DOC}ct-decrypt.1.json`), errorCode: 'AccessDenied', errorMessage: 'no' };
    expect(eventOf(normalizeRecord(denied, '', READ_ALL)).error).toEqual({ code: 'AccessDenied', message: 'no' });
  });

  it("another service's record is an event about no KMS resource", () => {
    const stop = record('fixtures/cloudtrail/non-kms/stratus-red-team/aws.defense-evasion.cloudtrail-stop.json');
    const event = eventOf(normalizeRecord(stop, 'Records[0]', READ_ALL));
    expect(event).toMatchObject({
      name: 'StopLogging',
      eventId: '10163ed2-2253-469d-a5ee-cbc6651f8934',
      eventTime: '2024-07-31T13:06:24Z',
      eventSource: 'cloudtrail.amazonaws.com',
      account: '143434273843',
      region: 'apiso-centralnorth-2r',
      actor: { user: 'christophe', type: 'IAMUser' },
      change: { kind: 'none', attributes: {} },
    });
    expect(event.key).toBeUndefined();
    expect(event.resourceType).toBeUndefined();
    // Its parameters are its own business: a shape KMS records may not have is no problem here.
    expect(normalizeRecord({ ...stop, requestParameters: 'x', resources: 7 }, '', READ_ALL).kind).toBe('event');
    // Its time still must be one.
    expect(normalizeRecord({ ...stop, eventTime: 'soon' }, 'Records[2]', READ_ALL)).toMatchObject({
      kind: 'problem',
      problem: { code: 'RECORD_TIME', path: 'Records[2].eventTime' },
    });
  });

  it('a tracked event read with every record keeps its change', () => {
    const event = eventOf(normalizeRecord(record(`${DOC}ct-disablekey.1.json`), '', READ_ALL));
    expect(event.change).toEqual({ kind: 'key', attributes: { key_state: 'Disabled' } });
  });

  it('a record outside the read set keeps the reason normalize always gave it', () => {
    const names: ReadSet = { anySource: new Set(['StopLogging']), bySource: new Map() };
    expect(normalizeRecord(record(`${DOC}ct-disablekey.1.json`), '', names)).toEqual({
      kind: 'skip',
      reason: 'untracked_kms_event',
    });
    const stop = record('fixtures/cloudtrail/non-kms/stratus-red-team/aws.defense-evasion.cloudtrail-stop.json');
    expect(normalizeRecord(stop, '', names).kind).toBe('event');
    expect(normalizeRecord({ ...stop, eventName: 'StartLogging' }, '', names)).toEqual({
      kind: 'skip',
      reason: 'other_service',
    });
  });
});

describe('reads: by short source and event name', () => {
  const set: ReadSet = {
    anySource: new Set(['StopLogging']),
    bySource: new Map<string, ReadonlySet<string> | 'all'>([
      ['ecs', new Set(['RunTask'])],
      ['s3', 'all'],
    ]),
  };

  it.each([
    ['cloudtrail.amazonaws.com', 'StopLogging', true],
    ['anything', 'StopLogging', true],
    ['ecs.amazonaws.com', 'RunTask', true],
    ['ecs', 'RunTask', true],
    ['ec2.amazonaws.com', 'RunTask', false],
    ['s3.amazonaws.com', 'GetObject', true],
    ['s3.amazonaws.com', undefined, true],
    ['ecs.amazonaws.com', undefined, false],
    ['.amazonaws.com', 'RunTask', false],
  ] as const)('%s %s → %s', (source, name, expected) => {
    expect(reads(set, source, name)).toBe(expected);
  });

  it('names the reason a record is not read as normalize always did', () => {
    expect(notReadReason(READ_TRACKED, 'kms.amazonaws.com', 'AwsApiCall', 'Decrypt')).toBe('untracked_kms_event');
    expect(notReadReason(READ_TRACKED, 'kms.amazonaws.com', 'AwsServiceEvent', 'DeleteKey')).toBe('kms_service_event');
    expect(notReadReason(READ_TRACKED, 'kms.amazonaws.com', undefined, undefined)).toBe('untracked_kms_event');
    expect(notReadReason(READ_TRACKED, 's3.amazonaws.com', 'AwsApiCall', 'CreateKey')).toBe('other_service');
    expect(notReadReason(READ_TRACKED, 'kms.amazonaws.com', 'AwsApiCall', 'DisableKey')).toBeUndefined();
  });
});
