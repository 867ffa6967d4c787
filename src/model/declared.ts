import type { JsonValue } from './json.ts';
import type { AliasAttributes, CustomKeyStoreAttributes, GrantAttributes, KeyAttributes } from './snapshot.ts';

/** Where a declared resource came from: the state source (file path or s3:// URL) and its Terraform address. */
export interface TerraformOrigin {
  /** e.g. `module.kms.aws_kms_key.this["data"]` */
  readonly address: string;
  /** The resource type of the declaration, e.g. `aws_kms_replica_key`, `aws_kms_key_policy`. */
  readonly type: string;
  /** The state source as the user named it (path or s3://bucket/key). */
  readonly state: string;
}

/**
 * Where a resource lives. Key ids and alias names are unique only within an account and Region (a multi-Region
 * replica shares its primary's `mrk-` id; every environment has its `alias/app`), so every lookup is scoped.
 */
export interface Scope {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
}

export type DeclaredKeyType =
  'aws_kms_key' | 'aws_kms_replica_key' | 'aws_kms_external_key' | 'aws_kms_replica_external_key';

/**
 * A key policy as Terraform stores it: JSON text, parsed on first use and then kept. Only events that set a policy
 * (PutKeyPolicy, CreateKey), scans and rules that read `tf.policy` need the document; a 10,000-key state loads
 * faster and smaller holding the texts.
 */
export class DeclaredPolicy {
  readonly text: string;
  #document: JsonValue | undefined;

  constructor(text: string) {
    this.text = text;
  }

  /** The parsed document; the text itself when it is not JSON (then it is compared as text). */
  get document(): JsonValue {
    if (this.#document === undefined) {
      try {
        this.#document = JSON.parse(this.text) as JsonValue;
      } catch {
        this.#document = this.text;
      }
    }
    return this.#document;
  }

  /** As the text, so a declaration serialized for a log or a test reads like the state. */
  toJSON(): string {
    return this.text;
  }
}

/** What a key declares, but its policy, which a declaration holds apart as text (DeclaredPolicy). */
export type DeclaredKeyAttributes = Partial<Omit<KeyAttributes, 'policy'>>;

export interface DeclaredKey {
  readonly type: DeclaredKeyType;
  readonly keyId: string;
  /** Absent only in hand-written or very old states; such a key is found by id alone, and only when unique. */
  readonly arn?: string;
  readonly origin: TerraformOrigin;
  /** Attributes Terraform stores; `deletion_window_in_days` is the configured value (AWS never reports it). */
  readonly attributes: DeclaredKeyAttributes;
  /** The key's own `policy`, or the policy of the `aws_kms_key_policy` that manages it (policyOrigin). */
  readonly policy?: DeclaredPolicy;
  /** Set when an `aws_kms_key_policy` resource manages this key's policy (it takes precedence). */
  readonly policyOrigin?: TerraformOrigin;
}

export interface DeclaredAlias {
  readonly name: string;
  /** From the state's `arn`, else from `target_key_arn` (an alias lives in its target key's account and Region). */
  readonly arn?: string;
  readonly origin: TerraformOrigin;
  readonly attributes: AliasAttributes;
}

export interface DeclaredGrant {
  readonly grantId: string;
  /** The grant's key: its ARN when the state names it or declares the key, else the key id as configured. */
  readonly keyArn?: string;
  readonly keyId: string;
  readonly origin: TerraformOrigin;
  readonly attributes: Partial<GrantAttributes>;
}

export interface DeclaredCustomKeyStore {
  readonly id: string;
  readonly origin: TerraformOrigin;
  readonly attributes: Partial<CustomKeyStoreAttributes>;
}

/**
 * Every KMS resource of every loaded state, keyed by its identity: keys by ARN, aliases by alias ARN (account,
 * Region and name), grants by key ARN and grant id, custom key stores by id. Built once per state load and read-only
 * afterwards, so a reload swaps the whole index atomically. No entry depends on the order the states were given in.
 */
export interface DeclaredIndex {
  readonly keysByArn: ReadonlyMap<string, DeclaredKey>;
  /** Keys whose state gives no ARN, by bare id (found only when exactly one matches). */
  readonly unscopedKeys: ReadonlyMap<string, readonly DeclaredKey[]>;
  readonly aliasesByArn: ReadonlyMap<string, DeclaredAlias>;
  /** Aliases whose account and Region the state does not give, by name (found only when exactly one matches). */
  readonly unscopedAliases: ReadonlyMap<string, readonly DeclaredAlias[]>;
  /** By `<key ARN>:<grant id>` (Terraform's import id), or `<key id>:<grant id>` when the key's ARN is unknown. */
  readonly grants: ReadonlyMap<string, DeclaredGrant>;
  readonly customKeyStores: ReadonlyMap<string, DeclaredCustomKeyStore>;
  /** The state sources that were loaded, for logs and metrics (never their content). */
  readonly sources: readonly string[];
}

/** How many resources of each kind the states declare (metrics, the daemon's start log). */
export function declaredCounts(index: DeclaredIndex): {
  readonly keys: number;
  readonly aliases: number;
  readonly grants: number;
  readonly customKeyStores: number;
} {
  let unscopedKeys = 0;
  for (const list of index.unscopedKeys.values()) unscopedKeys += list.length;
  let unscopedAliases = 0;
  for (const list of index.unscopedAliases.values()) unscopedAliases += list.length;
  return {
    keys: index.keysByArn.size + unscopedKeys,
    aliases: index.aliasesByArn.size + unscopedAliases,
    grants: index.grants.size,
    customKeyStores: index.customKeyStores.size,
  };
}
