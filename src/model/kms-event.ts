import type { JsonObject } from './json.ts';
import type { TerraformOrigin } from './declared.ts';
import type { AliasAttributes, CustomKeyStoreAttributes, GrantAttributes, KeyAttributes } from './snapshot.ts';

/** The KMS management events kms-drift turns into changes of a key, alias, grant or custom key store. */
export const KMS_EVENT_NAMES = [
  'CreateKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'DisableKey',
  'EnableKey',
  'PutKeyPolicy',
  'CreateAlias',
  'DeleteAlias',
  'UpdateAlias',
  'EnableKeyRotation',
  'DisableKeyRotation',
  'TagResource',
  'UntagResource',
  // Not one of the 13 of the spec, but the only other call that changes a compared attribute (description).
  'UpdateKeyDescription',
  // Multi-Region keys and imported key material (aws_kms_replica_key, aws_kms_external_key, …).
  'ReplicateKey',
  'UpdatePrimaryRegion',
  'ImportKeyMaterial',
  'DeleteImportedKeyMaterial',
  // Changes no declared attribute, but rules see it on the key.
  'RotateKeyOnDemand',
  // aws_kms_grant. RevokeGrant is also one of the break-glass emergency actions.
  'CreateGrant',
  'RetireGrant',
  'RevokeGrant',
  // aws_kms_custom_key_store.
  'CreateCustomKeyStore',
  'UpdateCustomKeyStore',
  'DeleteCustomKeyStore',
  'ConnectCustomKeyStore',
  'DisconnectCustomKeyStore',
] as const;
export type KmsEventName = (typeof KMS_EVENT_NAMES)[number];

export const KMS_EVENT_SOURCE = 'kms.amazonaws.com';

/**
 * Not a CloudTrail event: `kms-drift scan` reads a key or alias through the KMS API and reports what it found
 * under this name, so rules tell scan findings (`evt.name = "Scan"`) from the changes CloudTrail reported.
 */
export const SCAN_EVENT = 'Scan';

/** Who made the call, as CloudTrail's userIdentity and request metadata tell it. */
export interface Actor {
  /** Falco's ct.user semantics: userName, invokedBy, session issuer name, … */
  readonly user?: string;
  readonly arn?: string;
  /** For assumed roles: sessionContext.sessionIssuer.arn (the role ARN people put in allowlists). */
  readonly issuerArn?: string;
  /** userIdentity.type (IAMUser, AssumedRole, Root, AWSService, …); absent for AWS service events. */
  readonly type?: string;
  readonly accountId?: string;
  readonly principalId?: string;
  readonly invokedBy?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
}

/**
 * A key named in whatever form CloudTrail used, resolved as far as the record allows. `partition`, `account` and
 * `region` come from the key's ARN; when the record names the key only by id or alias they are the call's own (KMS
 * resolves an id or alias in the caller's account and the Region of the endpoint; another account's key can only be
 * named by ARN).
 */
export interface KeyRef {
  /** Bare key id: a UUID or an `mrk-` id. */
  readonly keyId?: string;
  readonly arn?: string;
  /** Set when the record named the key only through an alias (`alias/x` or an alias ARN). */
  readonly aliasName?: string;
  readonly partition?: string;
  readonly account?: string;
  readonly region?: string;
}

export interface AliasRef {
  /** `alias/…` */
  readonly name: string;
  readonly arn?: string;
  readonly partition?: string;
  readonly account?: string;
  readonly region?: string;
}

export type ResourceType = 'aws_kms_key' | 'aws_kms_alias' | 'aws_kms_grant' | 'aws_kms_custom_key_store';

/**
 * What the event says about the resource after it succeeded. Only attributes the event determines are set.
 * Tag events are deltas, not full tag maps: `tagsSet` adds or overwrites, `tagsRemoved` deletes.
 */
export interface KeyChange {
  readonly kind: 'key';
  readonly attributes: Partial<KeyAttributes>;
  readonly tagsSet?: Readonly<Record<string, string>>;
  readonly tagsRemoved?: readonly string[];
  /** ScheduleKeyDeletion's requested window; Terraform never reads it back, so it is context, not drift. */
  readonly pendingWindowInDays?: number;
}

export interface AliasChange {
  readonly kind: 'alias';
  readonly attributes: Partial<AliasAttributes>;
  /** DeleteAlias: the alias no longer exists. */
  readonly deleted?: boolean;
}

export interface GrantChange {
  readonly kind: 'grant';
  readonly attributes: Partial<GrantAttributes>;
  /** RetireGrant, RevokeGrant: the grant no longer exists. */
  readonly deleted?: boolean;
}

export interface CustomKeyStoreChange {
  readonly kind: 'custom_key_store';
  readonly attributes: Partial<CustomKeyStoreAttributes>;
  /** DeleteCustomKeyStore. */
  readonly deleted?: boolean;
}

/**
 * An event that changes no compared attribute: a KMS call outside KMS_EVENT_NAMES (Decrypt, GenerateDataKey, Sign,
 * DescribeKey, …), a KMS service event, or a record of another service. Rules still see it when they read it.
 */
export interface NoChange {
  readonly kind: 'none';
  /** Always empty. */
  readonly attributes: Readonly<Record<string, never>>;
}

export type ResourceChange = KeyChange | AliasChange | GrantChange | CustomKeyStoreChange | NoChange;

export interface KmsEvent {
  /**
   * CloudTrail's eventName: one of KMS_EVENT_NAMES for the events that carry a change, any other name for events the
   * rules read without one (change `none`), or SCAN_EVENT.
   */
  readonly name: string;
  readonly eventId: string;
  /** ISO 8601, as CloudTrail wrote it when it was ISO, else normalized. */
  readonly eventTime: string;
  readonly eventSource: string;
  readonly account?: string;
  readonly region?: string;
  readonly actor: Actor;
  /** Failed call: no state changed, but rules still see the event. */
  readonly error?: { readonly code: string; readonly message?: string };
  /** Absent for an event about no KMS resource (another service's record, a KMS call naming no key). */
  readonly resourceType?: ResourceType;
  /**
   * The key the event acted on (for alias events: the alias's target key, when the record names it; for grant events:
   * the grant's key; for ReplicateKey: the new replica).
   */
  readonly key?: KeyRef;
  readonly alias?: AliasRef;
  /** Grant events: the grant id (absent when a RetireGrant named the grant only by its token). */
  readonly grantId?: string;
  /** Custom key store events. */
  readonly customKeyStoreId?: string;
  readonly change: ResourceChange;
  /** The CloudTrail record itself: rules read `ct.*` and `json.value[…]` from it. */
  readonly record: JsonObject;
  /** Set when live KMS reads were asked for: whether they filled the attributes the event does not carry. */
  readonly live?: { readonly ok: true; readonly readAt: string } | { readonly ok: false; readonly reason: string };
  /** Scan only: a resource a state declares that the account no longer has (src/kms/missing.ts). */
  readonly missing?: MissingResource;
}

/**
 * Why a declared resource is missing: `not_found` (deleted after its waiting period, an alias removed, never
 * created) or `pending_deletion` (the key waits for deletion until `deletionDate`). Access denied is no reason: what
 * cannot be read is a problem, not drift.
 */
export interface MissingResource {
  readonly reason: 'not_found' | 'pending_deletion';
  /** ISO 8601, for pending_deletion. */
  readonly deletionDate?: string;
  /** The declaration found missing, when the scan started from it (a key policy is its own Terraform resource). */
  readonly declared?: TerraformOrigin;
}
