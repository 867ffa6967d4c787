import type { DeclaredIndex } from '../model/declared.ts';
import type { DriftFinding } from '../model/finding.ts';
import type { CustomKeyStoreChange, GrantChange, KmsEvent } from '../model/kms-event.ts';
import type { AttributeName } from '../model/snapshot.ts';
import { parseKmsArn } from '../model/arn.ts';
import { accountOf } from '../policy/statements.ts';
import { findCustomKeyStore, findGrant, findKey } from './lookup.ts';
import { compareValues, driftOf, optional, unmanagedChanges, type Values } from './compare.ts';

/** The grant id is the grant's identity, not an argument: it never differs from the declaration it found. */
const GRANT_IDENTITY: ReadonlySet<AttributeName> = new Set(['grant_id']);
const NOTHING: ReadonlySet<AttributeName> = new Set();

/**
 * A grant, found by its key and grant id. A grant gives access outside the key policy, so an unmanaged grant is
 * reported with the declaration of its key (`keyTerraform`) and whether its grantee is in another account.
 */
export function diffGrant(
  event: KmsEvent,
  change: GrantChange,
  index: DeclaredIndex,
  byTerraform: boolean,
  allowedAccounts: ReadonlySet<string>,
): DriftFinding {
  const key = findKey(index, event.key);
  const declared = findGrant(index, event.key, key, event.grantId);
  const keyArn = event.key?.arn ?? key?.arn ?? declared?.keyArn;
  const parsed = keyArn === undefined ? undefined : parseKmsArn(keyArn);
  const actual: Values = { ...(change.attributes as Values) };
  if (event.grantId !== undefined) actual.grant_id = event.grantId;
  const expected: Values = { ...(declared?.attributes as Values | undefined) };
  const account = parsed?.account ?? event.account;
  const grantee = typeof actual.grantee_principal === 'string' ? accountOf(actual.grantee_principal) : undefined;
  const keyName = keyArn ?? event.key?.keyId;
  const base = {
    event,
    resourceType: 'aws_kms_grant' as const,
    ...optional(
      'resource',
      keyName === undefined || event.grantId === undefined ? keyName : `${keyName}:${event.grantId}`,
    ),
    ...optional('account', account),
    ...optional('region', parsed?.region ?? event.region),
    actual,
    expected,
    byTerraform,
    ...(key === undefined ? {} : { keyTerraform: key.origin }),
    ...(change.deleted === true || actual.grantee_principal === undefined
      ? {}
      : {
          grantee: {
            ...(grantee === undefined ? {} : { account: grantee }),
            external: grantee !== undefined && grantee !== account && !allowedAccounts.has(grantee),
          },
        }),
  };
  if (event.error !== undefined) {
    return {
      ...base,
      driftType: 'none',
      changes: {},
      ...(declared === undefined ? {} : { terraform: declared.origin }),
    };
  }
  if (declared === undefined) return { ...base, driftType: 'unmanaged', changes: unmanagedChanges(actual, undefined) };
  if (change.deleted === true) {
    return {
      ...base,
      driftType: 'deleted',
      changes: { grant_id: { expected: declared.grantId, actual: null } },
      terraform: declared.origin,
    };
  }
  const { changes, compared } = compareValues(actual, expected, GRANT_IDENTITY);
  return { ...base, driftType: driftOf(changes, compared), changes, terraform: declared.origin };
}

export function diffCustomKeyStore(
  event: KmsEvent,
  change: CustomKeyStoreChange,
  index: DeclaredIndex,
  byTerraform: boolean,
): DriftFinding {
  const declared = findCustomKeyStore(index, event.customKeyStoreId);
  const actual: Values = { ...(change.attributes as Values) };
  const expected: Values = { ...(declared?.attributes as Values | undefined) };
  const base = {
    event,
    resourceType: 'aws_kms_custom_key_store' as const,
    ...optional('resource', event.customKeyStoreId),
    ...optional('account', event.account),
    ...optional('region', event.region),
    actual,
    expected,
    byTerraform,
  };
  const terraform = declared === undefined ? {} : { terraform: declared.origin };
  if (event.error !== undefined) return { ...base, driftType: 'none', changes: {}, ...terraform };
  if (change.deleted === true) {
    return declared === undefined
      ? { ...base, driftType: 'unmanaged', changes: {} }
      : {
          ...base,
          driftType: 'deleted',
          changes: {
            custom_key_store_name: { expected: declared.attributes.custom_key_store_name ?? declared.id, actual: null },
          },
          ...terraform,
        };
  }
  if (Object.keys(actual).length === 0) return { ...base, driftType: 'none', changes: {}, ...terraform };
  if (declared === undefined) return { ...base, driftType: 'unmanaged', changes: unmanagedChanges(actual, undefined) };
  const { changes, compared } = compareValues(actual, expected, NOTHING);
  return { ...base, driftType: driftOf(changes, compared), changes, ...terraform };
}
