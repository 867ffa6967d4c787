import type { JsonValue } from './json.ts';
import type { KmsEvent } from './kms-event.ts';
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

export interface PolicyChange extends AttributeChange {
  readonly added_principals: readonly string[];
  readonly removed_principals: readonly string[];
  readonly patch: readonly PatchOperation[];
}

export interface PolicyFacts {
  /** Principals present after the event and not declared (or all of them when unmanaged). */
  readonly added_principals: readonly string[];
  readonly removed_principals: readonly string[];
  /** Principals of Allow statements whose account differs from the key's account. */
  readonly external_accounts: readonly string[];
  /** An Allow statement grants `*` (or `{"AWS":"*"}`) without a Condition. */
  readonly wildcard_principal: boolean;
}

/** The result of comparing one event with the Terraform state. Pure data; the drift log is built from it. */
export interface DriftFinding {
  readonly event: KmsEvent;
  readonly resourceType: 'aws_kms_key' | 'aws_kms_alias';
  /** Key ARN or alias ARN when known, else the best identifier the record gives. */
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
  /** Policy analysis of the policy after the event, when the event carried one. */
  readonly policy?: PolicyFacts;
  /** The change was made by Terraform/OpenTofu itself or an allowlisted principal. */
  readonly byTerraform: boolean;
}
