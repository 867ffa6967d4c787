import { DescribeKeyCommand, paginateListGrants, type KMSClient } from '@aws-sdk/client-kms';
import type { KmsEvent } from '../model/kms-event.ts';
import type { Problem } from '../model/problem.ts';
import type { DeclaredResource } from './declared-resources.ts';
import { missingEvent, missingResources } from './missing.ts';
import { errorText, isAccessDenied, isNotFound, readAccount, readKey } from './read-account.ts';
import { scanEvent } from './scan-event.ts';
import type { ScanTarget } from './targets.ts';

export interface TargetCounts {
  keys: number;
  aliases: number;
  /** Findings of drift (modified, deleted, unmanaged), missing resources included. */
  drifted: number;
  missing: number;
  denied: number;
}

export interface ScanSink {
  /** Diffs and evaluates one Scan event and writes its logs; says whether it was drift. */
  event(event: KmsEvent): { readonly drifted: boolean; readonly missing: boolean };
  problem(problem: Problem): void;
}

/**
 * Reads one account and Region through `client` (its credentials and Region are the target's) and reports every
 * key and alias read, then every declared resource of the target that is not there. A key that may not be read is
 * a problem and never counted missing. Any other failure of the KMS API (after the SDK's retries) is thrown: the
 * target is then unread, and nothing of it is reported missing.
 */
export async function scanTarget(
  client: KMSClient,
  target: ScanTarget,
  declared: readonly DeclaredResource[],
  sink: ScanSink,
  counts: TargetCounts,
  now: () => Date = () => new Date(),
): Promise<void> {
  const keys = new Map<string, { pending: boolean }>();
  const aliases = new Set<string>();
  const where = `${target.account} ${target.region}`;
  const report = (event: KmsEvent): void => {
    const result = sink.event(event);
    if (result.drifted) counts.drifted++;
    if (result.missing) counts.missing++;
  };
  const denied = (what: string, reason: string): void => {
    counts.denied++;
    sink.problem({
      code: 'SCAN_ACCESS_DENIED',
      severity: 'error',
      source: where,
      message: `${what}: ${reason}`,
    });
  };
  for await (const reading of readAccount(client)) {
    const readAt = now().toISOString();
    if ('denied' in reading) {
      keys.set(reading.keyId, { pending: false });
      denied(reading.denied, reading.reason);
      continue;
    }
    if ('name' in reading) {
      aliases.add(reading.name);
      counts.aliases++;
    } else {
      const state = reading.metadata.KeyState;
      keys.set(reading.metadata.KeyId ?? '', {
        pending: state === 'PendingDeletion' || state === 'PendingReplicaDeletion',
      });
      counts.keys++;
    }
    report(scanEvent(reading, readAt, target.account));
  }
  const grants = await readGrants(client, declared, keys, denied);
  const missing = missingResources(declared, { keys, aliases, grants });
  // Not listed is not yet gone: DescribeKey tells a deleted key from one this role may not see.
  for (const r of missing.keys) {
    try {
      const { KeyMetadata: metadata } = await client.send(new DescribeKeyCommand({ KeyId: r.arn }));
      if (metadata === undefined) throw new Error('DescribeKey returned no metadata');
      // Created or listed late: read like any other key.
      keys.set(r.id, { pending: false });
      counts.keys++;
      report(scanEvent(await readKey(client, metadata), now().toISOString(), target.account));
    } catch (err: unknown) {
      if (isNotFound(err)) {
        report(missingEvent(r, 'not_found', now().toISOString()));
      } else if (isAccessDenied(err)) {
        keys.set(r.id, { pending: false });
        denied(`${r.arn} (${r.origin.address})`, errorText(err));
      } else throw err;
    }
  }
  for (const r of missing.others) {
    // A key policy is missing with its key; when its key could not be read, nothing is known of it either.
    if (r.type === 'aws_kms_key_policy' && keys.has(r.id)) continue;
    report(missingEvent(r, 'not_found', now().toISOString()));
  }
}

/**
 * The grant ids of each listed key that a state declares grants on (ListGrants per key: only those, as the scan role
 * reads nothing it does not compare). A key pending deletion keeps its grants until it is deleted.
 */
async function readGrants(
  client: KMSClient,
  declared: readonly DeclaredResource[],
  keys: ReadonlyMap<string, { readonly pending: boolean }>,
  denied: (what: string, reason: string) => void,
): Promise<Map<string, Set<string>>> {
  const grants = new Map<string, Set<string>>();
  for (const r of declared) {
    const keyId = r.keyId;
    if (r.type !== 'aws_kms_grant' || keyId === undefined || grants.has(keyId) || !keys.has(keyId)) continue;
    const ids = new Set<string>();
    try {
      for await (const page of paginateListGrants({ client }, { KeyId: r.arn })) {
        for (const g of page.Grants ?? []) if (g.GrantId !== undefined) ids.add(g.GrantId);
      }
    } catch (err: unknown) {
      // Grants of a key the role may not read stay unknown: never reported missing.
      if (isAccessDenied(err)) {
        denied(`the grants of ${r.arn}`, errorText(err));
        continue;
      }
      if (isNotFound(err)) continue;
      throw err;
    }
    grants.set(keyId, ids);
  }
  return grants;
}
