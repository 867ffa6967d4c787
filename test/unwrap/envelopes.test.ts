import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { unwrapPayload, type Unwrapped } from '../../src/unwrap/unwrap.ts';
import type { JsonObject, JsonValue } from '../../src/model/json.ts';

const ENVELOPES = fileURLToPath(new URL('../../fixtures/envelopes/', import.meta.url));
const RECORD = JSON.parse(
  readFileSync(
    new URL('../../fixtures/cloudtrail/aws-kms-developer-guide/ct-disablekey.1.json', import.meta.url),
    'utf8',
  ),
) as JsonObject;

function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) =>
      statSync(`${dir}${n}`).isDirectory() ? files(`${dir}${n}/`, `${prefix}${n}/`) : [`${prefix}${n}`],
    );
}

/** Each payload of a fixture: the document, or each line of JSON Lines; gzip by magic bytes. */
function payloads(file: string): JsonValue[] {
  const raw = readFileSync(`${ENVELOPES}${file}`);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  if (!file.endsWith('.jsonl')) return [JSON.parse(text) as JsonValue];
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as JsonValue);
}

interface Expected {
  /** Paths of the records found, in order. */
  readonly records?: readonly string[];
  readonly s3?: readonly string[];
  readonly skipped?: Unwrapped['skipped'];
  readonly problems?: readonly (readonly [string, string])[];
}

const r0 = { records: ['Records[0]'] };
const ccbrown = 'ccbrown_cloud-snitch/AWSLogs/';
// What each third-party envelope holds, read off the file. Every file under fixtures/envelopes/ must be listed.
const EXPECTED: Readonly<Record<string, Expected | 'invalid JSON'>> = {
  'aws-cloudtrail-user-guide/cloudtrail-log-file-examples.1.json': r0,
  'aws-cloudtrail-user-guide/cloudtrail-log-file-examples.2.json': r0,
  'aws-cloudtrail-user-guide/cloudtrail-log-file-examples.3.json': r0,
  'aws-cloudtrail-user-guide/cloudtrail-log-file-examples.4.json': r0,
  'aws-cloudtrail-user-guide/cloudtrail-log-file-examples.5.json': r0,
  'aws-cloudtrail-user-guide/cloudtrail-log-file-examples.6.INVALID.txt': 'invalid JSON',
  'aws-cloudtrail-user-guide/cloudtrail-log-file-examples.7.json': r0,
  'aws-cloudtrail-user-guide/cloudtrail-log-file-examples.8.json': { records: ['Records[0]', 'Records[1]'] },
  'aws-cloudtrail-user-guide/configure-sns-notifications-for-cloudtrail.1.json': {
    s3: [
      'your-bucket-name/AWSLogs/123456789012/CloudTrail/us-east-2/2013/12/13/123456789012_CloudTrail_us-west-2_20131213T1920Z_LnPgDQnpkSKEsppV.json.gz',
    ],
  },
  'aws-cloudtrail-user-guide/configure-sns-notifications-for-cloudtrail.2.json': {
    s3: ['2215Z_kpaMYavMQA9Ahp7L', '2210Z_zqDkyQv3TK8ZdLr0', '2205Z_jaMVRa6JfdLCJYHP'].map(
      (tail) =>
        `your-bucket-name/AWSLogs/123456789012/CloudTrail/us-east-2/2016/08/11/123456789012_CloudTrail_us-east-2_20160811T${tail}.json.gz`,
    ),
  },
  'aws-cloudtrail-user-guide/non-api-aws-service-events.1.json': { records: [''] },
  // CloudWatch Logs subscription data (base64 gzip) is not a CloudTrail delivery path.
  'aws-lambda-go/cloudwatch-logs-event.json': { problems: [['INPUT_SHAPE', '$']] },
  'aws-lambda-go/s3-event-with-decoded.json': { s3: ['sourcebucket/Happy Face.jpg'] },
  'aws-lambda-go/s3-event.json': { s3: ['sourcebucket/Happy Face.jpg'] },
  'aws-lambda-go/sns-event.json': { problems: [['INPUT_JSON', 'Records[0].Sns.Message']] },
  'aws-lambda-go/sqs-event.json': { problems: [['INPUT_JSON', 'Records[0].body']] },
  'eventbridge/aws-docs.cloudwatch-events-guide.aws.s3.CreateBucket.json': { records: ['detail'] },
  'eventbridge/aws-docs.kms-service-event.kms-events.1.json': { skipped: { kms_service_event: 1 } },
  'eventbridge/aws-docs.kms-service-event.kms-events.2.json': { skipped: { kms_service_event: 1 } },
  'eventbridge/aws-docs.kms-service-event.kms-events.3.json': { skipped: { kms_service_event: 1 } },
  [`s3-cloudtrail-log-files/${ccbrown}333333333333/CloudTrail/us-east-1/2025/03/06/333333333333_CloudTrail_us-east-1_20250306T0320Z_ZgdYr0lP8M9fWEH8.json.gz`]:
    r0,
  [`s3-cloudtrail-log-files/${ccbrown}o-1234abcde/222222222222/CloudTrail/us-east-1/2025/03/06/222222222222_CloudTrail_us-east-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz`]:
    { records: Array.from({ length: 20 }, (_, i) => `Records[${i}]`) },
  's3-cloudtrail-log-files/plaso/aws_cloudtrail.json': {
    records: Array.from({ length: 9 }, (_, i) => `Records[${i}]`),
  },
  // LookupEvents output, one event a line: the record is the JSON string in CloudTrailEvent.
  's3-cloudtrail-log-files/plaso/jsonl__aws_cloudtrail.jsonl': { records: ['CloudTrailEvent'] },
};

describe('unwrap: every envelope in fixtures/envelopes', () => {
  it('every fixture has an expectation here', () => {
    expect(files(ENVELOPES)).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED).filter(([, e]) => e !== 'invalid JSON'))('%s', (file, expected) => {
    if (expected === 'invalid JSON') return;
    for (const payload of payloads(file)) {
      const out = unwrapPayload(payload);
      expect(out.records.map((r) => r.path)).toEqual(expected.records ?? []);
      expect(out.s3Objects.map((o) => `${o.bucket}/${o.key}`)).toEqual(expected.s3 ?? []);
      expect(out.skipped).toEqual(expected.skipped ?? {});
      expect(out.problems.map((p) => [p.code, p.path])).toEqual(expected.problems ?? []);
    }
  });

  it('EventBridge (real docs sample): the record gets the envelope account it lacks; its own awsRegion stays', () => {
    const out = unwrapPayload(
      payloads('eventbridge/aws-docs.cloudwatch-events-guide.aws.s3.CreateBucket.json')[0] ?? null,
    );
    expect(out.records[0]?.record).toMatchObject({ recipientAccountId: '123456789012', awsRegion: 'us-east-1' });
  });
});

describe('unwrap: envelopes inside envelopes, with the path of each thing', () => {
  const sns = (message: JsonValue): JsonObject => ({
    Type: 'Notification',
    MessageId: 'm',
    Message: JSON.stringify(message),
  });
  const logFile = { Records: [RECORD, RECORD, RECORD] };

  it.each<[string, JsonValue, Expected]>([
    [
      'Lambda SNS → log file',
      { Records: [{ EventSource: 'aws:sns', Sns: sns(logFile) }] },
      { records: [0, 1, 2].map((i) => `Records[0].Sns.Message.Records[${i}]`) },
    ],
    [
      'SQS → SNS → CloudTrail notification',
      {
        Records: [
          {
            eventSource: 'aws:sqs',
            body: JSON.stringify(sns({ s3Bucket: 'b', s3ObjectKey: ['AWSLogs/1/CloudTrail/x.json.gz'] })),
          },
        ],
      },
      { s3: ['b/AWSLogs/1/CloudTrail/x.json.gz'] },
    ],
    [
      'SQS → EventBridge',
      {
        Records: [
          {
            eventSource: 'aws:sqs',
            body: JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', detail: RECORD }),
          },
        ],
      },
      { records: ['Records[0].body.detail'] },
    ],
    [
      'SNS → S3 event with a +-encoded key',
      sns({
        Records: [
          { eventSource: 'aws:s3', s3: { bucket: { name: 'b' }, object: { key: 'AWSLogs/my+logs/a%2Bb.json.gz' } } },
        ],
      }),
      { s3: ['b/AWSLogs/my logs/a+b.json.gz'] },
    ],
    [
      'CloudTrail notification listing a digest',
      {
        s3Bucket: 'b',
        s3ObjectKey: ['AWSLogs/1/CloudTrail-Digest/us-east-1/d.json.gz', 'AWSLogs/1/CloudTrail/us-east-1/l.json.gz'],
      },
      { s3: ['b/AWSLogs/1/CloudTrail/us-east-1/l.json.gz'], skipped: { digest_file: 1 } },
    ],
    [
      'a digest file itself',
      { awsAccountId: '1', digestStartTime: '2024-05-01T00:00:00Z', logFiles: [] },
      { skipped: { digest_file: 1 } },
    ],
    [
      'lookup-events output',
      { Events: [{ EventId: 'a', CloudTrailEvent: JSON.stringify(RECORD) }, { EventId: 'b' }] },
      { records: ['Events[0].CloudTrailEvent'], problems: [['INPUT_SHAPE', 'Events[1]']] },
    ],
    [
      'an SNS subscription confirmation',
      { Type: 'SubscriptionConfirmation', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'confirm' },
      { skipped: { not_cloudtrail: 1 } },
    ],
    [
      'an EventBridge event of another kind',
      { 'detail-type': 'EC2 Instance State-change Notification', detail: {} },
      { skipped: { not_cloudtrail: 1 } },
    ],
    [
      'an S3 event without a key',
      { Records: [{ s3: { bucket: { name: 'b' }, object: {} } }] },
      { problems: [['INPUT_SHAPE', 'Records[0].s3']] },
    ],
    [
      'a bad percent-encoding',
      { Records: [{ s3: { bucket: { name: 'b' }, object: { key: '%E0%A4%A' } } }] },
      { problems: [['INPUT_SHAPE', 'Records[0].s3.object.key']] },
    ],
    ['a string', 'hello', { problems: [['INPUT_SHAPE', '$']] }],
    [
      'a record that is not an object',
      { Records: [RECORD, 42] },
      { records: ['Records[0]'], problems: [['INPUT_SHAPE', 'Records[1]']] },
    ],
  ])('%s', (_, payload, expected) => {
    const out = unwrapPayload(payload);
    expect(out.records.map((r) => r.path)).toEqual(expected.records ?? []);
    expect(out.s3Objects.map((o) => `${o.bucket}/${o.key}`)).toEqual(expected.s3 ?? []);
    expect(out.skipped).toEqual(expected.skipped ?? {});
    expect(out.problems.map((p) => [p.code, p.path])).toEqual(expected.problems ?? []);
  });

  it('a path prefix given by the caller is kept (an SQS message id, say)', () => {
    expect(unwrapPayload(logFile, 'body').records[2]?.path).toBe('body.Records[2]');
  });

  it('nesting is depth-limited: SNS in SNS twelve times is a problem, not a stack overflow', () => {
    let payload: JsonValue = logFile;
    for (let i = 0; i < 12; i++) payload = sns(payload);
    const out = unwrapPayload(payload);
    expect(out.records).toEqual([]);
    expect(out.problems).toMatchObject([{ code: 'INPUT_SHAPE', message: expect.stringContaining('deeper') }]);
  });
});
