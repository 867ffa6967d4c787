import type {
  DeclaredCustomKeyStore,
  DeclaredGrant,
  DeclaredKey,
  DeclaredPolicy,
  TerraformOrigin,
} from '../model/declared.ts';

/** The KMS resources of one state, already mapped to our attribute names. Nothing else of the state is kept. */
export interface ParsedStateResources {
  readonly source: string;
  readonly keys: readonly ParsedKey[];
  readonly aliases: readonly ParsedAlias[];
  readonly policies: readonly ParsedKeyPolicy[];
  readonly grants: readonly ParsedGrant[];
  readonly customKeyStores: readonly ParsedCustomKeyStore[];
}
/** A key as its state declares it: `policyOrigin` is known only once every state is indexed. */
export type ParsedKey = Omit<DeclaredKey, 'policyOrigin'>;
export interface ParsedAlias {
  readonly name: string;
  /** The alias ARN: the state's `arn`, else built from `target_key_arn` (same account and Region). */
  readonly arn?: string;
  /** Always a bare id: the provider accepts an ARN here and treats both as the same target. */
  readonly targetKeyId: string;
  readonly origin: TerraformOrigin;
}
/** aws_kms_key_policy: it manages the policy of the key it names, over that key's own `policy`. */
export interface ParsedKeyPolicy {
  /** As configured: a key id or a key ARN. */
  readonly keyId: string;
  readonly policy: DeclaredPolicy;
  readonly origin: TerraformOrigin;
}
/** A grant as its state declares it, its `keyId` as configured (a key id or a key ARN): `keyArn` is resolved later. */
export type ParsedGrant = Omit<DeclaredGrant, 'keyArn'>;
export type ParsedCustomKeyStore = DeclaredCustomKeyStore;
