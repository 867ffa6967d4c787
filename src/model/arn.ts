import type { Scope } from './declared.ts';

/** A KMS key or alias ARN split into its parts: `arn:<partition>:kms:<region>:<account>:key/<id>` or `:alias/<name>`. */
export interface KmsArn {
  readonly arn: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly kind: 'key' | 'alias';
  /** Key id (UUID or mrk-) or alias name with its `alias/` prefix. */
  readonly resource: string;
}

export function parseKmsArn(text: string): KmsArn | undefined {
  // indexOf rather than split: this runs several times for every KMS record, and split allocates an array each time.
  if (!text.startsWith('arn:')) return undefined;
  const service = text.indexOf(':', 4) + 1; // after the partition
  if (service === 0 || !text.startsWith('kms:', service)) return undefined;
  const regionEnd = text.indexOf(':', service + 4);
  const accountEnd = regionEnd < 0 ? -1 : text.indexOf(':', regionEnd + 1);
  if (accountEnd < 0) return undefined;
  const resource = text.slice(accountEnd + 1);
  const kind = resource.startsWith('key/') ? 'key' : resource.startsWith('alias/') ? 'alias' : undefined;
  if (kind === undefined) return undefined;
  return {
    arn: text,
    partition: text.slice(4, service - 1),
    region: text.slice(service + 4, regionEnd),
    account: text.slice(regionEnd + 1, accountEnd),
    kind,
    resource: kind === 'key' ? resource.slice('key/'.length) : resource,
  };
}

/** The bare key id of a key id or key ARN (the provider treats both as the same alias target). */
export function bareKeyId(idOrArn: string): string {
  const arn = parseKmsArn(idOrArn);
  return arn?.kind === 'key' ? arn.resource : idOrArn;
}

export function scopeOf(arn: KmsArn): Scope {
  return { partition: arn.partition, account: arn.account, region: arn.region };
}

export function keyArnIn(scope: Scope, keyId: string): string {
  return `arn:${scope.partition}:kms:${scope.region}:${scope.account}:key/${keyId}`;
}

export function aliasArnIn(scope: Scope, aliasName: string): string {
  return `arn:${scope.partition}:kms:${scope.region}:${scope.account}:${aliasName}`;
}

/**
 * The partition of a Region, for records that name a key or alias without an ARN (AWS's partitions: China, GovCloud
 * and the isolated Regions have their own; every other Region is `aws`).
 */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}
