import type { PolicyFacts } from '../model/finding.ts';
import type { JsonValue } from '../model/json.ts';
import { allowedPrincipals } from '../diff/policy.ts';
import { compareStatements } from './compare.ts';
import { withFamilies } from './condition-keys.ts';
import { isAdminAction, isUseAction } from './kms-actions.ts';
import { accountOf, analyzePolicy, type StatementFacts } from './statements.ts';

export interface PolicyContext {
  /** The key's own account: its principals are never external. */
  readonly keyAccount?: string;
  /** Other accounts that may appear in key policies (`allowedAccounts`). */
  readonly allowedAccounts: ReadonlySet<string>;
}

/** Condition keys through which a `*` principal is limited to named accounts. */
const ACCOUNT_CONDITION_KEYS: ReadonlySet<string> = new Set(['kms:CallerAccount', 'aws:PrincipalAccount']);

interface Described {
  readonly statements: readonly StatementFacts[];
  readonly principals: readonly string[];
  readonly admins: readonly string[];
}
const NONE: Described = { statements: [], principals: [], admins: [] };

/** By document: a declared policy is compared with every event on its key, so it is analysed once. */
const analyses = new WeakMap<object, Described>();

function analysis(policy: JsonValue | undefined): Described {
  if (policy === undefined) return NONE;
  const cached = typeof policy === 'object' && policy !== null ? analyses.get(policy) : undefined;
  if (cached !== undefined) return cached;
  const statements = analyzePolicy(policy);
  const result = { statements, principals: allowedPrincipals(policy), admins: adminsWithUse(statements) };
  if (typeof policy === 'object' && policy !== null) analyses.set(policy, result);
  return result;
}

/** The analysis of the policy after the event, compared with Terraform's policy when there is one. */
export function policyFacts(actual: JsonValue, expected: JsonValue | undefined, ctx: PolicyContext): PolicyFacts {
  const { statements: after, principals: principalsAfter, admins } = analysis(actual);
  const { statements: before, principals: principalsBefore, admins: declaredAdmins } = analysis(expected);
  const adminsBefore = new Set(declaredAdmins);
  const delta = compareStatements(before, after);
  return {
    added_principals: principalsAfter.filter((p) => !principalsBefore.includes(p)),
    removed_principals: principalsBefore.filter((p) => !principalsAfter.includes(p)),
    external_accounts: externalAccounts(after, ctx),
    wildcard_principal: after.some(
      (s) => s.effect === 'Allow' && s.conditions.length === 0 && s.principals.some((p) => p.kind === 'wildcard'),
    ),
    admin_can_use: admins.length > 0,
    admins_with_use: admins,
    admins_gained_use: admins.filter((p) => !adminsBefore.has(p)),
    ...delta,
    condition_keys_removed: withFamilies(delta.condition_keys_removed),
  };
}

/**
 * Accounts granted access by Allow statements that are neither the key's account nor allowed: the account of each
 * ARN principal, and the accounts a `*` principal is limited to by `kms:CallerAccount` / `aws:PrincipalAccount`.
 */
function externalAccounts(statements: readonly StatementFacts[], ctx: PolicyContext): string[] {
  const found = new Set<string>();
  for (const st of statements) {
    if (st.effect !== 'Allow') continue;
    for (const p of st.principals) if (p.account !== undefined) found.add(p.account);
    if (st.principals.some((p) => p.kind === 'wildcard')) {
      for (const c of st.conditions) {
        if (!ACCOUNT_CONDITION_KEYS.has(c.key)) continue;
        for (const v of c.values) if (accountOf(v) === v) found.add(v);
      }
    }
  }
  return [...found].filter((a) => a !== ctx.keyAccount && !ctx.allowedAccounts.has(a)).sort();
}

/**
 * Named principals (users, roles, sessions; not an account root, which only delegates to IAM policies, and not `*`)
 * that are allowed both an administrative action and a cryptographic one, after Deny statements without conditions.
 */
export function adminsWithUse(statements: readonly StatementFacts[]): string[] {
  const granted = new Map<string, Set<string>>();
  for (const st of statements) {
    if (st.effect !== 'Allow') continue;
    for (const p of st.principals) {
      if (p.kind !== 'named') continue;
      const set = granted.get(p.id) ?? new Set<string>();
      for (const a of st.actions) set.add(a);
      granted.set(p.id, set);
    }
  }
  for (const st of statements) {
    if (st.effect !== 'Deny' || st.conditions.length > 0) continue;
    for (const [id, set] of granted) {
      if (st.principals.some((p) => p.id === '*' || p.id === id)) for (const a of st.actions) set.delete(a);
    }
  }
  return [...granted]
    .filter(([, set]) => [...set].some(isAdminAction) && [...set].some(isUseAction))
    .map(([id]) => id)
    .sort();
}
