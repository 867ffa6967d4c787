import type { DriftFinding } from '../model/finding.ts';
import { SCAN_EVENT, type KmsEvent, type MissingResource } from '../model/kms-event.ts';
import type { DeclaredResource } from './declared-resources.ts';

/** What one account and Region was found to hold: listed key ids (with their state) and alias names. */
export interface FoundResources {
  readonly keys: ReadonlyMap<string, { readonly pending: boolean }>;
  readonly aliases: ReadonlySet<string>;
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
        if (!found.keys.has(r.id)) keys.push(r);
        break;
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
    declared: { type: resource.type, address: resource.origin.address, state: resource.origin.state },
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

/**
 * The core's stage after the diff for scan events of missing resources: the diff compares attributes, and a
 * resource that is gone has none, so the finding is made `deleted` here, attributed to the declaration found missing.
 * Pure; every other finding passes unchanged.
 */
export function markMissing(finding: DriftFinding): DriftFinding {
  const missing = finding.event.missing;
  if (missing === undefined || finding.driftType === 'unmanaged' || finding.driftType === 'none') return finding;
  const declared = missing.declared;
  const terraform = declared === undefined ? finding.terraform : { address: declared.address, state: declared.state };
  const changes =
    missing.reason !== 'not_found' || finding.resourceType !== 'aws_kms_key'
      ? finding.changes
      : declared?.type === 'aws_kms_key_policy'
        ? { policy: { expected: finding.expected.policy ?? null, actual: null } }
        : { key_state: { expected: finding.expected.key_state ?? 'Enabled', actual: null } };
  return { ...finding, driftType: 'deleted', changes, ...(terraform === undefined ? {} : { terraform }) };
}
