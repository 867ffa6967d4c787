/** Terraform's resource address: `module.kms.aws_kms_key.this["data"]`, `aws_kms_key.legacy[0]`. */
export function resourceAddress(
  module: string | undefined,
  type: string,
  name: string,
  indexKey: string | number | undefined,
): string {
  const base = `${module ? `${module}.` : ''}${type}.${name}`;
  if (indexKey === undefined) return base;
  return typeof indexKey === 'number' ? `${base}[${indexKey}]` : `${base}[${JSON.stringify(indexKey)}]`;
}
