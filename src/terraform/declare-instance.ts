import type { z } from 'zod';
import { DeclaredPolicy, type TerraformOrigin } from '../model/declared.ts';
import type { JsonObject } from '../model/json.ts';
import { aliasArnIn, bareKeyId, parseKmsArn, scopeOf } from '../model/arn.ts';
import { externalKeyAttributes, keyAttributes, replicaAttributes } from './key-attributes.ts';
import { customKeyStoreAttributes, grantAttributes } from './other-attributes.ts';
import {
  ALIAS,
  AliasAttrs,
  conforms,
  CUSTOM_KEY_STORE,
  CustomKeyStoreAttrs,
  EXTERNAL_KEY,
  ExternalKeyAttrs,
  GRANT,
  GrantAttrs,
  KEY,
  KEY_POLICY,
  KeyAttrs,
  KeyPolicyAttrs,
  REPLICA_KEY,
  ReplicaKeyAttrs,
  type Layout,
} from './schemas.ts';
import type { ParsedAlias, ParsedCustomKeyStore, ParsedGrant, ParsedKey, ParsedKeyPolicy } from './parsed.ts';

/** The KMS resource types of the AWS provider that declare something kms-drift compares. */
export const KMS_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'aws_kms_key',
  'aws_kms_replica_key',
  'aws_kms_external_key',
  'aws_kms_replica_external_key',
  'aws_kms_alias',
  'aws_kms_key_policy',
  'aws_kms_grant',
  'aws_kms_custom_key_store',
]);
// Never read: aws_kms_ciphertext (its `plaintext`), and the data sources aws_kms_secret(s) (decrypted plaintext):
// they are not in this set, so their instances are never parsed, copied or named in a problem.

export type Declared =
  | { readonly kind: 'key'; readonly value: ParsedKey }
  | { readonly kind: 'alias'; readonly value: ParsedAlias }
  | { readonly kind: 'policy'; readonly value: ParsedKeyPolicy }
  | { readonly kind: 'grant'; readonly value: ParsedGrant }
  | { readonly kind: 'custom_key_store'; readonly value: ParsedCustomKeyStore };

/** One instance's attributes → what it declares, or the zod error that says which attribute is malformed. */
export function declareInstance(
  type: string,
  attrs: JsonObject,
  origin: TerraformOrigin,
): { readonly ok: true; readonly declared: Declared } | { readonly ok: false; readonly error: z.ZodError } {
  switch (type) {
    case 'aws_kms_alias': {
      const a = accept(ALIAS, AliasAttrs, attrs);
      if (!a.success) return { ok: false, error: a.error };
      const name = a.data.name ?? a.data.id;
      const target = a.data.target_key_arn ? parseKmsArn(a.data.target_key_arn) : undefined;
      const arn = a.data.arn || (target === undefined ? undefined : aliasArnIn(scopeOf(target), name));
      return ok({
        kind: 'alias',
        value: { name, ...(arn ? { arn } : {}), targetKeyId: bareKeyId(a.data.target_key_id), origin },
      });
    }
    case 'aws_kms_key_policy': {
      const p = accept(KEY_POLICY, KeyPolicyAttrs, attrs);
      if (!p.success) return { ok: false, error: p.error };
      return ok({ kind: 'policy', value: { keyId: p.data.key_id, policy: new DeclaredPolicy(p.data.policy), origin } });
    }
    case 'aws_kms_grant': {
      const g = accept(GRANT, GrantAttrs, attrs);
      if (!g.success) return { ok: false, error: g.error };
      const value = { keyId: g.data.key_id, grantId: g.data.grant_id, origin, attributes: grantAttributes(g.data) };
      return ok({ kind: 'grant', value });
    }
    case 'aws_kms_custom_key_store': {
      const c = accept(CUSTOM_KEY_STORE, CustomKeyStoreAttrs, attrs);
      if (!c.success) return { ok: false, error: c.error };
      return ok({
        kind: 'custom_key_store',
        value: { id: c.data.id, origin, attributes: customKeyStoreAttributes(c.data) },
      });
    }
    case 'aws_kms_replica_key': {
      const k = accept(REPLICA_KEY, ReplicaKeyAttrs, attrs);
      if (!k.success) return { ok: false, error: k.error };
      return ok({ kind: 'key', value: key('aws_kms_replica_key', k.data, replicaAttributes(k.data), origin) });
    }
    case 'aws_kms_external_key':
    case 'aws_kms_replica_external_key': {
      const k = accept(EXTERNAL_KEY, ExternalKeyAttrs, attrs);
      if (!k.success) return { ok: false, error: k.error };
      const replica = type === 'aws_kms_replica_external_key';
      return ok({ kind: 'key', value: key(type, k.data, externalKeyAttributes(k.data, replica), origin) });
    }
    default: {
      const k = accept(KEY, KeyAttrs, attrs);
      if (!k.success) return { ok: false, error: k.error };
      return ok({ kind: 'key', value: key('aws_kms_key', k.data, keyAttributes(k.data), origin) });
    }
  }
}

/**
 * The attributes as the schema types them. The allocation-free check answers for nearly every instance, and then the
 * attributes are read in place (only the named ones are ever read, so nothing else of them is kept); zod runs for the
 * rest, and its error names the malformed attribute.
 */
function accept<T>(
  layout: Layout,
  schema: z.ZodType<T>,
  attrs: JsonObject,
): { readonly success: true; readonly data: T } | { readonly success: false; readonly error: z.ZodError } {
  if (conforms(layout, attrs)) return { success: true, data: attrs as unknown as T };
  const parsed = schema.safeParse(attrs);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: parsed.error };
}

function ok(declared: Declared): { readonly ok: true; readonly declared: Declared } {
  return { ok: true, declared };
}

function key(
  type: ParsedKey['type'],
  a: {
    readonly id: string;
    readonly key_id?: string | null | undefined;
    readonly arn?: string | null | undefined;
    readonly policy?: string | null | undefined;
  },
  attributes: ParsedKey['attributes'],
  origin: TerraformOrigin,
): ParsedKey {
  return {
    type,
    keyId: a.key_id || a.id,
    ...(a.arn ? { arn: a.arn } : {}),
    origin,
    attributes,
    ...(a.policy ? { policy: new DeclaredPolicy(a.policy) } : {}),
  };
}
