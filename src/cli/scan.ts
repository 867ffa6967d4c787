import { parseArgs } from 'node:util';
import { atLeast, parsePriority, type Priority } from '../model/priority.ts';
import { formatProblem } from '../model/problem.ts';
import { callerIdentity, kmsClientFor } from '../kms/clients.ts';
import { declaredResources } from '../kms/declared-resources.ts';
import { errorText } from '../kms/read-account.ts';
import { scanTarget, type TargetCounts } from '../kms/scan-target.ts';
import { scanTargets, type ScanTarget } from '../kms/targets.ts';
import { pinoDriftLogWriter } from '../sinks/stdout.ts';
import type { CliIo } from './replay.ts';
import { setupCore } from './setup.ts';
import { COMPLIANCE_OPTIONS, complianceSettings } from './compliance-options.ts';

/** The scan's own options (besides the core's), parseArgs shape. */
const SCAN_OPTIONS = {
  account: { type: 'string', multiple: true, default: [] as string[] },
  region: { type: 'string', multiple: true, default: [] as string[] },
  'assume-role': { type: 'string' },
  concurrency: { type: 'string' },
} as const;

/**
 * `kms-drift scan`: every customer managed key and alias of each account and Region (from the states' ARNs or
 * --account/--region; other accounts through --assume-role), read through the KMS API and diffed against the states,
 * and every declared resource the account lacks, as drift logs. Exit codes: 0 done, 1 something could not be read
 * (states, rules, an account, a Region or a key), 2 usage, 3 `--fail-on` reached.
 */
export async function scan(args: readonly string[], io: CliIo, progress: boolean): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      state: { type: 'string', multiple: true, default: [] },
      rules: { type: 'string', multiple: true, default: [] },
      'min-priority': { type: 'string' },
      'fail-on': { type: 'string' },
      'terraform-principal': { type: 'string', multiple: true, default: [] },
      ...SCAN_OPTIONS,
      ...COMPLIANCE_OPTIONS,
    },
  });
  const usage = (message: string): number => {
    io.err(`kms-drift scan: ${message}`);
    return 2;
  };
  const compliance = complianceSettings(values);
  if (typeof compliance === 'string') return usage(compliance);
  const minPriority = values['min-priority'] === undefined ? undefined : parsePriority(values['min-priority']);
  const failOn: Priority | undefined = values['fail-on'] === undefined ? undefined : parsePriority(values['fail-on']);
  for (const [name, given, parsed] of [
    ['min-priority', values['min-priority'], minPriority],
    ['fail-on', values['fail-on'], failOn],
  ] as const) {
    if (given !== undefined && parsed === undefined) return usage(`--${name}: unknown priority '${given}'`);
  }
  const badAccount = values.account.find((a) => !/^\d{12}$/.test(a));
  if (badAccount !== undefined) return usage(`--account: expected a 12-digit AWS account id, got '${badAccount}'`);
  const role = values['assume-role'];
  if (role !== undefined && !role.includes('{account}')) {
    return usage(`--assume-role: the role ARN must contain {account}, e.g. arn:aws:iam::{account}:role/kms-drift-scan`);
  }
  const concurrency = Number(values.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    return usage(`--concurrency: expected a whole number from 1 to 64, got '${values.concurrency ?? ''}'`);
  }
  const setup = await setupCore({
    states: values.state,
    rules: values.rules,
    terraformPrincipals: values['terraform-principal'],
    ...compliance,
    ...(minPriority === undefined ? {} : { minPriority }),
  });
  for (const p of setup.problems) io.err(formatProblem(p));
  if (!setup.ok) return 1;

  const declared = declaredResources(setup.state.current());
  let caller: Awaited<ReturnType<typeof callerIdentity>>;
  try {
    caller = await callerIdentity();
  } catch (err: unknown) {
    io.err(`kms-drift scan: STS GetCallerIdentity: ${errorText(err)}`);
    return 1;
  }
  const planned = scanTargets(declared, {
    accounts: values.account,
    regions: values.region,
    assumeRole: role !== undefined,
    caller,
    defaultRegion: caller.region,
  });
  if (planned.error !== undefined) return usage(planned.error);
  for (const account of planned.unread) {
    io.err(
      `kms-drift scan: account ${account} is declared in the states but not read: give --assume-role, or --account ${caller.account} to read only this one`,
    );
  }

  const writer = pinoDriftLogWriter(1);
  let failed = false;
  let incomplete = planned.unread.length > 0;
  const results = planned.targets.map((target) => ({
    target,
    counts: { keys: 0, aliases: 0, drifted: 0, missing: 0, denied: 0 } as TargetCounts,
    error: undefined as string | undefined,
    done: false,
  }));
  const showProgress = (): void => {
    if (!progress) return;
    const t = total(results.map((r) => r.counts));
    const done = results.filter((r) => r.done).length;
    process.stderr.write(
      `\rkms-drift scan: ${done}/${results.length} account-Regions, ${t.keys} keys, ${t.aliases} aliases, ${t.drifted} drifted, ${t.missing} missing`,
    );
  };
  const scanOne = async (result: (typeof results)[number]): Promise<void> => {
    const { target } = result;
    const client = kmsClientFor(target, role);
    const mine = declared.filter((r) => r.account === target.account && r.region === target.region);
    try {
      await scanTarget(
        client,
        target,
        mine,
        {
          event(event) {
            const outcome = setup.core.processEvent(event);
            for (const l of outcome.logs) {
              writer.write(l.priority, l.log, l.msg);
              if (failOn !== undefined && atLeast(l.priority, failOn)) failed = true;
            }
            showProgress();
            const drifted = outcome.driftType !== 'in_sync' && outcome.driftType !== 'none';
            return { drifted, missing: drifted && outcome.driftType === 'deleted' && event.missing !== undefined };
          },
          problem(p) {
            incomplete = true;
            if (progress) process.stderr.write('\n');
            io.err(formatProblem(p));
          },
        },
        result.counts,
      );
    } catch (err: unknown) {
      incomplete = true;
      result.error = errorText(err);
    } finally {
      client.destroy();
      result.done = true;
      showProgress();
    }
  };
  await pool(results, concurrency, scanOne);
  await writer.flush();
  if (progress) process.stderr.write('\n');
  for (const { target, counts, error } of results) io.err(`kms-drift scan: ${summary(target, counts, error)}`);
  if (results.length > 1) {
    const t = total(results.map((r) => r.counts));
    io.err(
      `kms-drift scan: ${results.length} account-Regions: ${t.keys} keys, ${t.aliases} aliases read; ${t.drifted} differ from the states, ${t.missing} missing`,
    );
  }
  return incomplete ? 1 : failed ? 3 : 0;
}

function summary(target: ScanTarget, c: TargetCounts, error: string | undefined): string {
  const where = `${target.account} ${target.region}`;
  if (error !== undefined) return `${where}: not read (SCAN_READ ${error}); nothing of it is reported missing`;
  const denied = c.denied > 0 ? `, ${c.denied} not readable (access denied)` : '';
  return `${where}: ${c.keys} keys, ${c.aliases} aliases read; ${c.drifted} differ from the states, ${c.missing} missing${denied}`;
}

function total(all: readonly TargetCounts[]): TargetCounts {
  const t: TargetCounts = { keys: 0, aliases: 0, drifted: 0, missing: 0, denied: 0 };
  for (const c of all) for (const k of Object.keys(t) as (keyof TargetCounts)[]) t[k] += c[k];
  return t;
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
