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
  if (!text.startsWith('arn:')) return undefined;
  const parts = text.split(':');
  if (parts.length < 6 || parts[2] !== 'kms') return undefined;
  const resource = parts.slice(5).join(':');
  const kind = resource.startsWith('key/') ? 'key' : resource.startsWith('alias/') ? 'alias' : undefined;
  if (kind === undefined) return undefined;
  return {
    arn: text,
    region: parts[3] ?? '',
    account: parts[4] ?? '',
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
