import type { DeclaredIndex, TerraformOrigin } from '../model/declared.ts';
import { parseKmsArn } from '../model/arn.ts';

/**
 * Where a declared resource lives and what it is, for the scan's "is it still there?" check. Every Terraform
 * resource is one entry, so a state's key and its `aws_kms_key_policy` are two: Terraform would recreate both.
 */
export interface DeclaredResource {
  readonly type: 'aws_kms_key' | 'aws_kms_replica_key' | 'aws_kms_key_policy' | 'aws_kms_alias';
  readonly partition: string;
  readonly account: string;
  readonly region: string;
  /** Key id (UUID or mrk-) for keys and key policies, alias name (`alias/…`) for aliases. */
  readonly id: string;
  /** The resource's ARN (for a key policy, its key's). */
  readonly arn: string;
  readonly origin: TerraformOrigin;
}

/**
 * Every resource of the states that the scan can look for, in the order of the index. A resource whose account and
 * Region the state does not tell (no ARN, an alias whose target key is not declared either) cannot be looked for and
 * is left out. The one place that knows which declared types exist: a new type is one more block here and one more
 * case in `missingResources` (src/kms/missing.ts).
 */
export function declaredResources(index: DeclaredIndex): DeclaredResource[] {
  const out: DeclaredResource[] = [];
  for (const key of index.keysByArn.values()) {
    const arn = key.arn === undefined ? undefined : parseKmsArn(key.arn);
    if (arn === undefined) continue;
    const where = { partition: partitionOf(arn.arn), account: arn.account, region: arn.region, arn: arn.arn };
    out.push({ type: key.type, ...where, id: key.keyId, origin: key.origin });
    if (key.policyOrigin !== undefined) {
      out.push({ type: 'aws_kms_key_policy', ...where, id: key.keyId, origin: key.policyOrigin });
    }
  }
  for (const alias of index.aliasesByName.values()) {
    const target = index.keysById.get(alias.attributes.target_key_id);
    const arn =
      alias.arn !== undefined
        ? parseKmsArn(alias.arn)
        : target?.arn === undefined
          ? undefined
          : parseKmsArn(target.arn);
    if (arn === undefined) continue;
    const partition = partitionOf(arn.arn);
    out.push({
      type: 'aws_kms_alias',
      partition,
      account: arn.account,
      region: arn.region,
      id: alias.name,
      arn: alias.arn ?? `arn:${partition}:kms:${arn.region}:${arn.account}:${alias.name}`,
      origin: alias.origin,
    });
  }
  return out;
}

function partitionOf(arn: string): string {
  return arn.split(':')[1] ?? 'aws';
}
