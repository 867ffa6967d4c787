// The KMS actions a key policy can grant, from the AWS KMS permissions reference
// (https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html). Wildcards in a policy
// (`kms:*`, `kms:Create*`, `kms:ReEncrypt*`) are expanded against this list, so two spellings of the same grant compare
// equal and a widened grant shows as the actions it adds. IAM matches action names case-insensitively.

import { wildcardMatch } from '../model/wildcard.ts';

/** Cryptographic operations: what "use of the key" means in the AWS default key policy. */
export const USE_ACTIONS = [
  'kms:Decrypt',
  'kms:DeriveSharedSecret',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateMac',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:Sign',
  'kms:Verify',
  'kms:VerifyMac',
] as const;

/**
 * Actions that decide whether the key exists, is usable, and who may use it: holding one of them is what makes a
 * principal an administrator here. Tagging, descriptions and aliases are management too, but do not control access;
 * grant management (CreateGrant/ListGrants/RevokeGrant) is what AWS's default policy gives key *users* for attaching
 * AWS resources, so it makes no one an administrator.
 */
export const ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:DeleteImportedKeyMaterial',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:ImportKeyMaterial',
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  'kms:UpdatePrimaryRegion',
] as const;

/** The other actions whose resource is a KMS key (or that a key policy can name). */
const OTHER_ACTIONS = [
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:GetParametersForImport',
  'kms:GetPublicKey',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:ReplicateKey',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:SynchronizeMultiRegionKey',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
] as const;

export const KMS_ACTIONS: readonly string[] = [...USE_ACTIONS, ...ADMIN_ACTIONS, ...OTHER_ACTIONS].sort();

const BY_LOWER = new Map(KMS_ACTIONS.map((a) => [a.toLowerCase(), a]));
const USE: ReadonlySet<string> = new Set(USE_ACTIONS);
const ADMIN: ReadonlySet<string> = new Set(ADMIN_ACTIONS);

export const isUseAction = (action: string): boolean => USE.has(action);
export const isAdminAction = (action: string): boolean => ADMIN.has(action);

/**
 * The KMS actions a statement's `Action` (or, with `not`, its `NotAction`) grants. A literal KMS action that is not in
 * the list (a newer API) is kept as written, so it still takes part in comparisons; other services' actions are
 * irrelevant to a key policy and dropped.
 */
export function expandActions(patterns: readonly string[], not: boolean): ReadonlySet<string> {
  // Policies repeat the same action lists (every key of a module has the same statements), so each list is
  // expanded once.
  const key = `${not ? '!' : ''}${patterns.join('\u0000')}`;
  const cached = expanded.get(key);
  if (cached !== undefined) return cached;
  const result = expand(patterns, not);
  if (expanded.size < MAX_CACHED_LISTS) expanded.set(key, result);
  return result;
}

const MAX_CACHED_LISTS = 4096;
const expanded = new Map<string, ReadonlySet<string>>();

function expand(patterns: readonly string[], not: boolean): ReadonlySet<string> {
  const matched = new Set<string>();
  const unknown = new Set<string>();
  for (const raw of patterns) {
    const pattern = raw.toLowerCase();
    if (!pattern.includes('*') && !pattern.includes('?')) {
      const known = BY_LOWER.get(pattern);
      if (known !== undefined) matched.add(known);
      else if (pattern.startsWith('kms:')) unknown.add(raw);
      continue;
    }
    for (const action of KMS_ACTIONS) if (wildcardMatch(pattern, action.toLowerCase())) matched.add(action);
  }
  if (!not) return new Set([...matched, ...unknown]);
  return new Set(KMS_ACTIONS.filter((a) => !matched.has(a)));
}
