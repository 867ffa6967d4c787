import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { unwrapPayload } from '../../src/unwrap/unwrap.ts';
import type { JsonValue } from '../../src/model/json.ts';

const F = new URL('../../fixtures/', import.meta.url);
const json = (path: string): JsonValue => JSON.parse(readFileSync(new URL(path, F), 'utf8')) as JsonValue;
const record = json('cloudtrail/aws-kms-developer-guide/ct-disablekey.1.json');

describe('unwrap: every envelope that reaches the queue', () => {
  it('a single record and a CloudTrail log file', () => {
    expect(unwrapPayload(record).records.map((r) => r.path)).toEqual(['']);
    const log = unwrapPayload(json('envelopes/s3-cloudtrail-log-files/plaso/aws_cloudtrail.json'));
    expect(log.records.length).toBeGreaterThan(0);
    expect(log.records[0]?.path).toBe('Records[0]');
    expect(log.problems).toEqual([]);
  });

  it('a bare JSON array of records (Stratus Red Team detonation logs) is records; an array inside an envelope is not', () => {
    const out = unwrapPayload(json('cloudtrail/non-kms/stratus-red-team/aws.persistence.iam-create-admin-user.json'));
    expect(out.records.map((r) => r.path)).toEqual(['[0]', '[1]', '[2]']);
    expect(out.problems).toEqual([]);
    const nested = unwrapPayload({ Type: 'Notification', Message: JSON.stringify([record]) });
    expect(nested.records).toEqual([]);
    expect(nested.problems.map((p) => p.message)).toEqual(['expected a JSON object, got an array']);
  });

  it('a gzipped real organization-trail log file with mixed services (ccbrown)', () => {
    const gz = readFileSync(
      new URL(
        'envelopes/s3-cloudtrail-log-files/ccbrown_cloud-snitch/AWSLogs/o-1234abcde/222222222222/CloudTrail/us-east-1/2025/03/06/222222222222_CloudTrail_us-east-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz',
        F,
      ),
    );
    const out = unwrapPayload(JSON.parse(gunzipSync(gz).toString('utf8')) as JsonValue);
    expect(out.records.length).toBe(20);
    expect(out.problems).toEqual([]);
  });

  it('EventBridge: the detail is the record; the envelope fills account and region when the record lacks them', () => {
    const event = {
      version: '0',
      id: 'x',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.kms',
      account: '111122223333',
      region: 'us-west-2',
      resources: [],
      detail: { eventSource: 'kms.amazonaws.com', eventName: 'DisableKey' },
    };
    const out = unwrapPayload(event as JsonValue);
    expect(out.records).toEqual([
      {
        record: {
          eventSource: 'kms.amazonaws.com',
          eventName: 'DisableKey',
          recipientAccountId: '111122223333',
          awsRegion: 'us-west-2',
        },
        path: 'detail',
      },
    ]);
    const s3 = unwrapPayload(json('envelopes/eventbridge/aws-docs.cloudwatch-events-guide.aws.s3.CreateBucket.json'));
    expect(s3.records).toHaveLength(1);
  });

  it.each(['1', '2', '3'])('EventBridge KMS service event %s is recognised and counted', (n) => {
    const out = unwrapPayload(json(`envelopes/eventbridge/aws-docs.kms-service-event.kms-events.${n}.json`));
    expect(out).toMatchObject({ records: [], problems: [], skipped: { kms_service_event: 1 } });
  });

  it("SNS notification wrapping EventBridge, and CloudTrail's own SNS message listing several log files", () => {
    const sns = {
      Type: 'Notification',
      MessageId: 'm',
      Message: JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', detail: record }),
    };
    expect(unwrapPayload(sns as JsonValue).records.map((r) => r.path)).toEqual(['Message.detail']);
    const ct = unwrapPayload(
      json('envelopes/aws-cloudtrail-user-guide/configure-sns-notifications-for-cloudtrail.2.json'),
    );
    expect(ct.s3Objects.map((o) => o.bucket)).toEqual(['your-bucket-name', 'your-bucket-name', 'your-bucket-name']);
    expect(ct.s3Objects[0]?.key).toMatch(/^AWSLogs\/123456789012\/CloudTrail\/us-east-2\/2016\/08\/11\//);
  });

  it('S3 event notifications: URL-encoded keys, directly and inside SNS; digest files are skipped', () => {
    const s3 = unwrapPayload(json('envelopes/aws-lambda-go/s3-event.json'));
    expect(s3.s3Objects).toEqual([{ bucket: 'sourcebucket', key: 'Happy Face.jpg', path: 'Records[0].s3' }]);
    const digest = {
      Records: [
        {
          eventSource: 'aws:s3',
          s3: { bucket: { name: 'b' }, object: { key: 'AWSLogs/1/CloudTrail-Digest/us-east-1/x.json.gz' } },
        },
      ],
    };
    expect(unwrapPayload(digest as JsonValue)).toMatchObject({ s3Objects: [], skipped: { digest_file: 1 } });
    const wrapped = {
      Type: 'Notification',
      Subject: 'Amazon S3 Notification',
      Message: JSON.stringify(json('envelopes/aws-lambda-go/s3-event.json')),
    };
    expect(unwrapPayload(wrapped as JsonValue).s3Objects[0]?.path).toBe('Message.Records[0].s3');
  });

  it('LookupEvents output lines carry the record as a JSON string', () => {
    const lines = readFileSync(
      new URL('envelopes/s3-cloudtrail-log-files/plaso/jsonl__aws_cloudtrail.jsonl', F),
      'utf8',
    )
      .trim()
      .split('\n');
    const out = unwrapPayload(JSON.parse(lines[0] ?? '{}') as JsonValue);
    expect(out.records).toHaveLength(1);
    expect(out.records[0]?.path).toBe('CloudTrailEvent');
  });

  it('Lambda-style SNS with a non-JSON message, and unknown shapes, are located problems', () => {
    const sns = unwrapPayload(json('envelopes/aws-lambda-go/sns-event.json'));
    expect(sns.problems).toMatchObject([{ code: 'INPUT_JSON', path: 'Records[0].Sns.Message' }]);
    expect(unwrapPayload('records' as JsonValue).problems).toMatchObject([{ code: 'INPUT_SHAPE', path: '$' }]);
    expect(unwrapPayload([1, 2] as JsonValue).problems).toMatchObject([
      { code: 'INPUT_SHAPE', path: '[0]' },
      { code: 'INPUT_SHAPE', path: '[1]' },
    ]);
    expect(unwrapPayload({ hello: 'world' }).problems).toMatchObject([{ code: 'INPUT_SHAPE' }]);
  });
});
