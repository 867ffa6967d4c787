import { isJsonObject, stringField, type JsonObject } from '../model/json.ts';
import type { AliasRef, KeyRef } from '../model/kms-event.ts';
import { parseKmsArn, type KmsArn } from '../model/arn.ts';
import type { RecordReader } from './reader.ts';

/** The key and alias ARNs a record mentions, wherever it mentions them. */
export interface Mentions {
  /** Key ARNs in order of trust: keyMetadata, responseElements.keyId, resources[]. */
  readonly keyArns: readonly KmsArn[];
  readonly aliasArns: readonly KmsArn[];
}

export function collectMentions(
  record: JsonObject,
  request: JsonObject | undefined,
  response: JsonObject | undefined,
  r: RecordReader,
): Mentions {
  const keyArns: KmsArn[] = [];
  const aliasArns: KmsArn[] = [];
  const add = (text: string | undefined): void => {
    const arn = text === undefined ? undefined : parseKmsArn(text);
    if (arn === undefined) return;
    (arn.kind === 'key' ? keyArns : aliasArns).push(arn);
  };
  const metadata = r.object(response, 'keyMetadata', '.responseElements');
  add(r.string(metadata, 'arn', '.responseElements.keyMetadata'));
  add(r.string(response, 'keyId', '.responseElements'));
  // resources[] may be null, empty, lack `type`, or spell ARN in lower case (older and third-party records).
  const resources = r.array(record, 'resources', '');
  for (const entry of resources ?? []) {
    if (!isJsonObject(entry)) continue;
    add(stringField(entry, 'ARN') ?? stringField(entry, 'arn'));
  }
  add(r.string(request, 'keyId', '.requestParameters'));
  return { keyArns, aliasArns };
}

/**
 * The key an event acted on. ARNs beat bare ids because they carry account and region; an id in the request is
 * used when no ARN names the key; an alias in the request's keyId is kept as `aliasName` for the state to resolve.
 */
export function resolveKey(requestedKeyId: string | undefined, mentions: Mentions): KeyRef | undefined {
  const fromArn = mentions.keyArns[0];
  if (fromArn !== undefined) {
    return { keyId: fromArn.resource, arn: fromArn.arn, account: fromArn.account, region: fromArn.region };
  }
  if (requestedKeyId === undefined || requestedKeyId === '') return undefined;
  const arn = parseKmsArn(requestedKeyId);
  if (arn?.kind === 'alias') return { aliasName: arn.resource, account: arn.account, region: arn.region };
  if (requestedKeyId.startsWith('alias/')) return { aliasName: requestedKeyId };
  return { keyId: requestedKeyId };
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
