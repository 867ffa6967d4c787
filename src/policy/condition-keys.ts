// IAM condition key names are case-insensitive; policies written by hand and by Terraform modules spell them
// differently (`kms:viaService`, `KMS:ViaService`). Known keys are reported in the spelling AWS documents, so rules
// can compare them exactly; the part after a prefix such as `kms:EncryptionContext:` is kept as written.

const KEYS = [
  'aws:CalledVia',
  'aws:MultiFactorAuthPresent',
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:PrincipalServiceName',
  'aws:PrincipalType',
  'aws:SecureTransport',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceIp',
  'aws:SourceOrgID',
  'aws:SourceVpc',
  'aws:SourceVpce',
  'aws:TagKeys',
  'aws:userid',
  'aws:username',
  'aws:ViaAWSService',
  'kms:BypassPolicyLockoutSafetyCheck',
  'kms:CallerAccount',
  'kms:CustomerMasterKeySpec',
  'kms:CustomerMasterKeyUsage',
  'kms:DataKeyPairSpec',
  'kms:EncryptionAlgorithm',
  'kms:EncryptionContextKeys',
  'kms:ExpirationModel',
  'kms:GrantConstraintType',
  'kms:GranteePrincipal',
  'kms:GrantIsForAWSResource',
  'kms:GrantOperations',
  'kms:KeyAgreementAlgorithm',
  'kms:KeyOrigin',
  'kms:KeySpec',
  'kms:KeyUsage',
  'kms:MacAlgorithm',
  'kms:MessageType',
  'kms:MultiRegion',
  'kms:MultiRegionKeyType',
  'kms:PrimaryRegion',
  'kms:ReplicaRegion',
  'kms:RequestAlias',
  'kms:ResourceAliases',
  'kms:RetiringPrincipal',
  'kms:RotationPeriodInDays',
  'kms:ScheduleKeyDeletionPendingWindowInDays',
  'kms:SigningAlgorithm',
  'kms:ValidTo',
  'kms:ViaService',
  'kms:WrappingAlgorithm',
  'kms:WrappingKeySpec',
];
const PREFIXES = [
  'aws:PrincipalTag/',
  'aws:RequestTag/',
  'aws:ResourceTag/',
  'kms:EncryptionContext:',
  'kms:RecipientAttestation:',
];

const BY_LOWER = new Map(KEYS.map((k) => [k.toLowerCase(), k]));

/** The family every `kms:EncryptionContext:<key>` belongs to, listed beside it for rules (`intersects`). */
export const ENCRYPTION_CONTEXT_FAMILY = 'kms:EncryptionContext:*';

export function canonicalConditionKey(key: string): string {
  const lower = key.toLowerCase();
  const known = BY_LOWER.get(lower);
  if (known !== undefined) return known;
  for (const prefix of PREFIXES) {
    if (lower.startsWith(prefix.toLowerCase())) return prefix + key.slice(prefix.length);
  }
  return key;
}

/** `kms:EncryptionContext:app` → also `kms:EncryptionContext:*`, so one rule covers every context key. */
export function withFamilies(keys: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const key of keys) {
    out.add(key);
    if (key.startsWith('kms:EncryptionContext:')) out.add(ENCRYPTION_CONTEXT_FAMILY);
  }
  return [...out].sort();
}
