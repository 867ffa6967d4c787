import type { JsonValue } from './json.ts';

/** KMS API reference, ScheduleKeyDeletion: PendingWindowInDays defaults to 30 days. */
export const DEFAULT_DELETION_WINDOW_DAYS = 30;

/** KMS API reference, EnableKeyRotation: RotationPeriodInDays defaults to 365 days. */
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;

/** KeyState values KMS reports (DescribeKey / CloudTrail keyState). */
export type KeyState =
  | 'Enabled'
  | 'Disabled'
  | 'PendingDeletion'
  | 'PendingReplicaDeletion'
  | 'PendingImport'
  | 'Unavailable'
  | 'Creating'
  | 'Updating';

/**
 * The compared attributes of a key, named as the drift log names them (DESIGN.md §3). Both sides of a diff use
 * this shape: Terraform's declaration (`is_enabled` already mapped to key_state) and the key after an event.
 */
export interface KeyAttributes {
  readonly key_state: KeyState;
  /** ISO 8601. */
  readonly deletion_date: string;
  /**
   * The waiting period of a deletion: the window a ScheduleKeyDeletion used, and Terraform's configured
   * `deletion_window_in_days` (default 30). Never read back from AWS, so a scan never compares it.
   */
  readonly deletion_window_in_days: number;
  readonly enable_key_rotation: boolean;
  readonly rotation_period_in_days: number;
  /** The parsed policy document; a string only when it was not valid JSON. */
  readonly policy: JsonValue;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly key_usage: string;
  readonly customer_master_key_spec: string;
  readonly multi_region: boolean;
  /**
   * The ARN of the multi-Region primary: a replica's `primary_key_arn`; for a multi-Region key that Terraform declares
   * as `aws_kms_key` (always a primary, or the provider refuses to read it) its own ARN. Changed by UpdatePrimaryRegion.
   */
  readonly primary_key_arn: string;
  /** Imported key material (external keys): when it expires, ISO 8601; null when it does not expire. */
  readonly valid_to: string | null;
  /** KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE. */
  readonly expiration_model: string;
}

export interface AliasAttributes {
  readonly alias_name: string;
  /** Bare key id (UUID or mrk-), never an ARN: the provider treats both as the same target. */
  readonly target_key_id: string;
}

/**
 * aws_kms_grant, identified by its key and `grant_id`. Every argument forces a new grant, so any difference is a grant
 * Terraform did not make. Never the `grant_token` (a credential).
 */
export interface GrantAttributes {
  readonly grant_id: string;
  readonly grantee_principal: string;
  /** Sorted: the provider stores a set. */
  readonly operations: readonly string[];
  /** `{encryption_context_equals}` or `{encryption_context_subset}`, as the provider's `constraints` block. */
  readonly constraints: JsonValue;
  readonly retiring_principal: string;
  readonly name: string;
}

/**
 * aws_kms_custom_key_store, without its credentials: `key_store_password` and the XKS proxy's authentication
 * credential are never read. Connecting and disconnecting a store
 * changes nothing Terraform declares.
 */
export interface CustomKeyStoreAttributes {
  readonly custom_key_store_name: string;
  readonly custom_key_store_type: string;
  readonly cloud_hsm_cluster_id: string;
  readonly trust_anchor_certificate: string;
  readonly xks_proxy_connectivity: string;
  readonly xks_proxy_uri_endpoint: string;
  readonly xks_proxy_uri_path: string;
  readonly xks_proxy_vpc_endpoint_service_name: string;
}

export type KeyAttributeName = keyof KeyAttributes;
export type AliasAttributeName = keyof AliasAttributes;
export type GrantAttributeName = keyof GrantAttributes;
export type CustomKeyStoreAttributeName = keyof CustomKeyStoreAttributes;
export type AttributeName = KeyAttributeName | AliasAttributeName | GrantAttributeName | CustomKeyStoreAttributeName;
