import type { AliasAttributes, KeyAttributes } from './snapshot.ts';

/** Where a declared resource came from: the state source (file path or s3:// URL) and its Terraform address. */
export interface TerraformOrigin {
  /** e.g. `module.kms.aws_kms_key.this["data"]` */
  readonly address: string;
  /** The state source as the user named it (path or s3://bucket/key). */
  readonly state: string;
}

export interface DeclaredKey {
  readonly type: 'aws_kms_key' | 'aws_kms_replica_key';
  readonly keyId: string;
  readonly arn?: string;
  readonly origin: TerraformOrigin;
  /** Attributes Terraform stores; `deletion_window_in_days` is the configured value (AWS never reports it). */
  readonly attributes: Partial<KeyAttributes>;
  /** Set when an `aws_kms_key_policy` resource manages this key's policy (it takes precedence). */
  readonly policyOrigin?: TerraformOrigin;
}

export interface DeclaredAlias {
  readonly name: string;
  readonly arn?: string;
  readonly origin: TerraformOrigin;
  readonly attributes: AliasAttributes;
}

/**
 * Every KMS resource of every loaded state, indexed for the lookups the diff needs. Built once per state load;
 * read-only afterwards, so a reload swaps the whole index atomically.
 */
export interface DeclaredIndex {
  /** By key ARN: exact, and the only way to tell a multi-Region primary from its replicas (same `mrk-` id). */
  readonly keysByArn: ReadonlyMap<string, DeclaredKey>;
  /** By bare key id (UUID or mrk-); for `mrk-` ids this holds the first declaration seen. */
  readonly keysById: ReadonlyMap<string, DeclaredKey>;
  /** By alias name (`alias/…`). */
  readonly aliasesByName: ReadonlyMap<string, DeclaredAlias>;
  /** The state sources that were loaded, for logs and metrics (never their content). */
  readonly sources: readonly string[];
}
