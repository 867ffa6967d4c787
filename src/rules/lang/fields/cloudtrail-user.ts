import type { JsonObject } from '../../../model/json.ts';
import { at, flag, plain, str } from './record.ts';

// The cloudtrail plugin's user and summary fields, as its extract.go (plugins/cloudtrail/v0.17.1) computes them,
// including where that code is surprising (each such place says so).

/**
 * getUser: the user by userIdentity.type, and whether the plugin counts it as present. A type the plugin does not
 * know, or a Root/IAMUser/AWSService identity without the name it reads, is absent, but its text still shows in
 * evt.plugininfo (`<unknown user type>`, `<NA>`).
 */
export function userOf(rec: JsonObject): { readonly present: boolean; readonly text: string } {
  const type = str(rec, 'userIdentity', 'type');
  const named = (key: string): { present: boolean; text: string } => {
    const v = plain(rec, 'userIdentity', key);
    return v === undefined ? { present: false, text: '<NA>' } : { present: true, text: v };
  };
  switch (type) {
    case undefined:
      return { present: false, text: '' };
    case 'Root':
    case 'IAMUser':
      return named('userName');
    case 'AWSService':
      return named('invokedBy');
    case 'AssumedRole':
      return {
        present: true,
        text: plain(rec, 'userIdentity', 'sessionContext', 'sessionIssuer', 'userName') ?? 'AssumedRole',
      };
    case 'AWSAccount':
    case 'FederatedUser':
      return { present: true, text: type };
    default:
      return { present: false, text: '<unknown user type>' };
  }
}

export function ctUser(rec: JsonObject): string | undefined {
  const user = userOf(rec);
  return user.present ? user.text : undefined;
}

/** AssumedRole: the session name, from an ARN of exactly three `/` parts, else a principalId of exactly two `:` parts. */
export function ctOriginalUser(rec: JsonObject): string | undefined {
  if (str(rec, 'userIdentity', 'type') !== 'AssumedRole') return plain(rec, 'userIdentity', 'userName');
  const arn = plain(rec, 'userIdentity', 'arn')?.split('/');
  if (arn?.length === 3) return arn[2];
  const principal = plain(rec, 'userIdentity', 'principalId')?.split(':');
  if (principal?.length === 2) return principal[1];
  return undefined;
}

/**
 * No value without `readOnly` (the plugin's event-name heuristic for that case sits behind a check that returns
 * first, so it never runs); `true` only for JSON true.
 */
export function ctReadOnly(rec: JsonObject): string | undefined {
  return flag(rec, 'readOnly');
}

/** getvalueU64: a JSON number cut to an unsigned integer; any other value counts as 0. */
function u64(rec: JsonObject, key: string): number | undefined {
  const v = at(rec, ['additionalEventData', key]);
  if (v === undefined) return undefined;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.trunc(v) : 0;
}

/** s3.bytes: present when either byte count is, the sum of both. */
export function s3Bytes(rec: JsonObject, which: 'both' | 'in' | 'out'): number | undefined {
  const i = which === 'out' ? undefined : u64(rec, 'bytesTransferredIn');
  const o = which === 'in' ? undefined : u64(rec, 'bytesTransferredOut');
  return i === undefined && o === undefined ? undefined : (i ?? 0) + (o ?? 0);
}

/** s3.uri: both bucketName and key must be strings. */
export function s3Uri(rec: JsonObject): string | undefined {
  const b = str(rec, 'requestParameters', 'bucketName');
  const k = str(rec, 'requestParameters', 'key');
  return b === undefined || k === undefined ? undefined : `s3://${b}/${k}`;
}

/**
 * ct.info (getEvtInfo): `user via srcip [!]→ name` (`←` unless ct.readonly is "false"; `user [!]→ name` when the
 * user and the source IP are the same text, as for AWS services), then Size, URI, Bucket, Key or Host.
 */
export function ctInfo(rec: JsonObject): string {
  const user = userOf(rec);
  if (!user.present) return '<invalid cloudtrail event: userIdentity field missing>';
  const ip = plain(rec, 'sourceIPAddress');
  if (ip === undefined) return '<invalid cloudtrail event: eventSource field missing>';
  const err = at(rec, ['errorCode']) !== undefined ? '!' : '';
  const rw = ctReadOnly(rec) === 'false' ? '→' : '←';
  const name = plain(rec, 'eventName');
  if (name === undefined) return '<invalid cloudtrail event: eventName field missing>';
  let info = user.text === ip ? `${user.text} ${err}${rw} ${name}` : `${user.text} via ${ip} ${err}${rw} ${name}`;
  if (name === 'PutBucketPublicAccessBlock') {
    const config = at(rec, ['requestParameters', 'PublicAccessBlockConfiguration']);
    if (config !== null && typeof config === 'object' && !Array.isArray(config)) {
      // The plugin reads these four flags from the record's top level, not from the configuration it just found.
      const top = (k: string): string => String(at(rec, [k]) === true);
      info += ` BlockPublicAcls=${top('BlockPublicAcls')} BlockPublicPolicy=${top('BlockPublicPolicy')} IgnorePublicAcls=${top('IgnorePublicAcls')} RestrictPublicBuckets=${top('RestrictPublicBuckets')} `;
    }
    return info;
  }
  const size = s3Bytes(rec, 'both');
  if (size !== undefined) info += ` Size=${size}`;
  const uri = s3Uri(rec);
  if (uri !== undefined) return `${info} URI=${uri}`;
  const bucket = plain(rec, 'requestParameters', 'bucketName');
  if (bucket !== undefined) return `${info} Bucket=${bucket}`;
  const key = plain(rec, 'requestParameters', 'key');
  if (key !== undefined) return `${info} Key=${key}`;
  const host = plain(rec, 'requestParameters', 'Host');
  return host !== undefined ? `${info} Host=${host}` : info;
}

/**
 * evt.plugininfo: the plugin's String(): `region[ user] shortsrc name info`, or its error text. The user is prefixed
 * with a blank only when getUser reports it present and non-empty; otherwise its text is glued to the region.
 */
export function pluginInfo(rec: JsonObject): string {
  const src = str(rec, 'eventSource');
  if (src === undefined) return '<invalid JSON: event did not contain a source>';
  const region = str(rec, 'awsRegion');
  if (region === undefined) return '<invalid JSON: event did not contain an awsRegion>';
  const name = str(rec, 'eventName');
  if (name === undefined) return '<invalid JSON: event did not contain an eventName>';
  const short = src.length > SUFFIX.length && src.endsWith(SUFFIX) ? src.slice(0, -SUFFIX.length) : src;
  const user = userOf(rec);
  const who = user.present && user.text !== '' ? ` ${user.text}` : user.text;
  return `${region}${who} ${short} ${name} ${ctInfo(rec)}`;
}

const SUFFIX = '.amazonaws.com';
