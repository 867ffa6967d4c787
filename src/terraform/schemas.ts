import { z } from 'zod';
import { isJsonObject, type JsonObject } from '../model/json.ts';

// The tfstate v4 layout (Terraform's internal/states/statefile/version4.go) and the attributes of the KMS resource
// types as the AWS provider 5.x/6.x stores them (internal/service/kms/*.go). Unknown attributes are allowed and
// dropped: the provider adds attributes over time (custom_key_store_id, xks_key_id, region, …) and none of them is
// compared. Secrets are never named here, so never kept: key_material_base64 (external keys), grant_token,
// key_store_password and xks_proxy_authentication_credential (custom key stores).

/** Only what locates a resource; its instances stay `unknown` until we know it is a KMS resource. */
export const StateResource = z.object({
  module: z.string().optional(),
  mode: z.string(),
  type: z.string(),
  name: z.string(),
  instances: z.array(z.unknown()),
});

export const Instance = z.object({
  index_key: z.union([z.string(), z.number()]).optional(),
  deposed: z.string().optional(),
  // Kept as JSON.parse made it: z.record would rebuild it key by key, and an `__proto__` key would become its prototype.
  attributes: z.custom<JsonObject>((v) => isJsonObject(v), { message: 'expected an object' }),
});

const str = z.string().nullish();
const bool = z.boolean().nullish();
/**
 * A tag map. Not z.record: it assigns keys one by one, so a tag named `__proto__` (legal in AWS) would vanish into
 * the prototype. Tags are copied as own properties instead.
 */
const tags = z
  .custom<Readonly<Record<string, string>>>(
    (v) => isJsonObject(v) && Object.values(v).every((t) => typeof t === 'string'),
    { message: 'expected a map of strings' },
  )
  .transform(ownCopy)
  .nullish();

function ownCopy(map: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * aws_kms_key. `deletion_window_in_days` is never read back from AWS (the state holds the configured value), so it is
 * only compared with the window of a ScheduleKeyDeletion; `bypass_policy_lockout_safety_check` is unused.
 */
export const KeyAttrs = z.object({
  id: z.string(),
  key_id: str,
  arn: str,
  is_enabled: bool,
  enable_key_rotation: bool,
  rotation_period_in_days: z.number().int().nullish(),
  deletion_window_in_days: z.number().int().nullish(),
  policy: str,
  description: str,
  tags,
  tags_all: tags,
  key_usage: str,
  customer_master_key_spec: str,
  multi_region: bool,
});

/** aws_kms_replica_key: `enabled`, `key_rotation_enabled` and `key_spec` where the key says otherwise. */
export const ReplicaKeyAttrs = z.object({
  id: z.string(),
  key_id: str,
  arn: str,
  primary_key_arn: str,
  enabled: bool,
  key_rotation_enabled: bool,
  deletion_window_in_days: z.number().int().nullish(),
  policy: str,
  description: str,
  tags,
  tags_all: tags,
  key_usage: str,
  key_spec: str,
});

/**
 * aws_kms_external_key (and, with `key_id` and `primary_key_arn`, aws_kms_replica_external_key): a key whose material
 * is imported. `key_state` is stored (PendingImport until material is imported), `valid_to` is RFC 3339 or empty.
 */
export const ExternalKeyAttrs = z.object({
  id: z.string(),
  key_id: str,
  arn: str,
  primary_key_arn: str,
  enabled: bool,
  key_state: str,
  key_usage: str,
  multi_region: bool,
  deletion_window_in_days: z.number().int().nullish(),
  policy: str,
  description: str,
  tags,
  tags_all: tags,
  valid_to: str,
  expiration_model: str,
});

const contextMap = tags;

/** aws_kms_grant: `id` is `<key_id>:<grant_id>`; `operations` and `constraints` are sets (lists in the state). */
export const GrantAttrs = z.object({
  id: z.string(),
  key_id: z.string(),
  grant_id: z.string(),
  grantee_principal: str,
  operations: z.array(z.string()).nullish(),
  constraints: z
    .array(z.object({ encryption_context_equals: contextMap, encryption_context_subset: contextMap }))
    .nullish(),
  retiring_principal: str,
  name: str,
});

/** aws_kms_custom_key_store: CloudHSM (provider 4+) and external key store (XKS, provider 5+) arguments. */
export const CustomKeyStoreAttrs = z.object({
  id: z.string(),
  custom_key_store_name: str,
  custom_key_store_type: str,
  cloud_hsm_cluster_id: str,
  trust_anchor_certificate: str,
  xks_proxy_connectivity: str,
  xks_proxy_uri_endpoint: str,
  xks_proxy_uri_path: str,
  xks_proxy_vpc_endpoint_service_name: str,
});

/** `id` is the alias name; `name` is null when the alias was created with `name_prefix` in older providers. */
export const AliasAttrs = z.object({
  id: z.string(),
  name: str,
  arn: str,
  target_key_id: z.string(),
  target_key_arn: str,
});

export const KeyPolicyAttrs = z.object({ key_id: z.string(), policy: z.string() });

export type KeyAttrs = z.infer<typeof KeyAttrs>;
export type ReplicaKeyAttrs = z.infer<typeof ReplicaKeyAttrs>;
export type ExternalKeyAttrs = z.infer<typeof ExternalKeyAttrs>;
export type GrantAttrs = z.infer<typeof GrantAttrs>;
export type CustomKeyStoreAttrs = z.infer<typeof CustomKeyStoreAttrs>;
