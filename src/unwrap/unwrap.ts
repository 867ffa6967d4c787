import { field, isJsonObject, stringField, type JsonObject, type JsonValue } from '../model/json.ts';
import { describeJsonError, parseJson } from '../model/json-error.ts';
import type { Problem, SkipReason } from '../model/problem.ts';

export interface Unwrapped {
  readonly records: { readonly record: JsonObject; readonly path: string }[];
  readonly s3Objects: { readonly bucket: string; readonly key: string; readonly path: string }[];
  readonly skipped: Partial<Record<SkipReason, number>>;
  readonly problems: Problem[];
}

/** Envelopes nest (S3 event in SNS in SQS); nothing real nests deeper than this. */
const MAX_DEPTH = 8;
const KMS_SERVICE_EVENTS: ReadonlySet<string> = new Set([
  'KMS CMK Rotation',
  'KMS CMK Deletion',
  'KMS Imported Key Material Expiration',
]);

/**
 * Any payload that can reach us — a CloudTrail log file, a single record, an EventBridge event, an SNS notification,
 * a Lambda-style SNS/SQS event, LookupEvents output, an S3 event notification, CloudTrail's own SNS message — to the
 * CloudTrail records it carries and the S3 log files it points at. Pure; paths say where each thing sat.
 */
export function unwrapPayload(value: JsonValue, path = ''): Unwrapped {
  const out: Unwrapped = { records: [], s3Objects: [], skipped: {}, problems: [] };
  visit(value, path, 0, out);
  return out;
}

function visit(value: JsonValue, path: string, depth: number, out: Unwrapped): void {
  if (depth > MAX_DEPTH) return fail(out, path, `envelopes nested deeper than ${MAX_DEPTH}`);
  // A bare array of records, as several public detonation datasets (Stratus Red Team) ship them: a log file's
  // Records without the object around it. Only at the top: inside an envelope an array is not a record.
  if (Array.isArray(value) && depth === 0) return visitRecordsArray(value as readonly JsonValue[], path, depth, out);
  if (!isJsonObject(value))
    return fail(out, path, `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);

  const records = field(value, 'Records');
  if (Array.isArray(records))
    return visitRecordsArray(records as readonly JsonValue[], join(path, 'Records'), depth, out);

  if (typeof field(value, 'detail-type') === 'string' && field(value, 'detail') !== undefined) {
    return visitEventBridge(value, path, out);
  }
  const message = field(value, 'Message');
  const snsType = stringField(value, 'Type');
  if (snsType === 'Notification' && typeof message === 'string') {
    return visitJsonString(message, join(path, 'Message'), depth, out);
  }
  // A queue subscribed to a topic also receives SNS's own confirmation messages: expected, not CloudTrail.
  if ((snsType === 'SubscriptionConfirmation' || snsType === 'UnsubscribeConfirmation') && field(value, 'TopicArn')) {
    return count(out, 'not_cloudtrail');
  }
  const bucket = stringField(value, 's3Bucket');
  const keys = field(value, 's3ObjectKey');
  if (bucket !== undefined && Array.isArray(keys)) {
    // CloudTrail's own SNS notification: keys are not URL-encoded.
    (keys as readonly JsonValue[]).forEach((key, i) => {
      if (typeof key === 'string') addS3(out, bucket, key, `${join(path, 's3ObjectKey')}[${i}]`);
      else fail(out, `${join(path, 's3ObjectKey')}[${i}]`, 'expected a string');
    });
    return;
  }
  const lookup = field(value, 'CloudTrailEvent');
  if (typeof lookup === 'string') return visitJsonString(lookup, join(path, 'CloudTrailEvent'), depth, out);
  // `aws cloudtrail lookup-events` output: {"Events": [{…, "CloudTrailEvent": "<the record as a string>"}]}.
  const lookupEvents = field(value, 'Events');
  if (Array.isArray(lookupEvents)) {
    const at = join(path, 'Events');
    (lookupEvents as readonly JsonValue[]).forEach((item, i) => {
      const text = isJsonObject(item) ? field(item, 'CloudTrailEvent') : undefined;
      if (typeof text === 'string') visitJsonString(text, `${at}[${i}].CloudTrailEvent`, depth + 1, out);
      else fail(out, `${at}[${i}]`, 'a LookupEvents item needs CloudTrailEvent as a JSON string');
    });
    return;
  }
  if (field(value, 'logFiles') !== undefined && field(value, 'digestStartTime') !== undefined) {
    return count(out, 'digest_file');
  }
  if (typeof field(value, 'eventVersion') === 'string' || typeof field(value, 'eventSource') === 'string') {
    out.records.push({ record: value, path });
    return;
  }
  if (field(value, 'eventType') === 'AwsCloudTrailInsight' || field(value, 'insightDetails') !== undefined) {
    out.records.push({ record: value, path });
    return;
  }
  fail(out, path, 'not a CloudTrail record, log file, or a known envelope (EventBridge, SNS, SQS, S3 notification)');
}

function visitRecordsArray(records: readonly JsonValue[], path: string, depth: number, out: Unwrapped): void {
  records.forEach((item, i) => visitRecordItem(item, `${path}[${i}]`, depth, out));
}

/**
 * The items of a log file's Records that the byte scan (sources/prefilter) kept, each at its index in the file, so
 * paths and outcomes are those of unwrapPayload on the whole file; the scan counted the items it skipped.
 */
export function unwrapRecordItems(
  items: readonly { readonly index: number; readonly value: JsonValue }[],
  path = '',
): Unwrapped {
  const out: Unwrapped = { records: [], s3Objects: [], skipped: {}, problems: [] };
  const records = join(path, 'Records');
  for (const { index, value } of items) visitRecordItem(value, `${records}[${index}]`, 0, out);
  return out;
}

function visitRecordItem(item: JsonValue, at: string, depth: number, out: Unwrapped): void {
  if (!isJsonObject(item)) return fail(out, at, 'expected a JSON object');
  const s3 = field(item, 's3');
  const sns = field(item, 'Sns');
  const body = field(item, 'body');
  if (isJsonObject(s3)) return visitS3Event(s3, `${at}.s3`, out);
  if (isJsonObject(sns) && typeof field(sns, 'Message') === 'string') {
    return visitJsonString(field(sns, 'Message') as string, `${at}.Sns.Message`, depth + 1, out);
  }
  if (typeof body === 'string' && stringField(item, 'eventSource') === 'aws:sqs') {
    return visitJsonString(body, `${at}.body`, depth + 1, out);
  }
  out.records.push({ record: item, path: at });
}

function visitEventBridge(event: JsonObject, path: string, out: Unwrapped): void {
  const detailType = stringField(event, 'detail-type') ?? '';
  const detail = field(event, 'detail');
  if (KMS_SERVICE_EVENTS.has(detailType)) return count(out, 'kms_service_event');
  if (!detailType.endsWith('via CloudTrail')) return count(out, 'not_cloudtrail');
  if (!isJsonObject(detail)) return fail(out, join(path, 'detail'), 'expected the CloudTrail record as an object');
  // Real EventBridge payloads can lack recipientAccountId and awsRegion; the envelope has both.
  const account = stringField(event, 'account');
  const region = stringField(event, 'region');
  const needsFill =
    (account !== undefined && field(detail, 'recipientAccountId') === undefined) ||
    (region !== undefined && field(detail, 'awsRegion') === undefined);
  const record: JsonObject = needsFill
    ? {
        ...detail,
        ...(account !== undefined && field(detail, 'recipientAccountId') === undefined
          ? { recipientAccountId: account }
          : {}),
        ...(region !== undefined && field(detail, 'awsRegion') === undefined ? { awsRegion: region } : {}),
      }
    : detail;
  out.records.push({ record, path: join(path, 'detail') });
}

function visitS3Event(s3: JsonObject, path: string, out: Unwrapped): void {
  const bucketObj = field(s3, 'bucket');
  const objectObj = field(s3, 'object');
  const bucket = isJsonObject(bucketObj) ? stringField(bucketObj, 'name') : undefined;
  const rawKey = isJsonObject(objectObj) ? stringField(objectObj, 'key') : undefined;
  if (bucket === undefined || rawKey === undefined)
    return fail(out, path, 'an S3 event needs bucket.name and object.key');
  let key: string;
  try {
    // S3 event notifications URL-encode keys, with `+` for spaces.
    key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
  } catch {
    return fail(out, join(path, 'object.key'), 'the key is not valid URL encoding');
  }
  addS3(out, bucket, key, path);
}

function visitJsonString(text: string, path: string, depth: number, out: Unwrapped): void {
  const parsed = parseJson<JsonValue>(text);
  if (!parsed.ok) {
    // The place inside the string, never its text: a message body can hold anything.
    const message = `the string is not valid JSON: ${describeJsonError(parsed.error)} of the string`;
    out.problems.push({ code: 'INPUT_JSON', severity: 'error', path, message });
    return;
  }
  visit(parsed.value, path, depth + 1, out);
}

function addS3(out: Unwrapped, bucket: string, key: string, path: string): void {
  if (key.includes('CloudTrail-Digest/') || key.includes('_CloudTrail-Digest_')) return count(out, 'digest_file');
  out.s3Objects.push({ bucket, key, path });
}

function count(out: Unwrapped, reason: SkipReason): void {
  out.skipped[reason] = (out.skipped[reason] ?? 0) + 1;
}

function fail(out: Unwrapped, path: string, message: string): void {
  out.problems.push({ code: 'INPUT_SHAPE', severity: 'error', path: path === '' ? '$' : path, message });
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
