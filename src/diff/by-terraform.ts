import type { Actor } from '../model/kms-event.ts';

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

/** Compiled once: ARN patterns with `*` as a wildcard, matched against the caller and the role it assumed. */
export function principalMatcher(patterns: readonly string[]): PrincipalMatcher {
  const regexes = patterns.map((p) => new RegExp(`^${p.split('*').map(escape).join('.*')}$`));
  return (actor) =>
    regexes.some(
      (re) =>
        (actor.arn !== undefined && re.test(actor.arn)) || (actor.issuerArn !== undefined && re.test(actor.issuerArn)),
    );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
