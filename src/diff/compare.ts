import type { TerraformOrigin } from '../model/declared.ts';
import type { AttributeChange, DriftFinding, DriftType, PolicyChange, PolicyFacts } from '../model/finding.ts';
import type { JsonValue } from '../model/json.ts';
import type { AttributeName } from '../model/snapshot.ts';

export type Changes = Partial<Record<AttributeName, AttributeChange | PolicyChange>>;
export type Values = Partial<Record<AttributeName, JsonValue>>;

/**
 * Plain attributes compared as JSON. `compared` counts the attributes both sides name: an event that touches nothing
 * Terraform declares is `none`, not `in_sync` (there was nothing to agree with).
 */
export function compareValues(
  actual: Values,
  expected: Values,
  skip: ReadonlySet<AttributeName>,
): { changes: Changes; compared: number } {
  const changes: Changes = {};
  let compared = 0;
  for (const name of Object.keys(actual) as AttributeName[]) {
    const now = actual[name];
    const want = expected[name];
    if (now === undefined || want === undefined || skip.has(name)) continue;
    compared++;
    if (JSON.stringify(want) !== JSON.stringify(now)) changes[name] = { expected: want, actual: now };
  }
  return { changes, compared };
}

export function driftOf(changes: Changes, compared: number): DriftType {
  return Object.keys(changes).length > 0 ? 'modified' : compared > 0 ? 'in_sync' : 'none';
}

/** A finding but its verdict. */
export type FindingBase = Omit<DriftFinding, 'driftType' | 'changes' | 'terraform'>;

/**
 * An alias's or a grant's verdict, in the order both decide it: a failed call changed nothing (`none`); a resource no
 * state declares is `unmanaged`; a declared one that was deleted lost its `identity` (`deleted`); else `compare`
 * judges its attributes against the declaration.
 */
export function verdict<D extends { readonly origin: TerraformOrigin }>(
  base: FindingBase,
  declared: D | undefined,
  deleted: boolean,
  identity: (declared: D) => Changes,
  compare: (declared: D) => { readonly driftType: DriftType; readonly changes: Changes },
): DriftFinding {
  if (base.event.error !== undefined) {
    return {
      ...base,
      driftType: 'none',
      changes: {},
      ...(declared === undefined ? {} : { terraform: declared.origin }),
    };
  }
  if (declared === undefined) {
    return { ...base, driftType: 'unmanaged', changes: unmanagedChanges(base.actual, undefined) };
  }
  if (deleted) return { ...base, driftType: 'deleted', changes: identity(declared), terraform: declared.origin };
  return { ...base, ...compare(declared), terraform: declared.origin };
}

/** No declaration to compare with: every attribute the event set is reported, with nothing expected. */
export function unmanagedChanges(actual: Values, facts: PolicyFacts | undefined): Changes {
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
export function policyChange(facts: PolicyFacts | undefined): Omit<PolicyChange, 'expected' | 'actual' | 'patch'> {
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

export function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: string };
}

export function hasAttributes(values: Values): boolean {
  for (const v of Object.values(values)) if (v !== undefined) return true;
  return false;
}
