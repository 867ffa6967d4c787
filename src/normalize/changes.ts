import type { JsonObject } from '../model/json.ts';
import type { AliasChange, KeyChange, KeyRef, KmsEventName } from '../model/kms-event.ts';
import { DEFAULT_DELETION_WINDOW_DAYS, DEFAULT_ROTATION_PERIOD_DAYS, type KeyAttributes } from '../model/snapshot.ts';
import { isKeyState } from '../model/key-state.ts';
import { bareKeyId, keyArnIn } from '../model/arn.ts';
import { parseAwsDate } from './dates.ts';
import { textShape, type RecordReader } from './reader.ts';
import { policyOf, RE, RP, shape, tagsOf } from './request-values.ts';

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

/**
 * What a successful call of a key or alias event says about the key or alias afterwards. `key` is the resolved key
 * (UpdatePrimaryRegion names the new primary by Region only).
 */
export function keyOrAliasChange(
  name: KmsEventName,
  request: JsonObject | undefined,
  response: JsonObject | undefined,
  key: KeyRef | undefined,
  r: RecordReader,
): KeyChange | AliasChange {
  const attributes: Mutable<KeyAttributes> = {};
  switch (name) {
    case 'CreateKey': {
      const metadata = r.object(response, 'keyMetadata', RE);
      const created = createdKey(request, metadata, r);
      // An EXTERNAL key waits in PendingImport for the ImportKeyMaterial that follows (Terraform makes both calls):
      // its state at creation says nothing about drift.
      if (created.key_state === 'PendingImport') delete created.key_state;
      // A new multi-Region key is its own primary.
      if (created.multi_region === true && key?.arn !== undefined) created.primary_key_arn = key.arn;
      return { kind: 'key', attributes: created };
    }
    case 'ReplicateKey': {
      const metadata = r.object(response, 'replicaKeyMetadata', RE);
      const created = createdKey(request, metadata, r, `${RE}.replicaKeyMetadata`);
      // The replica is still Creating when the call returns: its state says nothing about drift.
      delete created.key_state;
      const policy = policyOf(response, 'replicaPolicy', RE, r);
      if (policy !== undefined) created.policy = policy;
      created.multi_region = true;
      const config = r.object(metadata, 'multiRegionConfiguration', `${RE}.replicaKeyMetadata`);
      const primary = r.object(config, 'primaryKey', `${RE}.replicaKeyMetadata.multiRegionConfiguration`);
      const primaryArn = r.string(primary, 'arn', `${RE}.replicaKeyMetadata.multiRegionConfiguration.primaryKey`);
      if (primaryArn !== undefined) created.primary_key_arn = primaryArn;
      return { kind: 'key', attributes: created };
    }
    case 'UpdatePrimaryRegion': {
      const region = r.string(request, 'primaryRegion', RP);
      if (region !== undefined && key?.keyId !== undefined && key.account !== undefined) {
        const scope = { partition: key.partition ?? 'aws', account: key.account, region };
        attributes.primary_key_arn = keyArnIn(scope, key.keyId);
      }
      return { kind: 'key', attributes };
    }
    case 'ScheduleKeyDeletion':
      return scheduledDeletion(request, response, r);
    case 'CancelKeyDeletion':
      // KMS API reference: after CancelKeyDeletion the key is Disabled, not Enabled.
      return { kind: 'key', attributes: { key_state: 'Disabled' } };
    case 'DisableKey':
      return { kind: 'key', attributes: { key_state: 'Disabled' } };
    case 'EnableKey':
      return { kind: 'key', attributes: { key_state: 'Enabled' } };
    case 'PutKeyPolicy': {
      const policy = policyOf(request, 'policy', RP, r);
      return { kind: 'key', attributes: policy === undefined ? {} : { policy } };
    }
    case 'EnableKeyRotation':
      attributes.enable_key_rotation = true;
      // KMS API reference, EnableKeyRotation: without RotationPeriodInDays the period is 365 days (and before custom
      // periods existed, in 2024, rotation was always yearly).
      attributes.rotation_period_in_days =
        r.number(request, 'rotationPeriodInDays', RP) ?? DEFAULT_ROTATION_PERIOD_DAYS;
      return { kind: 'key', attributes };
    case 'DisableKeyRotation':
      return { kind: 'key', attributes: { enable_key_rotation: false } };
    case 'ImportKeyMaterial': {
      const validTo = r.string(request, 'validTo', RP);
      const iso = validTo === undefined ? undefined : parseAwsDate(validTo);
      if (validTo !== undefined && iso === undefined) {
        r.fail({ ...shape(r.join(`${RP}.validTo`), 'not a date'), severity: 'warning' });
      }
      // A request without ValidTo imports material that does not expire, whatever the API's default model.
      attributes.expiration_model =
        r.string(request, 'expirationModel', RP) ??
        (validTo === undefined ? 'KEY_MATERIAL_DOES_NOT_EXPIRE' : 'KEY_MATERIAL_EXPIRES');
      if (attributes.expiration_model === 'KEY_MATERIAL_DOES_NOT_EXPIRE') attributes.valid_to = null;
      else if (iso !== undefined) attributes.valid_to = iso;
      return { kind: 'key', attributes };
    }
    case 'DeleteImportedKeyMaterial':
      // KMS API reference: the key's state becomes PendingImport until material is imported again.
      return { kind: 'key', attributes: { key_state: 'PendingImport' } };
    case 'TagResource': {
      const tags = tagsOf(request, r);
      return tags === undefined ? { kind: 'key', attributes: {} } : { kind: 'key', attributes: {}, tagsSet: tags };
    }
    case 'UntagResource': {
      const keys = r.array(request, 'tagKeys', RP) ?? [];
      const removed: string[] = [];
      keys.forEach((k, i) => {
        if (typeof k === 'string') removed.push(k);
        else r.fail(shape(r.join(`${RP}.tagKeys[${i}]`), 'expected a string'));
      });
      return { kind: 'key', attributes: {}, tagsRemoved: removed };
    }
    case 'UpdateKeyDescription': {
      const description = r.string(request, 'description', RP);
      return { kind: 'key', attributes: description === undefined ? {} : { description } };
    }
    case 'CreateAlias':
    case 'UpdateAlias': {
      const aliasName = r.string(request, 'aliasName', RP);
      const target = r.string(request, 'targetKeyId', RP);
      return {
        kind: 'alias',
        attributes: {
          ...(aliasName === undefined ? {} : { alias_name: aliasName }),
          ...(target === undefined ? {} : { target_key_id: bareKeyId(target) }),
        },
      };
    }
    case 'DeleteAlias': {
      const aliasName = r.string(request, 'aliasName', RP);
      return { kind: 'alias', attributes: aliasName === undefined ? {} : { alias_name: aliasName }, deleted: true };
    }
    default:
      // RotateKeyOnDemand, and any other key event: no declared attribute changes.
      return { kind: 'key', attributes: {} };
  }
}

/** CreateKey's keyMetadata (or ReplicateKey's replicaKeyMetadata) and request: the new key's attributes. */
function createdKey(
  request: JsonObject | undefined,
  metadata: JsonObject | undefined,
  r: RecordReader,
  at = `${RE}.keyMetadata`,
): Mutable<KeyAttributes> {
  const attributes: Mutable<KeyAttributes> = {};
  const state = r.string(metadata, 'keyState', at);
  const enabled = r.boolean(metadata, 'enabled', at);
  if (state !== undefined && isKeyState(state)) attributes.key_state = state;
  else if (enabled !== undefined) attributes.key_state = enabled ? 'Enabled' : 'Disabled';
  const description = r.string(metadata, 'description', at) ?? r.string(request, 'description', RP);
  if (description !== undefined) attributes.description = description;
  const usage = r.string(metadata, 'keyUsage', at) ?? r.string(request, 'keyUsage', RP);
  if (usage !== undefined) attributes.key_usage = usage;
  const spec =
    r.string(metadata, 'keySpec', at) ??
    r.string(metadata, 'customerMasterKeySpec', at) ??
    r.string(request, 'keySpec', RP) ??
    r.string(request, 'customerMasterKeySpec', RP);
  if (spec !== undefined) attributes.customer_master_key_spec = spec;
  const multi = r.boolean(metadata, 'multiRegion', at) ?? r.boolean(request, 'multiRegion', RP);
  if (multi !== undefined) attributes.multi_region = multi;
  const policy = policyOf(request, 'policy', RP, r);
  if (policy !== undefined) attributes.policy = policy;
  // Tags and rotation are often set by separate calls right after CreateKey (Terraform does so), so CreateKey
  // only determines the tags it names, and never the rotation.
  const tags = tagsOf(request, r);
  if (tags !== undefined) attributes.tags = tags;
  return attributes;
}

function scheduledDeletion(
  request: JsonObject | undefined,
  response: JsonObject | undefined,
  r: RecordReader,
): KeyChange {
  const attributes: Mutable<KeyAttributes> = {};
  const state = r.string(response, 'keyState', RE);
  attributes.key_state = state === 'PendingReplicaDeletion' ? 'PendingReplicaDeletion' : 'PendingDeletion';
  const raw = response === undefined ? undefined : dateText(response, 'deletionDate', r);
  if (raw !== undefined) {
    const iso = parseAwsDate(raw);
    if (iso === undefined) {
      r.fail({
        code: 'RECORD_SHAPE',
        severity: 'warning',
        path: r.join(`${RE}.deletionDate`),
        message: `not a date: ${textShape(String(raw))} in no format AWS uses`,
      });
    } else {
      attributes.deletion_date = iso;
    }
  }
  // Newer records echo the window in the response, which is the only place it appears when KMS used its default.
  const window = r.number(request, 'pendingWindowInDays', RP) ?? r.number(response, 'pendingWindowInDays', RE);
  // Without a window in the request or the response, KMS used its default (KMS API reference).
  attributes.deletion_window_in_days = window ?? DEFAULT_DELETION_WINDOW_DAYS;
  return window === undefined ? { kind: 'key', attributes } : { kind: 'key', attributes, pendingWindowInDays: window };
}

function dateText(obj: JsonObject, key: string, r: RecordReader): string | number | undefined {
  const v = Object.hasOwn(obj, key) ? obj[key] : undefined;
  return typeof v === 'number' ? v : r.string(obj, key, RE);
}
