import type { DeclaredResource } from './declared-resources.ts';

/** One account and Region the scan reads: KMS keys, aliases and request quotas are per account and Region. */
export interface ScanTarget {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
}

export interface TargetOptions {
  /** `--account`: the accounts to read; else those the states declare. */
  readonly accounts: readonly string[];
  /** `--region`: the Regions to read in every account; else those the states declare in it. */
  readonly regions: readonly string[];
  /** Whether a role is assumed per account; without one only the credentials' own account can be read. */
  readonly assumeRole: boolean;
  /** The credentials' own account and partition (STS GetCallerIdentity). */
  readonly caller: { readonly account: string; readonly partition: string };
  /** The SDK's Region, for an account the states place nowhere. */
  readonly defaultRegion: string | undefined;
}

/**
 * The accounts and Regions to read, from the states' ARNs or the options, and the declared accounts left unread
 * (no role to assume into them). Sorted, so summaries and tests are stable.
 */
export function scanTargets(
  declared: readonly DeclaredResource[],
  options: TargetOptions,
): { readonly targets: ScanTarget[]; readonly unread: string[]; readonly error?: string } {
  const declaredRegions = new Map<string, Set<string>>();
  const partitions = new Map<string, string>();
  for (const r of declared) {
    declaredRegions.set(r.account, (declaredRegions.get(r.account) ?? new Set()).add(r.region));
    partitions.set(r.account, r.partition);
  }
  const wanted =
    options.accounts.length > 0
      ? [...new Set(options.accounts)]
      : declaredRegions.size > 0
        ? [...declaredRegions.keys()]
        : [options.caller.account];
  const accounts = options.assumeRole ? wanted : wanted.filter((a) => a === options.caller.account);
  const unread = wanted.filter((a) => !accounts.includes(a)).sort();
  if (accounts.length === 0 && options.accounts.length > 0) {
    return {
      targets: [],
      unread,
      error: `--account ${unread.join(', ')}: the credentials are of account ${options.caller.account}; give --assume-role to read another account`,
    };
  }
  const allDeclaredRegions = [...new Set(declared.map((r) => r.region))];
  const targets: ScanTarget[] = [];
  for (const account of accounts.sort()) {
    const regions =
      options.regions.length > 0
        ? [...new Set(options.regions)]
        : [...(declaredRegions.get(account) ?? allDeclaredRegions)];
    if (regions.length === 0 && options.defaultRegion !== undefined) regions.push(options.defaultRegion);
    if (regions.length === 0)
      return { targets: [], unread, error: 'no Region to read: give --region or set AWS_REGION' };
    const partition = partitions.get(account) ?? options.caller.partition;
    for (const region of regions.sort()) targets.push({ partition, account, region });
  }
  return { targets, unread };
}

/** `arn:aws:iam::{account}:role/kms-drift-scan` → the role of one account. */
export function roleArnFor(template: string, target: ScanTarget): string {
  return template.replaceAll('{account}', target.account).replaceAll('{partition}', target.partition);
}
