import type { JsonObject } from '../model/json.ts';
import type { CustomKeyStoreChange, GrantChange, KmsEventName } from '../model/kms-event.ts';
import type { CustomKeyStoreAttributes, GrantAttributes } from '../model/snapshot.ts';
import { canonicalConstraints } from '../model/grant.ts';
import type { RecordReader } from './reader.ts';
import { RP, sortedStrings, stringMap } from './request-values.ts';

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

/**
 * CreateGrant: the grant's arguments as the provider's aws_kms_grant names them. Service principals come in their
 * own request fields since 2026 (`granteeServicePrincipal`, `retiringServicePrincipal`). RetireGrant and RevokeGrant
 * end the grant.
 */
export function grantChange(name: KmsEventName, request: JsonObject | undefined, r: RecordReader): GrantChange {
  if (name !== 'CreateGrant') return { kind: 'grant', attributes: {}, deleted: true };
  const attributes: Mutable<GrantAttributes> = {};
  const grantee = r.string(request, 'granteePrincipal', RP) ?? r.string(request, 'granteeServicePrincipal', RP);
  if (grantee !== undefined) attributes.grantee_principal = grantee;
  const operations = sortedStrings(request, 'operations', RP, r);
  if (operations !== undefined) attributes.operations = operations;
  const constraints = r.object(request, 'constraints', RP);
  attributes.constraints = canonicalConstraints(
    stringMap(constraints, 'encryptionContextEquals', `${RP}.constraints`, r),
    stringMap(constraints, 'encryptionContextSubset', `${RP}.constraints`, r),
  );
  attributes.retiring_principal =
    r.string(request, 'retiringPrincipal', RP) ?? r.string(request, 'retiringServicePrincipal', RP) ?? '';
  attributes.name = r.string(request, 'name', RP) ?? '';
  return { kind: 'grant', attributes };
}

/**
 * Custom key store events. The password (CloudHSM) and the proxy's authentication credential (XKS) are never read,
 * whatever the record holds. CloudTrail writes the CloudHSM cluster as `clusterId`; the API calls it
 * `cloudHsmClusterId`.
 */
export function customKeyStoreChange(
  name: KmsEventName,
  request: JsonObject | undefined,
  r: RecordReader,
): CustomKeyStoreChange {
  const attributes: Mutable<CustomKeyStoreAttributes> = {};
  const text = (key: string): string | undefined => r.string(request, key, RP);
  switch (name) {
    case 'DeleteCustomKeyStore':
      return { kind: 'custom_key_store', attributes, deleted: true };
    case 'ConnectCustomKeyStore':
    case 'DisconnectCustomKeyStore':
      // The connection state is not a Terraform argument: these change nothing declared (rules still see them).
      return { kind: 'custom_key_store', attributes };
    default: {
      const storeName = name === 'CreateCustomKeyStore' ? text('customKeyStoreName') : text('newCustomKeyStoreName');
      if (storeName !== undefined) attributes.custom_key_store_name = storeName;
      const type = text('customKeyStoreType') ?? (name === 'CreateCustomKeyStore' ? 'AWS_CLOUDHSM' : undefined);
      if (type !== undefined) attributes.custom_key_store_type = type;
      const cluster = text('cloudHsmClusterId') ?? text('clusterId');
      if (cluster !== undefined) attributes.cloud_hsm_cluster_id = cluster;
      const anchor = text('trustAnchorCertificate');
      if (anchor !== undefined) attributes.trust_anchor_certificate = anchor;
      const connectivity = text('xksProxyConnectivity');
      if (connectivity !== undefined) attributes.xks_proxy_connectivity = connectivity;
      const endpoint = text('xksProxyUriEndpoint');
      if (endpoint !== undefined) attributes.xks_proxy_uri_endpoint = endpoint;
      const path = text('xksProxyUriPath');
      if (path !== undefined) attributes.xks_proxy_uri_path = path;
      const service = text('xksProxyVpcEndpointServiceName');
      if (service !== undefined) attributes.xks_proxy_vpc_endpoint_service_name = service;
      return { kind: 'custom_key_store', attributes };
    }
  }
}
