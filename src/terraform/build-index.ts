import type {
  DeclaredAlias,
  DeclaredCustomKeyStore,
  DeclaredGrant,
  DeclaredIndex,
  DeclaredKey,
  TerraformOrigin,
} from '../model/declared.ts';
import type { Problem } from '../model/problem.ts';
import { parseKmsArn } from '../model/arn.ts';
import type { ParsedKeyPolicy, ParsedStateResources } from './parsed.ts';

/**
 * Every state's KMS resources in one index, keyed by identity: keys by ARN, aliases by alias ARN, grants by key ARN and
 * grant id, custom key stores by id. The same identity declared twice is reported (two states managing one key is a
 * real mistake worth knowing about) and the declaration that sorts first by state and address is used, so the result
 * never depends on the order the states were given in. aws_kms_key_policy overrides the key's own `policy`, as the
 * provider documents, whichever state it comes from.
 */
export function buildIndex(states: readonly ParsedStateResources[]): { index: DeclaredIndex; problems: Problem[] } {
  const problems: Problem[] = [];
  const keysByArn = new Map<string, DeclaredKey>();
  const unscopedKeys = new Map<string, DeclaredKey[]>();
  const aliasesByArn = new Map<string, DeclaredAlias>();
  const unscopedAliases = new Map<string, DeclaredAlias[]>();
  const grants = new Map<string, DeclaredGrant>();
  const customKeyStores = new Map<string, DeclaredCustomKeyStore>();

  for (const key of byOrigin(states.flatMap((s) => s.keys))) {
    const declared: DeclaredKey = { ...key };
    if (key.arn === undefined) push(unscopedKeys, key.keyId, declared);
    else claim(keysByArn, key.arn, declared, `key ${key.arn}`, problems);
  }
  for (const alias of byOrigin(states.flatMap((s) => s.aliases))) {
    const declared: DeclaredAlias = {
      name: alias.name,
      origin: alias.origin,
      attributes: { alias_name: alias.name, target_key_id: alias.targetKeyId },
      ...(alias.arn === undefined ? {} : { arn: alias.arn }),
    };
    if (alias.arn === undefined) push(unscopedAliases, alias.name, declared);
    else claim(aliasesByArn, alias.arn, declared, `alias ${alias.arn}`, problems);
  }
  const keyLookup = { keysByArn, unscopedKeys };
  for (const policy of byOrigin(states.flatMap((s) => s.policies))) applyPolicy(policy, keyLookup, problems);
  for (const grant of byOrigin(states.flatMap((s) => s.grants))) {
    const key = resolveKey(grant.keyId, grant.origin.state, keyLookup);
    const keyArn = key?.arn ?? parseKmsArn(grant.keyId)?.arn;
    const declared: DeclaredGrant = {
      grantId: grant.grantId,
      keyId: key?.keyId ?? grant.keyId,
      origin: grant.origin,
      attributes: grant.attributes,
      ...(keyArn === undefined ? {} : { keyArn }),
    };
    claim(grants, `${keyArn ?? grant.keyId}:${grant.grantId}`, declared, `grant ${grant.grantId}`, problems);
  }
  for (const store of byOrigin(states.flatMap((s) => s.customKeyStores))) {
    claim(customKeyStores, store.id, { ...store }, `custom key store ${store.id}`, problems);
  }
  return {
    index: {
      keysByArn,
      unscopedKeys,
      aliasesByArn,
      unscopedAliases,
      grants,
      customKeyStores,
      sources: states.map((s) => s.source),
    },
    problems,
  };
}

interface KeyLookup {
  readonly keysByArn: Map<string, DeclaredKey>;
  readonly unscopedKeys: Map<string, DeclaredKey[]>;
}

/**
 * The key an aws_kms_key_policy or aws_kms_grant names by `key_id`: its ARN, or a bare id. A bare id is resolved among
 * the keys of the same state first (the usual `aws_kms_key.x.key_id` reference), then among all states; a
 * multi-Region id matches a primary and its replicas, and the primary (aws_kms_key) is the one named.
 */
function resolveKey(keyId: string, state: string, keys: KeyLookup): DeclaredKey | undefined {
  const arn = parseKmsArn(keyId);
  if (arn !== undefined) return arn.kind === 'key' ? keys.keysByArn.get(arn.arn) : undefined;
  const all = [...keys.keysByArn.values(), ...(keys.unscopedKeys.get(keyId) ?? [])].filter((k) => k.keyId === keyId);
  for (const candidates of [all.filter((k) => k.origin.state === state), all]) {
    if (candidates.length === 1) return candidates[0];
    const primaries = candidates.filter((k) => k.type === 'aws_kms_key' || k.type === 'aws_kms_external_key');
    if (primaries.length === 1) return primaries[0];
    if (candidates.length > 1) return undefined;
  }
  return undefined;
}

function applyPolicy(policy: ParsedKeyPolicy, keys: KeyLookup, problems: Problem[]): void {
  const key = resolveKey(policy.keyId, policy.origin.state, keys);
  // A policy of a key no state declares: the key is unmanaged, and so is every event on it.
  if (key === undefined) return;
  if (key.policyOrigin !== undefined) {
    problems.push(duplicate(policy.origin, key.policyOrigin, `the policy of key ${key.arn ?? key.keyId}`));
    return;
  }
  const withPolicy: DeclaredKey = { ...key, policy: policy.policy, policyOrigin: policy.origin };
  if (key.arn !== undefined) keys.keysByArn.set(key.arn, withPolicy);
  else {
    const list = keys.unscopedKeys.get(key.keyId) ?? [];
    keys.unscopedKeys.set(
      key.keyId,
      list.map((k) => (k === key ? withPolicy : k)),
    );
  }
}

/** Declarations in the order of their state source and address: the first of two claims of one identity wins. */
function byOrigin<T extends { readonly origin: TerraformOrigin }>(items: readonly T[]): T[] {
  return [...items].sort(
    (a, b) => compare(a.origin.state, b.origin.state) || compare(a.origin.address, b.origin.address),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function claim<T extends { readonly origin: TerraformOrigin }>(
  map: Map<string, T>,
  id: string,
  value: T,
  what: string,
  problems: Problem[],
): void {
  const existing = map.get(id);
  if (existing === undefined) map.set(id, value);
  else problems.push(duplicate(value.origin, existing.origin, what));
}

function push<T>(map: Map<string, T[]>, id: string, value: T): void {
  const list = map.get(id);
  if (list === undefined) map.set(id, [value]);
  else list.push(value);
}

function duplicate(second: TerraformOrigin, first: TerraformOrigin, what: string): Problem {
  return {
    code: 'STATE_DUPLICATE',
    severity: 'warning',
    source: second.state,
    message: `${second.address} declares ${what}, already declared by ${first.address} in ${first.state}; the declaration of ${first.state} is used`,
  };
}
