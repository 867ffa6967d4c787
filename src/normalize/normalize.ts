import { field, stringField, type JsonObject } from '../model/json.ts';
import { MAX_JSON_DEPTH, tooDeepAt } from '../model/json-depth.ts';
import { KMS_EVENT_NAMES, KMS_EVENT_SOURCE, type KmsEvent, type KmsEventName } from '../model/kms-event.ts';
import type { Problem, SkipReason } from '../model/problem.ts';
import { actorOf } from './actor.ts';
import { changeOf } from './changes.ts';
import { normalizeEventTime, parseAwsDate } from './dates.ts';
import { RecordReader, textShape } from './reader.ts';
import { collectMentions, resolveAlias, resolveKey } from './resolve.ts';

export type NormalizeResult =
  | { readonly kind: 'event'; readonly event: KmsEvent; readonly warnings: readonly Problem[] }
  | { readonly kind: 'skip'; readonly reason: SkipReason }
  | { readonly kind: 'problem'; readonly problem: Problem };

const TRACKED: ReadonlySet<string> = new Set(KMS_EVENT_NAMES);
const ALIAS_EVENTS: ReadonlySet<string> = new Set(['CreateAlias', 'UpdateAlias', 'DeleteAlias']);

/**
 * One CloudTrail record → the KMS event it describes, a counted reason to skip it, or a located problem.
 * `path` is where the record sits in its message (`Records[3]`); problem paths extend it.
 */
export function normalizeRecord(record: JsonObject, path: string): NormalizeResult {
  const source = stringField(record, 'eventSource');
  const eventType = stringField(record, 'eventType');
  if (eventType === 'AwsCloudTrailInsight') return { kind: 'skip', reason: 'insight_event' };
  if (source === undefined) {
    if (Object.hasOwn(record, 'insightDetails')) return { kind: 'skip', reason: 'insight_event' };
    return problem(path, '.eventSource', 'RECORD_SHAPE', 'a CloudTrail record needs a string eventSource');
  }
  // CreateKey, CreateAlias, TagResource and UntagResource are also event names of other services.
  if (source !== KMS_EVENT_SOURCE) return { kind: 'skip', reason: 'other_service' };
  if (eventType === 'AwsServiceEvent') return { kind: 'skip', reason: 'kms_service_event' };
  const name = stringField(record, 'eventName');
  if (name === undefined || !TRACKED.has(name)) return { kind: 'skip', reason: 'untracked_kms_event' };
  const deep = tooDeepAt(record);
  if (deep !== undefined) return problem(path, deep, 'RECORD_DEPTH', `nested deeper than ${MAX_JSON_DEPTH} levels`);

  const r = new RecordReader(path);
  const eventId = r.string(record, 'eventID', '');
  const rawTime = field(record, 'eventTime');
  const request = r.object(record, 'requestParameters', '');
  const response = r.object(record, 'responseElements', '');
  const errorCode = r.string(record, 'errorCode', '');
  const errorMessage = r.string(record, 'errorMessage', '');
  const mentions = collectMentions(record, request, response, r);
  const eventName = name as KmsEventName;
  const change = changeOf(eventName, request, response, r);
  if (r.problem !== undefined) return { kind: 'problem', problem: r.problem };

  const eventTime =
    typeof rawTime === 'string'
      ? normalizeEventTime(rawTime)
      : typeof rawTime === 'number'
        ? parseAwsDate(rawTime)
        : undefined;
  if (eventTime === undefined) {
    const what =
      rawTime === undefined
        ? 'missing'
        : typeof rawTime === 'string'
          ? `not a date: ${textShape(rawTime)} in no format AWS uses`
          : `expected a date, got ${rawTime === null ? 'null' : Array.isArray(rawTime) ? 'an array' : typeof rawTime}`;
    return problem(path, '.eventTime', 'RECORD_TIME', what);
  }

  const isAlias = ALIAS_EVENTS.has(eventName);
  const requestedKey = isAlias ? stringField(request ?? {}, 'targetKeyId') : stringField(request ?? {}, 'keyId');
  const key = resolveKey(requestedKey, mentions);
  const alias = isAlias ? resolveAlias(stringField(request ?? {}, 'aliasName'), mentions) : undefined;
  if (isAlias ? alias === undefined : key === undefined) {
    return problem(
      path,
      isAlias ? '.requestParameters.aliasName' : '.requestParameters.keyId',
      'RECORD_KEY_UNRESOLVED',
      `${eventName} names no ${isAlias ? 'alias' : 'key'} (requestParameters, responseElements and resources[] were searched)`,
    );
  }

  // The ARN is the truth for account and region: AWS's documentation samples say awsRegion us-east-1 while every
  // ARN says us-west-2, and an organization trail's recipient account is not the key's.
  const actor = actorOf(record);
  const account = alias?.account ?? key?.account ?? stringField(record, 'recipientAccountId') ?? actor.accountId;
  const region = alias?.region ?? key?.region ?? stringField(record, 'awsRegion');
  // Assigned field by field: conditional spreads allocate an object each and were measurably slower here.
  const event: { -readonly [K in keyof KmsEvent]: KmsEvent[K] } = {
    name: eventName,
    eventId: eventId ?? '',
    eventTime,
    eventSource: source,
    actor,
    resourceType: isAlias ? 'aws_kms_alias' : 'aws_kms_key',
    // A failed call changed nothing; rules still see it through ct.error.
    change: errorCode === undefined ? change : { kind: change.kind, attributes: {} },
    record,
  };
  if (account !== undefined) event.account = account;
  if (region !== undefined) event.region = region;
  if (key !== undefined) event.key = key;
  if (alias !== undefined) event.alias = alias;
  if (errorCode !== undefined) {
    event.error = errorMessage === undefined ? { code: errorCode } : { code: errorCode, message: errorMessage };
  }
  return { kind: 'event', event, warnings: r.warnings };
}

function problem(path: string, at: string, code: Problem['code'], message: string): NormalizeResult {
  return { kind: 'problem', problem: { code, severity: 'error', path: `${path}${at}`.replace(/^\./, ''), message } };
}
