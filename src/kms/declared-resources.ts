import type { DeclaredIndex, DeclaredKeyType, TerraformOrigin } from '../model/declared.ts';
import { parseKmsArn, type KmsArn } from '../model/arn.ts';

/**
 * Where a declared resource lives and what it is, for the scan's "is it still there?" check. Every Terraform
 * resource is one entry, so a state's key and its `aws_kms_key_policy` are two: Terraform would recreate both.
 */
export interface DeclaredResource {
  readonly type: DeclaredKeyType | 'aws_kms_key_policy' | 'aws_kms_alias' | 'aws_kms_grant';
  readonly partition: string;
  readonly account: string;
  readonly region: string;
  /** Key id (UUID or mrk-) for keys and key policies, alias name (`alias/…`) for aliases, grant id for grants. */
  readonly id: string;
  /** The resource's ARN (for a key policy or a grant, its key's). */
  readonly arn: string;
  /** Grants: the key's id. */
  readonly keyId?: string;
  readonly origin: TerraformOrigin;
}

/**
 * Every resource of the states that the scan can look for, in the order of the index. A resource whose account and
 * Region the state does not tell (no ARN; a grant whose key is neither an ARN nor declared; custom key stores, which
 * have no ARN) cannot be looked for and is left out. The one place that knows which declared types the scan checks:
 * a new type is one more block here and one more case in `missingResources` (src/kms/missing.ts).
 */
export function declaredResources(index: DeclaredIndex): DeclaredResource[] {
  const out: DeclaredResource[] = [];
  for (const key of index.keysByArn.values()) {
    const arn = parsed(key.arn);
    if (arn === undefined) continue;
    out.push({ type: key.type, ...placeOf(arn), id: key.keyId, origin: key.origin });
    if (key.policyOrigin !== undefined) {
      out.push({ type: 'aws_kms_key_policy', ...placeOf(arn), id: key.keyId, origin: key.policyOrigin });
    }
  }
  for (const alias of index.aliasesByArn.values()) {
    const arn = parsed(alias.arn);
    if (arn !== undefined) out.push({ type: 'aws_kms_alias', ...placeOf(arn), id: alias.name, origin: alias.origin });
  }
  for (const grant of index.grants.values()) {
    const arn = parsed(grant.keyArn);
    if (arn === undefined) continue;
    out.push({ type: 'aws_kms_grant', ...placeOf(arn), id: grant.grantId, keyId: arn.resource, origin: grant.origin });
  }
  return out;
}

const parsed = (arn: string | undefined): KmsArn | undefined => (arn === undefined ? undefined : parseKmsArn(arn));

/** Where a resource lives, from its ARN (for a key policy or a grant, its key's). */
function placeOf(arn: KmsArn): Pick<DeclaredResource, 'partition' | 'account' | 'region' | 'arn'> {
  return { partition: arn.partition, account: arn.account, region: arn.region, arn: arn.arn };
}
