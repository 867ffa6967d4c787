import type { DeclaredIndex } from '../model/declared.ts';
import type { DriftFinding } from '../model/finding.ts';
import type { GrantChange, KmsEvent } from '../model/kms-event.ts';
import type { AttributeName } from '../model/snapshot.ts';
import { parseKmsArn } from '../model/arn.ts';
import { accountOf } from '../policy/statements.ts';
import { findGrant, findKey } from './lookup.ts';
import { compareValues, driftOf, optional, verdict, type Values } from './compare.ts';

/** The grant id is the grant's identity, not an argument: it never differs from the declaration it found. */
const GRANT_IDENTITY: ReadonlySet<AttributeName> = new Set(['grant_id']);

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
  return verdict(
    base,
    declared,
    change.deleted === true,
    (d) => ({ grant_id: { expected: d.grantId, actual: null } }),
    () => {
      const { changes, compared } = compareValues(actual, expected, GRANT_IDENTITY);
      return { driftType: driftOf(changes, compared), changes };
    },
  );
}
