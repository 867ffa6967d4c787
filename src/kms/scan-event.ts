import type { JsonValue } from '../model/json.ts';
import { SCAN_EVENT, type KmsEvent } from '../model/kms-event.ts';
import type { KeyAttributes, KeyState } from '../model/snapshot.ts';
import { parseKmsArn } from '../model/arn.ts';
import type { AliasReading, KeyReading } from './read-account.ts';

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

/**
 * A reading of the KMS API as an event the diff understands: the whole snapshot is "what the key is now", so
 * every declared attribute is compared. `eventTime` is when it was read.
 */
export function scanEvent(reading: KeyReading | AliasReading, readAt: string, account: string): KmsEvent {
  const record = {
    eventSource: 'kms.amazonaws.com',
    eventName: SCAN_EVENT,
    eventTime: readAt,
    eventType: 'KmsDriftScan',
  };
  const base = {
    name: SCAN_EVENT,
    eventTime: readAt,
    eventSource: 'kms.amazonaws.com',
    actor: { user: 'kms-drift scan' },
  } as const;
  if ('name' in reading) {
    const arn = reading.arn === undefined ? undefined : parseKmsArn(reading.arn);
    return {
      ...base,
      eventId: `scan:${reading.name}:${readAt}`,
      account: arn?.account ?? account,
      ...(arn === undefined ? {} : { region: arn.region }),
      resourceType: 'aws_kms_alias',
      alias: { name: reading.name, ...(reading.arn === undefined ? {} : { arn: reading.arn }) },
      change: {
        kind: 'alias',
        attributes: {
          alias_name: reading.name,
          ...(reading.targetKeyId === undefined ? {} : { target_key_id: reading.targetKeyId }),
        },
      },
      record: { ...record, requestParameters: { aliasName: reading.name } },
    };
  }
  const m = reading.metadata;
  const arn = parseKmsArn(m.Arn ?? '');
  const attributes: Mutable<KeyAttributes> = {
    key_state: (m.KeyState ?? 'Enabled') as KeyState,
    description: m.Description ?? '',
    key_usage: m.KeyUsage ?? 'ENCRYPT_DECRYPT',
    customer_master_key_spec: m.KeySpec ?? m.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT',
    multi_region: m.MultiRegion ?? false,
    tags: reading.tags,
  };
  if (m.DeletionDate !== undefined) attributes.deletion_date = m.DeletionDate.toISOString();
  if (reading.policy !== undefined) attributes.policy = parsePolicy(reading.policy);
  if (reading.rotation !== undefined) {
    attributes.enable_key_rotation = reading.rotation.enabled;
    if (reading.rotation.enabled && reading.rotation.periodInDays !== undefined) {
      attributes.rotation_period_in_days = reading.rotation.periodInDays;
    }
  }
  return {
    ...base,
    eventId: `scan:${m.KeyId ?? ''}:${readAt}`,
    account: arn?.account ?? account,
    ...(arn === undefined ? {} : { region: arn.region }),
    resourceType: 'aws_kms_key',
    key: {
      keyId: m.KeyId ?? '',
      ...(arn === undefined ? {} : { arn: arn.arn, account: arn.account, region: arn.region }),
    },
    change: { kind: 'key', attributes },
    ...(attributes.key_state === 'PendingDeletion' || attributes.key_state === 'PendingReplicaDeletion'
      ? {
          missing: {
            reason: 'pending_deletion' as const,
            ...(attributes.deletion_date === undefined ? {} : { deletionDate: attributes.deletion_date }),
          },
        }
      : {}),
    record: { ...record, requestParameters: { keyId: m.KeyId ?? '' } },
  };
}

function parsePolicy(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}
