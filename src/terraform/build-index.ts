import type { DeclaredAlias, DeclaredIndex, DeclaredKey } from '../model/declared.ts';
import type { Problem } from '../model/problem.ts';
import type { ParsedState } from './parse-state.ts';

/**
 * Every state's KMS resources in one index. The first declaration of a key or alias wins and a second one is
 * reported: two states managing one key is a real mistake worth knowing about. aws_kms_key_policy overrides the
 * key's own `policy`, as the provider documents.
 */
export function buildIndex(states: readonly ParsedState[]): { index: DeclaredIndex; problems: Problem[] } {
  const problems: Problem[] = [];
  const byArn = new Map<string, DeclaredKey>();
  const byId = new Map<string, DeclaredKey>();
  const aliases = new Map<string, DeclaredAlias>();
  for (const state of states) {
    for (const key of state.keys) {
      const declared: DeclaredKey = {
        type: key.type,
        keyId: key.keyId,
        origin: key.origin,
        attributes: key.attributes,
        ...(key.arn ? { arn: key.arn } : {}),
      };
      const existing = key.arn ? byArn.get(key.arn) : byId.get(key.keyId);
      if (existing !== undefined) {
        problems.push(duplicate(state.source, key.origin.address, existing.origin.address, existing.origin.state));
        continue;
      }
      if (key.arn) byArn.set(key.arn, declared);
      // Multi-Region replicas share the primary's mrk- id; the ARN tells them apart, the id finds the first.
      if (!byId.has(key.keyId)) byId.set(key.keyId, declared);
    }
    for (const alias of state.aliases) {
      const existing = aliases.get(alias.name);
      if (existing !== undefined) {
        problems.push(duplicate(state.source, alias.origin.address, existing.origin.address, existing.origin.state));
        continue;
      }
      aliases.set(alias.name, {
        name: alias.name,
        origin: alias.origin,
        attributes: { alias_name: alias.name, target_key_id: alias.targetKeyId },
        ...(alias.arn ? { arn: alias.arn } : {}),
      });
    }
  }
  for (const state of states) {
    for (const policy of state.policies) {
      const key = byId.get(policy.keyId);
      if (key === undefined) continue;
      const withPolicy: DeclaredKey = {
        ...key,
        attributes: { ...key.attributes, policy: policy.policy },
        policyOrigin: policy.origin,
      };
      byId.set(key.keyId, withPolicy);
      if (key.arn) byArn.set(key.arn, withPolicy);
    }
  }
  return {
    index: { keysByArn: byArn, keysById: byId, aliasesByName: aliases, sources: states.map((s) => s.source) },
    problems,
  };
}

function duplicate(source: string, address: string, firstAddress: string, firstState: string): Problem {
  return {
    code: 'STATE_SHAPE',
    severity: 'warning',
    source,
    message: `${address} declares a resource already declared by ${firstAddress} in ${firstState}; the first declaration is used`,
  };
}
