import type { JsonValue } from '../model/json.ts';
import { DEFAULT_DELETION_WINDOW_DAYS, type KeyAttributes } from '../model/snapshot.ts';
import type { KeyAttrs, ReplicaKeyAttrs } from './schemas.ts';

type Mutable = { -readonly [K in keyof KeyAttributes]?: KeyAttributes[K] };

/** aws_kms_key's stored attributes, named as the drift log names them. */
export function keyAttributes(a: KeyAttrs): Partial<KeyAttributes> {
  const out: Mutable = {};
  if (a.is_enabled != null) out.key_state = a.is_enabled ? 'Enabled' : 'Disabled';
  if (a.enable_key_rotation != null) out.enable_key_rotation = a.enable_key_rotation;
  // The provider stores 0 when GetKeyRotationStatus returns no period (rotation off); 90–2560 is the valid range.
  if (a.rotation_period_in_days != null && a.rotation_period_in_days > 0) {
    out.rotation_period_in_days = a.rotation_period_in_days;
  }
  // Unset, the provider sends no window and KMS waits its default 30 days: that is what Terraform's destroy uses.
  out.deletion_window_in_days = a.deletion_window_in_days ?? DEFAULT_DELETION_WINDOW_DAYS;
  common(out, a);
  if (a.customer_master_key_spec) out.customer_master_key_spec = a.customer_master_key_spec;
  if (a.multi_region != null) out.multi_region = a.multi_region;
  return out;
}

/** aws_kms_replica_key says `enabled`, `key_rotation_enabled` and `key_spec`; a replica is always multi-Region. */
export function replicaAttributes(a: ReplicaKeyAttrs): Partial<KeyAttributes> {
  const out: Mutable = {};
  if (a.enabled != null) out.key_state = a.enabled ? 'Enabled' : 'Disabled';
  if (a.key_rotation_enabled != null) out.enable_key_rotation = a.key_rotation_enabled;
  common(out, a);
  if (a.key_spec) out.customer_master_key_spec = a.key_spec;
  out.multi_region = true;
  return out;
}

function common(out: Mutable, a: KeyAttrs | ReplicaKeyAttrs): void {
  if (a.policy) out.policy = parsePolicy(a.policy);
  if (a.description != null) out.description = a.description;
  // tags_all is what the key really carries: tags plus the provider's default_tags. No tags at all is an empty map:
  // a tag added by hand to such a key is drift (the next plan removes it).
  out.tags = a.tags_all ?? a.tags ?? {};
  if (a.key_usage) out.key_usage = a.key_usage;
}

/** The provider stores policies as JSON text; a text that is not JSON is kept as text and compared as text. */
export function parsePolicy(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}
