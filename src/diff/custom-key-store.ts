import type { DeclaredIndex } from '../model/declared.ts';
import type { DriftFinding } from '../model/finding.ts';
import type { CustomKeyStoreChange, KmsEvent } from '../model/kms-event.ts';
import type { AttributeName } from '../model/snapshot.ts';
import { findCustomKeyStore } from './lookup.ts';
import { compareValues, driftOf, optional, unmanagedChanges, type Values } from './compare.ts';

const NOTHING: ReadonlySet<AttributeName> = new Set();

/**
 * A custom key store, found by its id (it has no ARN; its account and Region are the event's). Connecting and
 * disconnecting change nothing Terraform declares.
 */
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
