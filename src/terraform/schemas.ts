import { z } from 'zod';
import { isJsonObject, type JsonObject } from '../model/json.ts';

// The tfstate v4 layout (Terraform's internal/states/statefile/version4.go) and the attributes of the four KMS
// resource types as the AWS provider 5.x/6.x stores them. Unknown attributes are allowed and dropped: the provider
// adds attributes over time (custom_key_store_id, xks_key_id, region, …) and none of them is compared.

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
  policy: str,
  description: str,
  tags,
  tags_all: tags,
  key_usage: str,
  key_spec: str,
});

/** `id` is the alias name; `name` is null when the alias was created with `name_prefix` in older providers. */
export const AliasAttrs = z.object({ id: z.string(), name: str, arn: str, target_key_id: z.string() });

export const KeyPolicyAttrs = z.object({ key_id: z.string(), policy: z.string() });

export type KeyAttrs = z.infer<typeof KeyAttrs>;
export type ReplicaKeyAttrs = z.infer<typeof ReplicaKeyAttrs>;
