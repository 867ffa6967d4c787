import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { unwrapPayload } from '../../src/unwrap/unwrap.ts';
import type { JsonObject, JsonValue } from '../../src/model/json.ts';

// CloudTrail user guide, "CloudTrail digest file structure": a digest file is delivered to
//   optional-prefix/AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
//     <account>_CloudTrail-Digest_<region>_<trail>_<region>_<end timestamp>.json.gz
// and a log file to …/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<timestamp>_<unique>.json.gz.
// The file name alone says which it is: a digest copied out of its folder (a replication rule or an archive job that
// flattens keys into one prefix, whose notifications reach the same queue) is still a digest, never fetched as a log
// file. The S3 event notification is AWS's sample (aws-lambda-go's s3-event.json) with only its object key changed.

const F = new URL('../../fixtures/', import.meta.url);
const json = (path: string): JsonObject => JSON.parse(readFileSync(new URL(path, F), 'utf8')) as JsonObject;

const DIGEST_NAME = '111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz';
const LOG_NAME = '111122223333_CloudTrail_us-east-2_20150817T1455Z_LnPgDQnpkSKEsppV.json.gz';

/** AWS's sample S3 event notification for an object with this (URL-encoded, as S3 sends it) key. */
function s3Notification(key: string): JsonObject {
  const sample = json('envelopes/aws-lambda-go/s3-event.json');
  const records = sample['Records'] as JsonObject[];
  const first = records[0] as JsonObject;
  const s3 = first['s3'] as JsonObject;
  const object = s3['object'] as JsonObject;
  return {
    Records: [{ ...first, s3: { ...s3, object: { ...object, key: encodeURIComponent(key).replaceAll('%2F', '/') } } }],
  };
}

describe('digest files named by their file name, outside a CloudTrail-Digest/ folder', () => {
  it.each([
    ['flattened into an archive prefix', `cloudtrail-archive/${DIGEST_NAME}`],
    ['at the bucket root', DIGEST_NAME],
  ])('an S3 notification for a digest %s is counted digest_file, not fetched', (_where, key) => {
    const out = unwrapPayload(s3Notification(key) as JsonValue);
    expect(out.s3Objects).toEqual([]);
    expect(out.skipped).toEqual({ digest_file: 1 });
    expect(out.problems).toEqual([]);
  });

  it('the log file beside it in the same flat prefix is fetched', () => {
    const out = unwrapPayload(s3Notification(`cloudtrail-archive/${LOG_NAME}`) as JsonValue);
    expect(out.s3Objects).toEqual([
      { bucket: 'sourcebucket', key: `cloudtrail-archive/${LOG_NAME}`, path: 'Records[0].s3' },
    ]);
    expect(out.skipped).toEqual({});
  });

  it("CloudTrail's own SNS notification listing a flattened digest and a log file: only the log file is fetched", () => {
    const notification = {
      ...json('envelopes/aws-cloudtrail-user-guide/configure-sns-notifications-for-cloudtrail.1.json'),
      s3ObjectKey: [`cloudtrail-archive/${DIGEST_NAME}`, `cloudtrail-archive/${LOG_NAME}`],
    };
    const out = unwrapPayload({ Type: 'Notification', Message: JSON.stringify(notification) });
    expect(out.s3Objects.map((o) => o.key)).toEqual([`cloudtrail-archive/${LOG_NAME}`]);
    expect(out.skipped).toEqual({ digest_file: 1 });
  });
});
