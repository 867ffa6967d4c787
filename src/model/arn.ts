/** A KMS key or alias ARN split into its parts: `arn:<partition>:kms:<region>:<account>:key/<id>` or `:alias/<name>`. */
export interface KmsArn {
  readonly arn: string;
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

export function keyArn(partitionArn: KmsArn, keyId: string): string {
  const partition = partitionArn.arn.split(':')[1] ?? 'aws';
  return `arn:${partition}:kms:${partitionArn.region}:${partitionArn.account}:key/${keyId}`;
}
