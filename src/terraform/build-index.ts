import type { DeclaredAlias, DeclaredIndex, DeclaredKey, TerraformOrigin } from '../model/declared.ts';
import type { Problem } from '../model/problem.ts';
import { parseKmsArn } from '../model/arn.ts';
import type { ParsedKeyPolicy, ParsedStateResources } from './parse-state.ts';

/**
 * Every state's KMS resources in one index. The first declaration of a key, alias or key policy wins and a second
 * one is reported as a warning: two states managing one key is a real mistake worth knowing about, and the states
 * are given in a stated order (command line, then sorted paths). aws_kms_key_policy overrides the key's own `policy`,
 * as the provider documents, whichever state it comes from.
 */
export function buildIndex(states: readonly ParsedStateResources[]): { index: DeclaredIndex; problems: Problem[] } {
  const problems: Problem[] = [];
  const byArn = new Map<string, DeclaredKey>();
  const byId = new Map<string, DeclaredKey>();
  const aliases = new Map<string, DeclaredAlias>();
  for (const state of states) {
    for (const key of state.keys) {
      const existing = key.arn === undefined ? byId.get(key.keyId) : byArn.get(key.arn);
      if (existing !== undefined) {
        problems.push(duplicate(key.origin, existing.origin, `key ${key.arn ?? key.keyId}`));
        continue;
      }
      const declared: DeclaredKey = {
        type: key.type,
        keyId: key.keyId,
        origin: key.origin,
        attributes: key.attributes,
        ...(key.arn === undefined ? {} : { arn: key.arn }),
      };
      if (key.arn !== undefined) byArn.set(key.arn, declared);
      // Multi-Region replicas share the primary's mrk- id; the ARN tells them apart, the id finds the first.
      if (!byId.has(key.keyId)) byId.set(key.keyId, declared);
    }
    for (const alias of state.aliases) {
      const existing = aliases.get(alias.name);
      if (existing !== undefined) {
        problems.push(duplicate(alias.origin, existing.origin, alias.name));
        continue;
      }
      aliases.set(alias.name, {
        name: alias.name,
        origin: alias.origin,
        attributes: { alias_name: alias.name, target_key_id: alias.targetKeyId },
        ...(alias.arn === undefined ? {} : { arn: alias.arn }),
      });
    }
  }
  for (const state of states) {
    for (const policy of state.policies) applyPolicy(policy, byArn, byId, problems);
  }
  return {
    index: { keysByArn: byArn, keysById: byId, aliasesByName: aliases, sources: states.map((s) => s.source) },
    problems,
  };
}

function applyPolicy(
  policy: ParsedKeyPolicy,
  byArn: Map<string, DeclaredKey>,
  byId: Map<string, DeclaredKey>,
  problems: Problem[],
): void {
  const arn = parseKmsArn(policy.keyId);
  const key = arn?.kind === 'key' ? (byArn.get(arn.arn) ?? byId.get(arn.resource)) : byId.get(policy.keyId);
  // A policy of a key no state declares: the key is unmanaged, and so is every event on it.
  if (key === undefined) return;
  if (key.policyOrigin !== undefined) {
    problems.push(duplicate(policy.origin, key.policyOrigin, `the policy of key ${key.arn ?? key.keyId}`));
    return;
  }
  const withPolicy: DeclaredKey = {
    ...key,
    attributes: { ...key.attributes, policy: policy.policy },
    policyOrigin: policy.origin,
  };
  if (byId.get(key.keyId) === key) byId.set(key.keyId, withPolicy);
  if (key.arn !== undefined) byArn.set(key.arn, withPolicy);
}

function duplicate(second: TerraformOrigin, first: TerraformOrigin, what: string): Problem {
  return {
    code: 'STATE_DUPLICATE',
    severity: 'warning',
    source: second.state,
    message: `${second.address} declares ${what}, already declared by ${first.address} in ${first.state}; the first declaration is used`,
  };
}
