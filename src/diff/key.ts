import type { DeclaredIndex, DeclaredKey } from '../model/declared.ts';
import type { DriftFinding, DriftType } from '../model/finding.ts';
import type { JsonValue } from '../model/json.ts';
import type { KeyChange, KmsEvent } from '../model/kms-event.ts';
import type { KeyAttributeName } from '../model/snapshot.ts';
import { parseKmsArn } from '../model/arn.ts';
import { findKey } from './lookup.ts';
import { policyPatch, samePolicy } from './policy.ts';
import { policyFacts } from '../policy/facts.ts';
import { applyTagDelta, tagChange } from './tags.ts';
import { compareValues, hasAttributes, optional, policyChange, unmanagedChanges, type Values } from './compare.ts';

const PENDING: ReadonlySet<JsonValue> = new Set(['PendingDeletion', 'PendingReplicaDeletion']);
/** Compared by their own rules below, not as plain values. */
const SPECIAL: ReadonlySet<KeyAttributeName> = new Set(['deletion_date', 'policy', 'tags']);

export function diffKey(
  event: KmsEvent,
  change: KeyChange,
  index: DeclaredIndex,
  byTerraform: boolean,
  allowedAccounts: ReadonlySet<string>,
): DriftFinding {
  const declared = findKey(index, event.key);
  const expected = declaredValues(declared);
  const actual: Values = { ...(change.attributes as Values) };
  if (change.tagsSet !== undefined || change.tagsRemoved !== undefined) {
    actual.tags = applyTagDelta(declared?.attributes.tags ?? {}, change.tagsSet, change.tagsRemoved);
  }
  const arn = event.key?.arn ?? declared?.arn;
  const parsed = arn === undefined ? undefined : parseKmsArn(arn);
  const account = parsed?.account ?? event.account;
  const base = {
    event,
    resourceType: 'aws_kms_key' as const,
    ...optional('resource', arn ?? event.key?.keyId ?? event.key?.aliasName),
    ...optional('account', account),
    ...optional('region', parsed?.region ?? event.region),
    actual,
    expected,
    byTerraform,
    ...(typeof actual.policy === 'object' && actual.policy !== null
      ? {
          policy: policyFacts(actual.policy, declared?.policy?.document, {
            ...optional('keyAccount', account),
            allowedAccounts,
          }),
        }
      : {}),
  };
  const origin =
    declared === undefined
      ? undefined
      : event.name === 'PutKeyPolicy' && declared.policyOrigin !== undefined
        ? declared.policyOrigin
        : declared.origin;
  // A failed call changed nothing; it still says which managed key someone tried to change (tf.managed in rules). An
  // event that sets no attribute (RotateKeyOnDemand) changes nothing Terraform declares either.
  if (event.error !== undefined || !hasAttributes(actual)) {
    return { ...base, driftType: 'none', changes: {}, ...(origin === undefined ? {} : { terraform: origin }) };
  }
  if (declared === undefined || origin === undefined) {
    return { ...base, driftType: 'unmanaged', changes: unmanagedChanges(actual, base.policy) };
  }

  const { changes, compared } = compareValues(actual, expected, SPECIAL);
  let comparedSpecial = 0;
  // Terraform never stores a deletion date; once a key is pending deletion its date is the news.
  if (actual.deletion_date !== undefined) changes.deletion_date = { actual: actual.deletion_date };
  if (actual.policy !== undefined && expected.policy !== undefined) {
    comparedSpecial++;
    if (!samePolicy(expected.policy, actual.policy)) {
      changes.policy = {
        expected: expected.policy,
        actual: actual.policy,
        ...policyChange(base.policy),
        patch: policyPatch(expected.policy, actual.policy),
      };
    }
  }
  if (actual.tags !== undefined && expected.tags !== undefined) {
    comparedSpecial++;
    const tags = tagChange(expected.tags as Record<string, string>, actual.tags as Record<string, string>);
    if (tags !== undefined) changes.tags = tags;
  }
  const driftType: DriftType = PENDING.has(actual.key_state ?? null)
    ? 'deleted'
    : Object.keys(changes).length > 0
      ? 'modified'
      : compared + comparedSpecial > 0
        ? 'in_sync'
        : 'none';
  return { ...base, driftType, changes, terraform: origin };
}

/**
 * The declared attributes as the diff and the rules (`tf.*`) read them. The policy is parsed only when something reads
 * it: most events on a key never do, and the state then keeps its text.
 */
function declaredValues(declared: DeclaredKey | undefined): Values {
  const values: Values = { ...(declared?.attributes as Values | undefined) };
  const policy = declared?.policy;
  if (policy !== undefined) {
    Object.defineProperty(values, 'policy', { get: () => policy.document, enumerable: true, configurable: true });
  }
  return values;
}
