import type { JsonValue } from './json.ts';
import type { KmsEvent, ResourceType } from './kms-event.ts';
import type { AttributeName } from './snapshot.ts';
import type { TerraformOrigin } from './declared.ts';

export type DriftType = 'modified' | 'deleted' | 'unmanaged' | 'in_sync' | 'none';

/** One RFC 6902 operation, as fast-json-patch produces it. */
export interface PatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  readonly path: string;
  readonly value?: JsonValue;
  readonly from?: string;
}

export interface AttributeChange {
  /** What Terraform declares; absent when Terraform does not declare the attribute. */
  readonly expected?: JsonValue;
  /** The value after the event. */
  readonly actual: JsonValue;
}

/** A condition of a statement (`{"StringEquals": {"kms:ViaService": [...]}}` is one condition per key). */
export interface ConditionChange {
  /** The statement's Sid, else `#<position>` in canonical order. */
  readonly statement: string;
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

export interface ActionsWidened {
  readonly statement: string;
  readonly principals: readonly string[];
  /** KMS actions the statement allows that the statements it replaced did not (wildcards expanded). */
  readonly actions: readonly string[];
}

/** Statement-level differences between Terraform's policy and the policy after the event (src/policy/compare.ts). */
export interface PolicyDelta {
  /** Canonical statements with no counterpart in Terraform's policy. */
  readonly added_statements: readonly JsonValue[];
  readonly removed_statements: readonly JsonValue[];
  readonly conditions_removed: readonly ConditionChange[];
  readonly conditions_added: readonly ConditionChange[];
  readonly actions_widened: readonly ActionsWidened[];
}

export interface PolicyChange extends AttributeChange, PolicyDelta {
  readonly added_principals: readonly string[];
  readonly removed_principals: readonly string[];
  /** Accounts granted access that are neither the key's account nor in `allowedAccounts`. */
  readonly external_accounts: readonly string[];
  /** Principals that can now both administer and use the key, and could not per Terraform. */
  readonly admins_gained_use: readonly string[];
  readonly patch: readonly PatchOperation[];
}

export interface PolicyFacts extends PolicyDelta {
  /** Principals present after the event and not declared (or all of them when unmanaged). */
  readonly added_principals: readonly string[];
  readonly removed_principals: readonly string[];
  /**
   * Account ids granted access by Allow statements (ARN principals, and `*` limited by kms:CallerAccount or
   * aws:PrincipalAccount) that are neither the key's account nor in `allowedAccounts`.
   */
  readonly external_accounts: readonly string[];
  /** An Allow statement grants `*` (or `{"AWS":"*"}`) without a Condition. */
  readonly wildcard_principal: boolean;
  /** Some named principal (not an account root) can both administer and use the key. */
  readonly admin_can_use: boolean;
  readonly admins_with_use: readonly string[];
  /** admins_with_use that Terraform's policy did not make so (all of them when there is no declared policy). */
  readonly admins_gained_use: readonly string[];
  /** Condition keys no longer constraining a statement; `kms:EncryptionContext:*` stands beside any context key. */
  readonly condition_keys_removed: readonly string[];
}

/**
 * Break-glass: `authorized_emergency` for an emergency principal's DisableKey, ScheduleKeyDeletion or RevokeGrant;
 * for a later EnableKey or CancelKeyDeletion on that key, `recovery` (a recovery principal within the window),
 * `recovery_outside_window` (a recovery principal, too late) or `unauthorized_recovery` (anyone else).
 */
export type EmergencyStatus = 'authorized_emergency' | 'recovery' | 'recovery_outside_window' | 'unauthorized_recovery';

export interface EmergencyContext {
  readonly status: EmergencyStatus;
  /** The emergency action (for a recovery, the one it follows). */
  readonly emergency_event: string;
  readonly emergency_event_id: string;
  readonly emergency_time: string;
  readonly emergency_user?: string;
  readonly window_days: number;
  /** For a recovery: hours between the emergency action and this event. */
  readonly elapsed_hours?: number;
}

/** The result of comparing one event with the Terraform state. Pure data; the drift log is built from it. */
export interface DriftFinding {
  readonly event: KmsEvent;
  /** Absent for an event about no KMS resource (another service's record, a KMS call naming no key). */
  readonly resourceType?: ResourceType;
  /**
   * Key ARN or alias ARN when known, else the best identifier the record gives; for a grant `<key ARN>:<grant id>`
   * (Terraform's import id), for a custom key store its id.
   */
  readonly resource?: string;
  readonly account?: string;
  readonly region?: string;
  readonly driftType: DriftType;
  /** Only the attributes that differ from Terraform, keyed by attribute name (policy carries PolicyChange). */
  readonly changes: Readonly<Partial<Record<AttributeName, AttributeChange | PolicyChange>>>;
  /** Every attribute the event determined, after the event (drift.<attribute>). */
  readonly actual: Readonly<Partial<Record<AttributeName, JsonValue>>>;
  /** Every attribute Terraform declares for the resource (tf.<attribute>). */
  readonly expected: Readonly<Partial<Record<AttributeName, JsonValue>>>;
  readonly terraform?: TerraformOrigin;
  /** Grants: the declaration of the grant's key, when a state declares it (an unmanaged grant on a managed key). */
  readonly keyTerraform?: TerraformOrigin;
  /**
   * CreateGrant: the grantee's account, and whether it is another account than the key's and not in
   * `allowedAccounts` (a grant gives access outside the key policy).
   */
  readonly grantee?: { readonly account?: string; readonly external: boolean };
  /** Policy analysis of the policy after the event, when the event carried one. */
  readonly policy?: PolicyFacts;
  /** The change was made by Terraform/OpenTofu itself or an allowlisted principal. */
  readonly byTerraform: boolean;
  /** Set by the break-glass stage when the event is part of the emergency procedure. */
  readonly emergency?: EmergencyContext;
}
