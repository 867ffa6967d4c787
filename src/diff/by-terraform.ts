import type { Actor } from '../model/kms-event.ts';
import { wildcardMatch } from '../model/wildcard.ts';

/** Terraform and OpenTofu name themselves in the user agent (`… Terraform/1.9.8 … terraform-provider-aws/5.80.0`). */
const TOOL_AGENTS = ['Terraform/', 'OpenTofu/'] as const;

export type PrincipalMatcher = (actor: Actor) => boolean;

/** Terraform's user agent, or one of the allowlist patterns. */
export function terraformMatcher(patterns: readonly string[]): PrincipalMatcher {
  const listed = principalMatcher(patterns);
  return (actor) => {
    const agent = actor.userAgent ?? '';
    return TOOL_AGENTS.some((t) => agent.includes(t)) || listed(actor);
  };
}

/** ARN patterns with `*` as a wildcard, matched against the caller and the role it assumed. */
export function principalMatcher(patterns: readonly string[]): PrincipalMatcher {
  // Not RegExps: the ARNs come from records, and `a*b*c` as a backtracking RegExp is polynomial in a long ARN.
  const matches = (arn: string | undefined): boolean =>
    arn !== undefined && patterns.some((p) => wildcardMatch(p, arn, false));
  return (actor) => matches(actor.arn) || matches(actor.issuerArn);
}
