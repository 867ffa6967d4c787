import type { JsonValue } from '../model/json.ts';
import type { DeclaredKeyAttributes } from '../model/declared.ts';
import { DEFAULT_DELETION_WINDOW_DAYS, type KeyState } from '../model/snapshot.ts';
import { isKeyState } from '../model/key-state.ts';
import type { ExternalKeyAttrs, KeyAttrs, ReplicaKeyAttrs } from './schemas.ts';

type Mutable = { -readonly [K in keyof DeclaredKeyAttributes]: DeclaredKeyAttributes[K] };

/** aws_kms_key's stored attributes, named as the drift log names them; the policy is held apart (DeclaredPolicy). */
export function keyAttributes(a: KeyAttrs): DeclaredKeyAttributes {
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
  // The provider refuses to read a multi-Region aws_kms_key that is not the primary: its primary is itself.
  if (a.multi_region === true && a.arn) out.primary_key_arn = a.arn;
  return out;
}

/** aws_kms_replica_key says `enabled`, `key_rotation_enabled` and `key_spec`; a replica is always multi-Region. */
export function replicaAttributes(a: ReplicaKeyAttrs): DeclaredKeyAttributes {
  const out: Mutable = {};
  if (a.enabled != null) out.key_state = a.enabled ? 'Enabled' : 'Disabled';
  if (a.key_rotation_enabled != null) out.enable_key_rotation = a.key_rotation_enabled;
  out.deletion_window_in_days = a.deletion_window_in_days ?? DEFAULT_DELETION_WINDOW_DAYS;
  common(out, a);
  if (a.key_spec) out.customer_master_key_spec = a.key_spec;
  out.multi_region = true;
  if (a.primary_key_arn) out.primary_key_arn = a.primary_key_arn;
  return out;
}

/**
 * aws_kms_external_key and aws_kms_replica_external_key: the stored `key_state` is the truth (PendingImport until key
 * material is imported, when `enabled` says nothing yet); `valid_to` and `expiration_model` describe the imported
 * material. Their keys are always SYMMETRIC_DEFAULT and never rotate automatically, so neither is declared.
 */
export function externalKeyAttributes(a: ExternalKeyAttrs, replica: boolean): DeclaredKeyAttributes {
  const out: Mutable = {};
  const state: KeyState | undefined = a.key_state != null && isKeyState(a.key_state) ? a.key_state : undefined;
  if (state === 'Enabled' || state === 'Disabled' || state === 'PendingImport') out.key_state = state;
  else if (a.enabled != null) out.key_state = a.enabled ? 'Enabled' : 'Disabled';
  out.deletion_window_in_days = a.deletion_window_in_days ?? DEFAULT_DELETION_WINDOW_DAYS;
  common(out, a);
  if (replica) out.multi_region = true;
  else if (a.multi_region != null) out.multi_region = a.multi_region;
  if (replica && a.primary_key_arn) out.primary_key_arn = a.primary_key_arn;
  else if (!replica && a.multi_region === true && a.arn) out.primary_key_arn = a.arn;
  if (a.valid_to != null) out.valid_to = a.valid_to === '' ? null : normalizeInstant(a.valid_to);
  if (a.expiration_model) out.expiration_model = a.expiration_model;
  return out;
}

function common(out: Mutable, a: KeyAttrs | ReplicaKeyAttrs | ExternalKeyAttrs): void {
  if (a.description != null) out.description = a.description;
  // tags_all is what the key really carries: tags plus the provider's default_tags. No tags at all is an empty map:
  // a tag added by hand to such a key is drift (the next plan removes it).
  out.tags = a.tags_all ?? a.tags ?? {};
  if (a.key_usage) out.key_usage = a.key_usage;
}

/** RFC 3339 with any offset → ISO 8601 in UTC, as normalize writes event dates, so both sides compare as text. */
export function normalizeInstant(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

/** The provider stores policies as JSON text; a text that is not JSON is kept as text and compared as text. */
export function parsePolicy(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}
