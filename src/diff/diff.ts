import type { DeclaredIndex } from '../model/declared.ts';
import type { AttributeChange, DriftFinding, DriftType, PolicyChange, PolicyFacts } from '../model/finding.ts';
import type { JsonValue } from '../model/json.ts';
import type { AliasChange, KeyChange, KmsEvent } from '../model/kms-event.ts';
import type { AttributeName, KeyAttributes } from '../model/snapshot.ts';
import { bareKeyId, parseKmsArn } from '../model/arn.ts';
import { findAlias, findKey } from './lookup.ts';
import { policyPatch, samePolicy } from './policy.ts';
import { policyFacts } from '../policy/facts.ts';
import { applyTagDelta, tagChange } from './tags.ts';
import { terraformMatcher } from './by-terraform.ts';

export interface DiffOptions {
  /** ARN patterns (`*` wildcard) of principals whose changes are Terraform's own. */
  readonly terraformPrincipals: readonly string[];
  /** Accounts besides the key's own that key policies may grant (not reported in external_accounts). */
  readonly allowedAccounts?: readonly string[];
}

export type Differ = (event: KmsEvent, index: DeclaredIndex) => DriftFinding;

type Changes = Partial<Record<AttributeName, AttributeChange | PolicyChange>>;
type Values = Partial<Record<AttributeName, JsonValue>>;

const PENDING: ReadonlySet<JsonValue> = new Set(['PendingDeletion', 'PendingReplicaDeletion']);

/** Builds the differ once (the allowlist is compiled here), then compares each event with the declarations. */
export function createDiffer(options: DiffOptions): Differ {
  const isTerraform = terraformMatcher(options.terraformPrincipals);
  const allowedAccounts: ReadonlySet<string> = new Set(options.allowedAccounts ?? []);
  return (event, index) => {
    const byTerraform = isTerraform(event.actor);
    return event.change.kind === 'alias'
      ? diffAlias(event, event.change, index, byTerraform)
      : diffKey(event, event.change, index, byTerraform, allowedAccounts);
  };
}

export function diffEvent(event: KmsEvent, index: DeclaredIndex, options: DiffOptions): DriftFinding {
  return createDiffer(options)(event, index);
}

function diffKey(
  event: KmsEvent,
  change: KeyChange,
  index: DeclaredIndex,
  byTerraform: boolean,
  allowedAccounts: ReadonlySet<string>,
): DriftFinding {
  const declared = findKey(index, event.key);
  const expected: Values = { ...(declared?.attributes as Values | undefined) };
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
          policy: policyFacts(actual.policy, declared?.attributes.policy, {
            ...optional('keyAccount', account),
            allowedAccounts,
          }),
        }
      : {}),
  };
  // A failed call changed nothing; it still says which managed key someone tried to change (tf.managed in rules).
  if (event.error !== undefined) {
    return {
      ...base,
      driftType: 'none',
      changes: {},
      ...(declared === undefined ? {} : { terraform: declared.origin }),
    };
  }
  if (declared === undefined)
    return { ...base, driftType: 'unmanaged', changes: unmanagedChanges(actual, base.policy) };

  const changes: Changes = {};
  for (const name of Object.keys(actual) as (keyof KeyAttributes)[]) {
    const now = actual[name];
    const want = expected[name];
    if (now === undefined) continue;
    // Terraform never stores a deletion date; once a key is pending deletion its date is the news.
    if (name === 'deletion_date') {
      changes.deletion_date = { actual: now };
      continue;
    }
    if (want === undefined) continue;
    if (name === 'policy') {
      if (!samePolicy(want, now)) {
        changes.policy = { expected: want, actual: now, ...policyChange(base.policy), patch: policyPatch(want, now) };
      }
      continue;
    }
    if (name === 'tags') {
      const tags = tagChange(want as Record<string, string>, now as Record<string, string>);
      if (tags !== undefined) changes.tags = tags;
      continue;
    }
    if (JSON.stringify(want) !== JSON.stringify(now)) changes[name] = { expected: want, actual: now };
  }
  const driftType: DriftType = PENDING.has(actual.key_state ?? null)
    ? 'deleted'
    : Object.keys(changes).length > 0
      ? 'modified'
      : 'in_sync';
  const origin =
    event.name === 'PutKeyPolicy' && declared.policyOrigin !== undefined ? declared.policyOrigin : declared.origin;
  return { ...base, driftType, changes, terraform: origin };
}

function diffAlias(event: KmsEvent, change: AliasChange, index: DeclaredIndex, byTerraform: boolean): DriftFinding {
  const name = event.alias?.name;
  const declared = findAlias(index, event.alias);
  const actual: Values = { ...(change.attributes as Values) };
  const expected: Values = { ...(declared?.attributes as Values | undefined) };
  const keyArn = event.key?.arn === undefined ? undefined : parseKmsArn(event.key.arn);
  // DeleteAlias records carry the alias ARN only in resources[]; when it is missing, the key's ARN gives the
  // account and region the alias lives in.
  const arn =
    event.alias?.arn ??
    declared?.arn ??
    (keyArn !== undefined && name !== undefined
      ? `arn:${keyArn.arn.split(':')[1] ?? 'aws'}:kms:${keyArn.region}:${keyArn.account}:${name}`
      : undefined);
  const parsed = arn === undefined ? undefined : parseKmsArn(arn);
  const base = {
    event,
    resourceType: 'aws_kms_alias' as const,
    ...optional('resource', arn ?? name),
    ...optional('account', parsed?.account ?? event.account),
    ...optional('region', parsed?.region ?? event.region),
    actual,
    expected,
    byTerraform,
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
      changes: { alias_name: { expected: declared.name, actual: null } },
      terraform: declared.origin,
    };
  }
  const changes: Changes = {};
  // The provider treats a key ARN and its id as the same target (DiffSuppress on target_key_id).
  const target = typeof actual.target_key_id === 'string' ? bareKeyId(actual.target_key_id) : undefined;
  if (target !== undefined && target !== declared.attributes.target_key_id) {
    changes.target_key_id = { expected: declared.attributes.target_key_id, actual: target };
  }
  return {
    ...base,
    driftType: Object.keys(changes).length > 0 ? 'modified' : 'in_sync',
    changes,
    terraform: declared.origin,
  };
}

/** No declaration to compare with: every attribute the event set is reported, with nothing expected. */
function unmanagedChanges(actual: Values, facts: DriftFinding['policy']): Changes {
  const changes: Changes = {};
  for (const [name, value] of Object.entries(actual) as [AttributeName, JsonValue | undefined][]) {
    if (value === undefined) continue;
    changes[name] =
      name === 'policy' && facts !== undefined
        ? { actual: value, ...policyChange(facts), patch: [] }
        : { actual: value };
  }
  return changes;
}

/** The statement-level facts the drift log's changes.policy carries (the rest stays in rule fields). */
function policyChange(facts: PolicyFacts | undefined): Omit<PolicyChange, 'expected' | 'actual' | 'patch'> {
  return {
    added_principals: facts?.added_principals ?? [],
    removed_principals: facts?.removed_principals ?? [],
    added_statements: facts?.added_statements ?? [],
    removed_statements: facts?.removed_statements ?? [],
    conditions_removed: facts?.conditions_removed ?? [],
    conditions_added: facts?.conditions_added ?? [],
    actions_widened: facts?.actions_widened ?? [],
    external_accounts: facts?.external_accounts ?? [],
    admins_gained_use: facts?.admins_gained_use ?? [],
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: string };
}
