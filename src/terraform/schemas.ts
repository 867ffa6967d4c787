import { z } from 'zod';
import { field, isJsonObject, type JsonObject, type JsonValue } from '../model/json.ts';

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
export type Instance = z.infer<typeof Instance>;

/** True when `raw` certainly passes Instance; false means: ask zod. */
export function isInstance(raw: unknown): raw is Instance & JsonObject {
  if (!isJsonObject(raw)) return false;
  const key = field(raw, 'index_key');
  const deposed = field(raw, 'deposed');
  return (
    (key === undefined || typeof key === 'string' || typeof key === 'number') &&
    (deposed === undefined || typeof deposed === 'string') &&
    isJsonObject(field(raw, 'attributes'))
  );
}

/**
 * The attributes kms-drift reads of each KMS resource type, by kind. One table gives both the zod schema (its error
 * says which attribute is malformed, and how) and a check that allocates nothing: a 10,000-key state is checked in a
 * few milliseconds and zod runs only for an instance the check refuses. The check is never looser than the schema.
 */
const KINDS = {
  string: z.string(),
  'string?': z.string().nullish(),
  'boolean?': z.boolean().nullish(),
  'int?': z.number().int().nullish(),
  'tags?': tags(),
  'strings?': z.array(z.string()).nullish(),
  'constraints?': z.array(z.object({ encryption_context_equals: tags(), encryption_context_subset: tags() })).nullish(),
} as const;
type Kind = keyof typeof KINDS;
export type Layout = Readonly<Record<string, Kind>>;

/**
 * A tag map. Not z.record: it assigns keys one by one, so a tag named `__proto__` (legal in AWS) would vanish into
 * the prototype. Tags are copied as own properties instead.
 */
function tags() {
  return z
    .custom<Readonly<Record<string, string>>>(isTags, { message: 'expected a map of strings' })
    .transform(ownCopy)
    .nullish();
}

function isTags(v: unknown): boolean {
  if (!isJsonObject(v)) return false;
  for (const key in v) if (typeof v[key] !== 'string') return false;
  return true;
}

function ownCopy(map: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const CHECKS: { readonly [K in Kind]: (v: JsonValue | undefined) => boolean } = {
  string: (v) => typeof v === 'string',
  'string?': (v) => v == null || typeof v === 'string',
  'boolean?': (v) => v == null || typeof v === 'boolean',
  'int?': (v) => v == null || Number.isSafeInteger(v),
  'tags?': (v) => v == null || isTags(v),
  'strings?': (v) => v == null || (Array.isArray(v) && v.every((s) => typeof s === 'string')),
  'constraints?': (v) =>
    v == null ||
    (Array.isArray(v) &&
      v.every(
        (c) =>
          isJsonObject(c) &&
          CHECKS['tags?'](field(c, 'encryption_context_equals')) &&
          CHECKS['tags?'](field(c, 'encryption_context_subset')),
      )),
};

/** True when `attrs` certainly passes the layout's zod schema; false means: ask zod (for the error, or a pass). */
export function conforms(layout: Layout, attrs: JsonObject): boolean {
  for (const name in layout) {
    const kind = layout[name];
    if (kind === undefined || !CHECKS[kind](field(attrs, name))) return false;
  }
  return true;
}

function schemaOf<const L extends Layout>(layout: L) {
  const shape = Object.fromEntries(Object.entries(layout).map(([name, kind]) => [name, KINDS[kind]]));
  return z.object(shape as { [N in keyof L]: (typeof KINDS)[L[N]] });
}

/**
 * aws_kms_key. `deletion_window_in_days` is never read back from AWS (the state holds the configured value), so it is
 * only compared with the window of a ScheduleKeyDeletion; `bypass_policy_lockout_safety_check` is unused.
 */
export const KEY = {
  id: 'string',
  key_id: 'string?',
  arn: 'string?',
  is_enabled: 'boolean?',
  enable_key_rotation: 'boolean?',
  rotation_period_in_days: 'int?',
  deletion_window_in_days: 'int?',
  policy: 'string?',
  description: 'string?',
  tags: 'tags?',
  tags_all: 'tags?',
  key_usage: 'string?',
  customer_master_key_spec: 'string?',
  multi_region: 'boolean?',
} as const;
export const KeyAttrs = schemaOf(KEY);

/** aws_kms_replica_key: `enabled`, `key_rotation_enabled` and `key_spec` where the key says otherwise. */
export const REPLICA_KEY = {
  id: 'string',
  key_id: 'string?',
  arn: 'string?',
  primary_key_arn: 'string?',
  enabled: 'boolean?',
  key_rotation_enabled: 'boolean?',
  deletion_window_in_days: 'int?',
  policy: 'string?',
  description: 'string?',
  tags: 'tags?',
  tags_all: 'tags?',
  key_usage: 'string?',
  key_spec: 'string?',
} as const;
export const ReplicaKeyAttrs = schemaOf(REPLICA_KEY);

/**
 * aws_kms_external_key (and, with `key_id` and `primary_key_arn`, aws_kms_replica_external_key): a key whose material
 * is imported. `key_state` is stored (PendingImport until material is imported), `valid_to` is RFC 3339 or empty.
 */
export const EXTERNAL_KEY = {
  id: 'string',
  key_id: 'string?',
  arn: 'string?',
  primary_key_arn: 'string?',
  enabled: 'boolean?',
  key_state: 'string?',
  key_usage: 'string?',
  multi_region: 'boolean?',
  deletion_window_in_days: 'int?',
  policy: 'string?',
  description: 'string?',
  tags: 'tags?',
  tags_all: 'tags?',
  valid_to: 'string?',
  expiration_model: 'string?',
} as const;
export const ExternalKeyAttrs = schemaOf(EXTERNAL_KEY);

/** aws_kms_grant: `id` is `<key_id>:<grant_id>`; `operations` and `constraints` are sets (lists in the state). */
export const GRANT = {
  id: 'string',
  key_id: 'string',
  grant_id: 'string',
  grantee_principal: 'string?',
  operations: 'strings?',
  constraints: 'constraints?',
  retiring_principal: 'string?',
  name: 'string?',
} as const;
export const GrantAttrs = schemaOf(GRANT);

/** aws_kms_custom_key_store: CloudHSM (provider 4+) and external key store (XKS, provider 5+) arguments. */
export const CUSTOM_KEY_STORE = {
  id: 'string',
  custom_key_store_name: 'string?',
  custom_key_store_type: 'string?',
  cloud_hsm_cluster_id: 'string?',
  trust_anchor_certificate: 'string?',
  xks_proxy_connectivity: 'string?',
  xks_proxy_uri_endpoint: 'string?',
  xks_proxy_uri_path: 'string?',
  xks_proxy_vpc_endpoint_service_name: 'string?',
} as const;
export const CustomKeyStoreAttrs = schemaOf(CUSTOM_KEY_STORE);

/** `id` is the alias name; `name` is null when the alias was created with `name_prefix` in older providers. */
export const ALIAS = {
  id: 'string',
  name: 'string?',
  arn: 'string?',
  target_key_id: 'string',
  target_key_arn: 'string?',
} as const;
export const AliasAttrs = schemaOf(ALIAS);

export const KEY_POLICY = { key_id: 'string', policy: 'string' } as const;
export const KeyPolicyAttrs = schemaOf(KEY_POLICY);

export type KeyAttrs = z.infer<typeof KeyAttrs>;
export type ReplicaKeyAttrs = z.infer<typeof ReplicaKeyAttrs>;
export type ExternalKeyAttrs = z.infer<typeof ExternalKeyAttrs>;
export type GrantAttrs = z.infer<typeof GrantAttrs>;
export type CustomKeyStoreAttrs = z.infer<typeof CustomKeyStoreAttrs>;
