import { SCAN_EVENT, type KmsEvent, type MissingResource } from '../model/kms-event.ts';
import type { DeclaredResource } from './declared-resources.ts';

/**
 * What one account and Region was found to hold: listed key ids (with their state), alias names, and the grant ids of
 * the keys whose grants were listed (those of declared grants).
 */
export interface FoundResources {
  readonly keys: ReadonlyMap<string, { readonly pending: boolean }>;
  readonly aliases: ReadonlySet<string>;
  readonly grants: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * The declared resources of one account and Region that it does not hold. Keys absent from the listing are only
 * candidates: the caller asks KMS about each (DescribeKey tells not found from access denied). A key pending
 * deletion is listed and reported by its own reading; its key policy still exists, so is not missing.
 */
export function missingResources(
  declared: readonly DeclaredResource[],
  found: FoundResources,
): { readonly keys: DeclaredResource[]; readonly others: DeclaredResource[] } {
  const keys: DeclaredResource[] = [];
  const others: DeclaredResource[] = [];
  for (const r of declared) {
    switch (r.type) {
      case 'aws_kms_key':
      case 'aws_kms_replica_key':
      case 'aws_kms_external_key':
      case 'aws_kms_replica_external_key':
        if (!found.keys.has(r.id)) keys.push(r);
        break;
      case 'aws_kms_grant': {
        // A grant whose key could not be listed is not known to be gone: its grants were never read.
        const grants = found.grants.get(r.keyId ?? '');
        if (grants !== undefined && !grants.has(r.id)) others.push(r);
        break;
      }
      case 'aws_kms_key_policy':
        if (!found.keys.has(r.id)) others.push(r);
        break;
      case 'aws_kms_alias':
        if (!found.aliases.has(r.id)) others.push(r);
        break;
    }
  }
  return { keys, others };
}

/** A declared resource that is not there, as a Scan event: the core diffs it and `markMissing` makes it `deleted`. */
export function missingEvent(resource: DeclaredResource, reason: MissingResource['reason'], readAt: string): KmsEvent {
  const missing: MissingResource = {
    reason,
    declared: resource.origin,
  };
  const base = {
    name: SCAN_EVENT,
    eventId: `scan:${resource.type}:${resource.arn}:${readAt}`,
    eventTime: readAt,
    eventSource: 'kms.amazonaws.com',
    account: resource.account,
    region: resource.region,
    actor: { user: 'kms-drift scan' },
    missing,
    record: { eventSource: 'kms.amazonaws.com', eventName: SCAN_EVENT, eventTime: readAt, eventType: 'KmsDriftScan' },
  } as const;
  if (resource.type === 'aws_kms_grant') {
    return {
      ...base,
      resourceType: 'aws_kms_grant',
      key: { keyId: resource.keyId ?? '', arn: resource.arn, account: resource.account, region: resource.region },
      grantId: resource.id,
      change: { kind: 'grant', attributes: {}, deleted: true },
    };
  }
  if (resource.type === 'aws_kms_alias') {
    return {
      ...base,
      resourceType: 'aws_kms_alias',
      alias: { name: resource.id, arn: resource.arn, account: resource.account, region: resource.region },
      change: { kind: 'alias', attributes: { alias_name: resource.id }, deleted: true },
    };
  }
  return {
    ...base,
    resourceType: 'aws_kms_key',
    key: { keyId: resource.id, arn: resource.arn, account: resource.account, region: resource.region },
    change: { kind: 'key', attributes: {} },
  };
}
