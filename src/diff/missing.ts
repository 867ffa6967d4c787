import type { DriftFinding } from '../model/finding.ts';

/**
 * A scan event for a resource a state declares and the account does not hold (src/kms/missing.ts): the comparison
 * found nothing to compare (a gone key has no attributes), so the finding is made `deleted` here, attributed to the
 * declaration found missing (a key policy is its own Terraform resource).
 */
export function markMissing(finding: DriftFinding): DriftFinding {
  const missing = finding.event.missing;
  if (missing === undefined || finding.driftType === 'unmanaged') return finding;
  const terraform = missing.declared ?? finding.terraform;
  const changes =
    missing.reason !== 'not_found' || finding.resourceType !== 'aws_kms_key'
      ? finding.changes
      : missing.declared?.type === 'aws_kms_key_policy'
        ? { policy: { expected: finding.expected.policy ?? null, actual: null } }
        : { key_state: { expected: finding.expected.key_state ?? 'Enabled', actual: null } };
  return { ...finding, driftType: 'deleted', changes, ...(terraform === undefined ? {} : { terraform }) };
}
