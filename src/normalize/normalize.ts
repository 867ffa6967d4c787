import { field, stringField, type JsonObject } from '../model/json.ts';
import { MAX_JSON_DEPTH, tooDeepAt } from '../model/json-depth.ts';
import {
  KMS_EVENT_NAMES,
  KMS_EVENT_SOURCE,
  type KeyRef,
  type KmsEvent,
  type KmsEventName,
  type NoChange,
  type ResourceChange,
  type ResourceType,
} from '../model/kms-event.ts';
import type { Problem, SkipReason } from '../model/problem.ts';
import { parseKmsArn } from '../model/arn.ts';
import { actorOf } from './actor.ts';
import { keyOrAliasChange } from './changes.ts';
import { customKeyStoreChange, grantChange } from './grant-changes.ts';
import { eventTimeOf } from './dates.ts';
import { RecordReader } from './reader.ts';
import {
  callScope,
  collectMentions,
  fromKeyArn,
  resolveAlias,
  resolveKey,
  type CallScope,
  type Mentions,
} from './resolve.ts';
import { notReadReason, READ_TRACKED, type ReadSet } from './read-set.ts';

export type NormalizeResult =
  | { readonly kind: 'event'; readonly event: KmsEvent; readonly warnings: readonly Problem[] }
  | { readonly kind: 'skip'; readonly reason: SkipReason }
  | { readonly kind: 'problem'; readonly problem: Problem };

const TRACKED: ReadonlySet<string> = new Set(KMS_EVENT_NAMES);
const ALIAS_EVENTS: ReadonlySet<string> = new Set(['CreateAlias', 'UpdateAlias', 'DeleteAlias']);
const GRANT_EVENTS: ReadonlySet<string> = new Set(['CreateGrant', 'RetireGrant', 'RevokeGrant']);
const STORE_EVENTS: ReadonlySet<string> = new Set([
  'CreateCustomKeyStore',
  'UpdateCustomKeyStore',
  'DeleteCustomKeyStore',
  'ConnectCustomKeyStore',
  'DisconnectCustomKeyStore',
]);

/**
 * One CloudTrail record → the event it describes, a counted reason to skip it, or a located problem. `readSet` says
 * which records the rules read (the others are skipped with the reason they always had); a read record of
 * KMS_EVENT_NAMES carries its change, any other (Decrypt, a KMS service event, another service's call) none.
 * `path` is where the record sits in its message (`Records[3]`); problem paths extend it.
 */
export function normalizeRecord(record: JsonObject, path: string, readSet: ReadSet = READ_TRACKED): NormalizeResult {
  const source = stringField(record, 'eventSource');
  const eventType = stringField(record, 'eventType');
  if (eventType === 'AwsCloudTrailInsight') return { kind: 'skip', reason: 'insight_event' };
  if (source === undefined) {
    if (Object.hasOwn(record, 'insightDetails')) return { kind: 'skip', reason: 'insight_event' };
    return problem(path, '.eventSource', 'RECORD_SHAPE', 'a CloudTrail record needs a string eventSource');
  }
  const name = eventNameOf(record);
  const notRead = notReadReason(readSet, source, eventType, name);
  if (notRead !== undefined) return { kind: 'skip', reason: notRead };
  const deep = tooDeepAt(record);
  if (deep !== undefined) return problem(path, deep, 'RECORD_DEPTH', `nested deeper than ${MAX_JSON_DEPTH} levels`);

  const r = new RecordReader(path);
  const eventId = r.string(record, 'eventID', '');
  const kms = source === KMS_EVENT_SOURCE;
  // Another service's parameters are its own business: only a KMS record's are read (and checked).
  const request = kms ? r.object(record, 'requestParameters', '') : undefined;
  const response = kms ? r.object(record, 'responseElements', '') : undefined;
  const errorCode = r.string(record, 'errorCode', '');
  const errorMessage = r.string(record, 'errorMessage', '');
  const mentions = kms ? collectMentions(record, request, response, r) : undefined;
  const actor = actorOf(record);
  const scope = callScope(record, actor);
  // CreateKey, CreateAlias, TagResource and UntagResource are also event names of other services; KMS's own
  // service events (DeleteKey at the end of the waiting period) are not calls anyone made.
  const subject =
    mentions !== undefined && eventType !== 'AwsServiceEvent' && name !== undefined && TRACKED.has(name)
      ? subjectOf(name as KmsEventName, record, request, response, mentions, scope, r)
      : withoutChange(request, mentions, scope);
  if (r.problem !== undefined) return { kind: 'problem', problem: r.problem };

  const eventTime = eventTimeOf(record);
  if (typeof eventTime !== 'string') return problem(path, '.eventTime', 'RECORD_TIME', eventTime.what);
  if (subject.missing !== undefined) {
    return problem(path, subject.missing.at, 'RECORD_KEY_UNRESOLVED', `${name ?? ''} names no ${subject.missing.what}`);
  }

  // The ARN is the truth for account and region: AWS's documentation samples say awsRegion us-east-1 while every
  // ARN says us-west-2, and an organization trail's recipient account is not the key's.
  const { key, alias } = subject;
  const account = alias?.account ?? key?.account ?? scope.account;
  const region = alias?.region ?? key?.region ?? scope.region;
  // Assigned field by field: conditional spreads allocate an object each and were measurably slower here.
  const event: { -readonly [K in keyof KmsEvent]: KmsEvent[K] } = {
    name: name ?? '',
    eventId: eventId ?? '',
    eventTime,
    eventSource: source,
    actor,
    // A failed call changed nothing; rules still see it through ct.error.
    change: errorCode === undefined ? subject.change : unchanged(subject.change),
    record,
  };
  if (subject.resourceType !== undefined) event.resourceType = subject.resourceType;
  if (account !== undefined) event.account = account;
  if (region !== undefined) event.region = region;
  if (key !== undefined) event.key = key;
  if (alias !== undefined) event.alias = alias;
  if (subject.grantId !== undefined) event.grantId = subject.grantId;
  if (subject.customKeyStoreId !== undefined) event.customKeyStoreId = subject.customKeyStoreId;
  if (errorCode !== undefined) {
    event.error = errorMessage === undefined ? { code: errorCode } : { code: errorCode, message: errorMessage };
  }
  return { kind: 'event', event, warnings: r.warnings };
}

interface Subject {
  readonly resourceType?: ResourceType;
  readonly change: ResourceChange;
  readonly key?: KeyRef;
  readonly alias?: KmsEvent['alias'];
  readonly grantId?: string;
  readonly customKeyStoreId?: string;
  /** What the record fails to name, and where it should have. */
  readonly missing?: { readonly at: string; readonly what: string };
}

/** Which resource the event is about, in the record's own words, and what it says about it afterwards. */
function subjectOf(
  name: KmsEventName,
  record: JsonObject,
  request: JsonObject | undefined,
  response: JsonObject | undefined,
  mentions: Mentions,
  scope: ReturnType<typeof callScope>,
  r: RecordReader,
): Subject {
  const req = request ?? {};
  if (STORE_EVENTS.has(name)) {
    const id =
      name === 'CreateCustomKeyStore'
        ? r.string(response, 'customKeyStoreId', '.responseElements')
        : r.string(request, 'customKeyStoreId', '.requestParameters');
    const change = customKeyStoreChange(name, request, r);
    if (id === undefined || id === '') {
      const at = name === 'CreateCustomKeyStore' ? '.responseElements' : '.requestParameters';
      return {
        resourceType: 'aws_kms_custom_key_store',
        change,
        missing: { at: `${at}.customKeyStoreId`, what: 'custom key store' },
      };
    }
    return { resourceType: 'aws_kms_custom_key_store', change, customKeyStoreId: id };
  }
  if (ALIAS_EVENTS.has(name)) {
    const key = resolveKey(stringField(req, 'targetKeyId'), mentions, scope);
    const alias = resolveAlias(stringField(req, 'aliasName'), mentions, key, scope);
    const change = keyOrAliasChange(name, request, response, key, r);
    const base = { resourceType: 'aws_kms_alias' as const, change, ...(key === undefined ? {} : { key }) };
    if (alias === undefined) return { ...base, missing: { at: '.requestParameters.aliasName', what: 'alias' } };
    return { ...base, alias };
  }
  const key =
    name === 'ReplicateKey'
      ? replicaOf(req, response, mentions)
      : resolveKey(stringField(req, 'keyId'), mentions, scope);
  const missingKey = {
    at: '.requestParameters.keyId',
    what: 'key (requestParameters, responseElements and resources[] were searched)',
  };
  if (GRANT_EVENTS.has(name)) {
    const grantId =
      name === 'CreateGrant'
        ? r.string(response, 'grantId', '.responseElements')
        : (r.string(request, 'grantId', '.requestParameters') ??
          r.string(r.object(record, 'additionalEventData', ''), 'grantId', '.additionalEventData'));
    const change = grantChange(name, request, r);
    const base = {
      resourceType: 'aws_kms_grant' as const,
      change,
      ...(grantId === undefined || grantId === '' ? {} : { grantId }),
    };
    return key === undefined ? { ...base, missing: missingKey } : { ...base, key };
  }
  const change = keyOrAliasChange(name, request, response, key, r);
  return key === undefined
    ? { resourceType: 'aws_kms_key', change, missing: missingKey }
    : { resourceType: 'aws_kms_key', change, key };
}

/**
 * An event the rules read that changes nothing compared: a KMS call is still about the key it names (resources[],
 * keyId, the response), so rules can tell which key was used; another service's record is about no KMS resource.
 */
function withoutChange(request: JsonObject | undefined, mentions: Mentions | undefined, scope: CallScope): Subject {
  const change: NoChange = { kind: 'none', attributes: {} };
  if (mentions === undefined) return { change };
  const key = resolveKey(request === undefined ? undefined : stringField(request, 'keyId'), mentions, scope);
  return key === undefined ? { change } : { resourceType: 'aws_kms_key', change, key };
}

/** eventName; a present value that is not a string reads as ct.name reads it, as an empty string. */
function eventNameOf(record: JsonObject): string | undefined {
  const v = field(record, 'eventName');
  return typeof v === 'string' ? v : v === undefined ? undefined : '';
}

/**
 * ReplicateKey is recorded in the primary's Region and names the primary everywhere but in replicaKeyMetadata: the
 * subject is the new replica, which has the primary's id in `replicaRegion`.
 */
function replicaOf(request: JsonObject, response: JsonObject | undefined, mentions: Mentions): KeyRef | undefined {
  const metadata = response === undefined ? undefined : field(response, 'replicaKeyMetadata');
  const metadataArn =
    metadata !== undefined && metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)
      ? stringField(metadata as JsonObject, 'arn')
      : undefined;
  const arn = metadataArn === undefined ? undefined : parseKmsArn(metadataArn);
  if (arn?.kind === 'key') return fromKeyArn(arn);
  const primary = mentions.keyArns[0];
  const region = stringField(request, 'replicaRegion');
  if (primary === undefined || region === undefined) return undefined;
  const replica = `arn:${primary.partition}:kms:${region}:${primary.account}:key/${primary.resource}`;
  const parsed = parseKmsArn(replica);
  return parsed === undefined ? undefined : fromKeyArn(parsed);
}

function unchanged(change: ResourceChange): ResourceChange {
  return change.kind === 'none' ? change : ({ kind: change.kind, attributes: {} } as ResourceChange);
}

function problem(path: string, at: string, code: Problem['code'], message: string): NormalizeResult {
  return { kind: 'problem', problem: { code, severity: 'error', path: `${path}${at}`.replace(/^\./, ''), message } };
}
