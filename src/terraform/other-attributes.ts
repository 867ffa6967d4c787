import type { CustomKeyStoreAttributes, GrantAttributes } from '../model/snapshot.ts';
import { canonicalConstraints } from '../model/grant.ts';
import type { CustomKeyStoreAttrs, GrantAttrs } from './schemas.ts';

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

/** aws_kms_grant's stored arguments, named as the drift log names them; sets become sorted lists. */
export function grantAttributes(a: GrantAttrs): Partial<GrantAttributes> {
  const out: Mutable<GrantAttributes> = { grant_id: a.grant_id };
  if (a.grantee_principal) out.grantee_principal = a.grantee_principal;
  if (a.operations != null) out.operations = [...a.operations].sort();
  const block = a.constraints?.[0];
  out.constraints = canonicalConstraints(block?.encryption_context_equals, block?.encryption_context_subset);
  // Unset optional arguments are empty strings in the state; a grant created without them has none.
  out.retiring_principal = a.retiring_principal ?? '';
  out.name = a.name ?? '';
  return out;
}

const STORE_ARGUMENTS = [
  'custom_key_store_name',
  'custom_key_store_type',
  'cloud_hsm_cluster_id',
  'trust_anchor_certificate',
  'xks_proxy_connectivity',
  'xks_proxy_uri_endpoint',
  'xks_proxy_uri_path',
  'xks_proxy_vpc_endpoint_service_name',
] as const;

/** aws_kms_custom_key_store's non-secret arguments that are set (an argument of the other store type is empty). */
export function customKeyStoreAttributes(a: CustomKeyStoreAttrs): Partial<CustomKeyStoreAttributes> {
  const out: Mutable<CustomKeyStoreAttributes> = {};
  for (const name of STORE_ARGUMENTS) {
    const value = a[name];
    if (value) out[name] = value;
  }
  return out;
}
