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
}

export interface AliasAttributes {
  readonly alias_name: string;
  /** Bare key id (UUID or mrk-), never an ARN: the provider treats both as the same target. */
  readonly target_key_id: string;
}

export type KeyAttributeName = keyof KeyAttributes;
export type AliasAttributeName = keyof AliasAttributes;
export type AttributeName = KeyAttributeName | AliasAttributeName;
