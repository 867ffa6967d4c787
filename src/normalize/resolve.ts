import { isJsonObject, stringField, type JsonObject } from '../model/json.ts';
import type { AliasRef, KeyRef } from '../model/kms-event.ts';
import { parseKmsArn, partitionOfRegion, type KmsArn } from '../model/arn.ts';
import type { RecordReader } from './reader.ts';

/** The key and alias names a record mentions, wherever it mentions them. */
export interface Mentions {
  /** Key ARNs in order of trust: keyMetadata.arn, responseElements.keyId, resources[], requestParameters.keyId. */
  readonly keyArns: readonly KmsArn[];
  readonly aliasArns: readonly KmsArn[];
  /** A bare id the response gives (keyMetadata.keyId, or a responseElements.keyId that is not an ARN). */
  readonly responseKeyId?: string;
  /** keyMetadata's account: `AWSAccountId` in some records, `aWSAccountId` in most. */
  readonly metadataAccount?: string;
}

/**
 * Where the call was made: the account and Region in which KMS resolves a key id or an alias name that is not an ARN
 * (another account's key can only be named by ARN). The recipient account is the one whose resources the record is
 * about; the caller's own account stands in for it in records that lack it.
 */
export interface CallScope {
  readonly partition?: string;
  readonly account?: string;
  readonly region?: string;
}

const RE = '.responseElements';
const META = '.responseElements.keyMetadata';

export function callScope(
  record: JsonObject,
  caller: { readonly accountId?: string; readonly arn?: string },
): CallScope {
  const account = stringField(record, 'recipientAccountId') ?? caller.accountId ?? arnAccount(caller.arn);
  const region = stringField(record, 'awsRegion');
  return {
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region, partition: partitionOfRegion(region) }),
  };
}

/** The account of an IAM or STS ARN (`arn:aws:iam::111122223333:user/Alice`), for records without accountId. */
function arnAccount(arn: string | undefined): string | undefined {
  if (arn === undefined || !arn.startsWith('arn:')) return undefined;
  const account = arn.split(':')[4];
  return account === undefined || account === '' ? undefined : account;
}

export function collectMentions(
  record: JsonObject,
  request: JsonObject | undefined,
  response: JsonObject | undefined,
  r: RecordReader,
): Mentions {
  const keyArns: KmsArn[] = [];
  const aliasArns: KmsArn[] = [];
  let responseKeyId: string | undefined;
  const add = (text: string | undefined, bareIsKey: boolean): void => {
    if (text === undefined || text === '') return;
    const arn = parseKmsArn(text);
    if (arn === undefined) {
      if (bareIsKey) responseKeyId ??= text;
      return;
    }
    // An alias ARN is typed AWS::KMS::Key in resources[] too: only the ARN itself tells them apart.
    (arn.kind === 'key' ? keyArns : aliasArns).push(arn);
  };
  const metadata = r.object(response, 'keyMetadata', RE);
  add(r.string(metadata, 'arn', META), false);
  add(r.string(metadata, 'keyId', META), true);
  add(r.string(response, 'keyId', RE), true);
  // resources[] may be null, empty, lack `type`, or spell ARN in lower case (older and third-party records).
  const resources = r.array(record, 'resources', '');
  if (resources !== undefined) {
    for (const entry of resources) {
      if (isJsonObject(entry)) add(stringField(entry, 'ARN') ?? stringField(entry, 'arn'), false);
    }
  }
  add(r.string(request, 'keyId', '.requestParameters'), false);
  const metadataAccount =
    metadata === undefined
      ? undefined
      : (r.string(metadata, 'aWSAccountId', META) ?? r.string(metadata, 'AWSAccountId', META));
  return {
    keyArns,
    aliasArns,
    ...(responseKeyId === undefined ? {} : { responseKeyId }),
    ...(metadataAccount === undefined ? {} : { metadataAccount }),
  };
}

/**
 * The key an event acted on. ARNs beat bare ids because they carry account and Region; an id the response gives
 * beats the request's (which may be an alias); an alias in the request is kept as `aliasName` for the state to
 * resolve. A key named without an ARN is placed in the call's account and Region.
 */
export function resolveKey(requested: string | undefined, mentions: Mentions, scope: CallScope): KeyRef | undefined {
  const fromArn = mentions.keyArns[0];
  if (fromArn !== undefined) return fromKeyArn(fromArn);
  const arn = requested === undefined ? undefined : parseKmsArn(requested);
  // CreateAlias/UpdateAlias name the target by targetKeyId, which collectMentions does not see.
  if (arn?.kind === 'key') return fromKeyArn(arn);
  const aliasName =
    arn?.kind === 'alias' ? arn.resource : requested?.startsWith('alias/') === true ? requested : undefined;
  const keyId = mentions.responseKeyId ?? (aliasName === undefined && requested !== '' ? requested : undefined);
  if (keyId === undefined && aliasName === undefined) return undefined;
  // An alias ARN places the alias; keyMetadata's account is the key's own.
  const account = arn?.account ?? mentions.metadataAccount ?? scope.account;
  const region = arn?.region ?? scope.region;
  const partition = arn?.partition ?? scope.partition;
  return {
    ...(keyId === undefined ? {} : { keyId }),
    ...(aliasName === undefined ? {} : { aliasName }),
    ...(partition === undefined ? {} : { partition }),
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
  };
}

/**
 * The alias of an alias event: its ARN from resources[] when the record has one, else its name placed where it must
 * live — with its target key (KMS requires an alias and its key to share account and Region), else the call's scope.
 */
export function resolveAlias(
  aliasName: string | undefined,
  mentions: Mentions,
  target: KeyRef | undefined,
  scope: CallScope,
): AliasRef | undefined {
  const fromArn =
    aliasName === undefined ? mentions.aliasArns[0] : mentions.aliasArns.find((a) => a.resource === aliasName);
  const name = aliasName ?? fromArn?.resource;
  if (name === undefined || name === '') return undefined;
  if (fromArn !== undefined) {
    return { name, arn: fromArn.arn, partition: fromArn.partition, account: fromArn.account, region: fromArn.region };
  }
  const placed = target?.arn !== undefined ? target : scope;
  return {
    name,
    ...(placed.partition === undefined ? {} : { partition: placed.partition }),
    ...(placed.account === undefined ? {} : { account: placed.account }),
    ...(placed.region === undefined ? {} : { region: placed.region }),
  };
}

export function fromKeyArn(arn: KmsArn): KeyRef {
  return { keyId: arn.resource, arn: arn.arn, partition: arn.partition, account: arn.account, region: arn.region };
}
