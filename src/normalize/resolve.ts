import { isJsonObject, stringField, type JsonObject } from '../model/json.ts';
import type { AliasRef, KeyRef } from '../model/kms-event.ts';
import { parseKmsArn, type KmsArn } from '../model/arn.ts';
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

const RE = '.responseElements';
const META = '.responseElements.keyMetadata';

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
 * The key an event acted on. ARNs beat bare ids because they carry account and region; an id the response gives
 * beats the request's (which may be an alias); an alias in the request is kept as `aliasName` for the state to
 * resolve.
 */
export function resolveKey(requested: string | undefined, mentions: Mentions): KeyRef | undefined {
  const fromArn = mentions.keyArns[0];
  if (fromArn !== undefined) return fromKeyArn(fromArn);
  const arn = requested === undefined ? undefined : parseKmsArn(requested);
  // CreateAlias/UpdateAlias name the target by targetKeyId, which collectMentions does not see.
  if (arn?.kind === 'key') return fromKeyArn(arn);
  const aliasName =
    arn?.kind === 'alias' ? arn.resource : requested?.startsWith('alias/') === true ? requested : undefined;
  const keyId = mentions.responseKeyId ?? (aliasName === undefined && requested !== '' ? requested : undefined);
  if (keyId === undefined && aliasName === undefined) return undefined;
  const account = mentions.metadataAccount ?? arn?.account;
  return {
    ...(keyId === undefined ? {} : { keyId }),
    ...(aliasName === undefined ? {} : { aliasName }),
    ...(account === undefined ? {} : { account }),
    ...(arn === undefined ? {} : { region: arn.region }),
  };
}

export function resolveAlias(aliasName: string | undefined, mentions: Mentions): AliasRef | undefined {
  const fromArn =
    aliasName === undefined ? mentions.aliasArns[0] : mentions.aliasArns.find((a) => a.resource === aliasName);
  const name = aliasName ?? fromArn?.resource;
  if (name === undefined || name === '') return undefined;
  return fromArn === undefined
    ? { name }
    : { name, arn: fromArn.arn, account: fromArn.account, region: fromArn.region };
}

function fromKeyArn(arn: KmsArn): KeyRef {
  return { keyId: arn.resource, arn: arn.arn, account: arn.account, region: arn.region };
}
