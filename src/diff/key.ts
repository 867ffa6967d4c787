import type { DeclaredIndex, DeclaredKey } from '../model/declared.ts';
import type { DriftFinding } from '../model/finding.ts';
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

type Finding = { -readonly [K in keyof DriftFinding]: DriftFinding[K] };
const NO_CHANGES: DriftFinding['changes'] = Object.freeze({});

export function diffKey(
  event: KmsEvent,
  change: KeyChange,
  index: DeclaredIndex,
  byTerraform: boolean,
  allowedAccounts: ReadonlySet<string>,
): DriftFinding {
  const declared = findKey(index, event.key);
  const expected = declaredValues(declared);
  const tagDelta = change.tagsSet !== undefined || change.tagsRemoved !== undefined;
  const actual: Values = tagDelta
    ? {
        ...(change.attributes as Values),
        tags: applyTagDelta(declared?.attributes.tags ?? {}, change.tagsSet, change.tagsRemoved),
      }
    : (change.attributes as Values);
  // The ARN is the truth for account and Region. The normalizer already split the event's key ARN into the key
  // reference; the declaration's ARN, or a reference built elsewhere, is parsed here.
  const key = event.key;
  const arn = key?.arn ?? declared?.arn;
  const split = key?.arn !== undefined && key.account !== undefined && key.region !== undefined;
  const parsed = !split && arn !== undefined ? parseKmsArn(arn) : undefined;
  const account = (split ? key.account : parsed?.account) ?? event.account;
  const region = (split ? key.region : parsed?.region) ?? event.region;
  // Assigned field by field: spreads of optional fields allocate an object each, and this runs for every key event.
  const finding: Finding = {
    event,
    resourceType: 'aws_kms_key',
    actual,
    expected,
    byTerraform,
    driftType: 'none',
    changes: NO_CHANGES,
  };
  const resource = arn ?? key?.keyId ?? key?.aliasName;
  if (resource !== undefined && resource !== '') finding.resource = resource;
  if (account !== undefined && account !== '') finding.account = account;
  if (region !== undefined && region !== '') finding.region = region;
  if (typeof actual.policy === 'object' && actual.policy !== null) {
    finding.policy = policyFacts(actual.policy, declared?.policy?.document, {
      ...optional('keyAccount', account),
      allowedAccounts,
    });
  }
  const origin =
    declared === undefined
      ? undefined
      : event.name === 'PutKeyPolicy' && declared.policyOrigin !== undefined
        ? declared.policyOrigin
        : declared.origin;
  // A failed call changed nothing; it still says which managed key someone tried to change (tf.managed in rules). An
  // event that sets no attribute (RotateKeyOnDemand) changes nothing Terraform declares either.
  if (event.error !== undefined || !hasAttributes(actual)) {
    if (origin !== undefined) finding.terraform = origin;
    return finding;
  }
  if (declared === undefined || origin === undefined) {
    finding.driftType = 'unmanaged';
    finding.changes = unmanagedChanges(actual, finding.policy);
    return finding;
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
        ...policyChange(finding.policy),
        patch: policyPatch(expected.policy, actual.policy),
      };
    }
  }
  if (actual.tags !== undefined && expected.tags !== undefined) {
    comparedSpecial++;
    const tags = tagChange(expected.tags as Record<string, string>, actual.tags as Record<string, string>);
    if (tags !== undefined) changes.tags = tags;
  }
  finding.driftType = PENDING.has(actual.key_state ?? null)
    ? 'deleted'
    : Object.keys(changes).length > 0
      ? 'modified'
      : compared + comparedSpecial > 0
        ? 'in_sync'
        : 'none';
  finding.changes = changes;
  finding.terraform = origin;
  return finding;
}

/**
 * The declared attributes as the diff and the rules (`tf.*`) read them. The policy is parsed only when something reads
 * it: most events on a key never do, and the state then keeps its text.
 */
function declaredValues(declared: DeclaredKey | undefined): Values {
  if (declared === undefined) return NO_VALUES;
  let values = VALUES.get(declared);
  if (values === undefined) {
    values = { ...(declared.attributes as Values) };
    const policy = declared.policy;
    if (policy !== undefined) {
      Object.defineProperty(values, 'policy', { get: () => policy.document, enumerable: true, configurable: true });
    }
    // Declarations never change after the index is built (a reload builds new ones): one object per key.
    Object.freeze(values);
    VALUES.set(declared, values);
  }
  return values;
}

const NO_VALUES: Values = Object.freeze({});
const VALUES = new WeakMap<DeclaredKey, Values>();
