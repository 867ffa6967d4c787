import { atLeast } from '../model/priority.ts';
import { formatProblem } from '../model/problem.ts';
import { callerIdentity, kmsClientFor } from '../kms/clients.ts';
import { declaredResources } from '../kms/declared-resources.ts';
import { errorText } from '../kms/read-account.ts';
import { scanTarget, type TargetCounts } from '../kms/scan-target.ts';
import { scanTargets, type ScanTarget } from '../kms/targets.ts';
import type { CoreCommandOptions } from './command-settings.ts';
import { EXIT } from './exit-codes.ts';
import { driftLogOutput } from './output.ts';
import type { OptionValues } from './parse.ts';
import { UsageError } from './parse.ts';
import type { CliIo } from './replay.ts';
import { setupCore } from './setup.ts';
import { Tally } from './tally.ts';
import { NO_TERMINAL, Progress, type Terminal } from './terminal.ts';

/** Where and as whom to read: `--account`, `--region`, `--assume-role`, `--concurrency` (src/cli/options.ts). */
export interface ScanOptions {
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly assumeRole?: string;
  readonly concurrency: number;
}

export function scanOptions(values: OptionValues): ScanOptions {
  const list = (v: OptionValues[string]): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []);
  const accounts = list(values['account']);
  const bad = accounts.find((a) => !/^\d{12}$/.test(a));
  if (bad !== undefined) throw new UsageError(`--account: expected a 12-digit AWS account id, got '${bad}'`);
  const role = values['assume-role'];
  if (typeof role === 'string' && !role.includes('{account}')) {
    throw new UsageError(
      '--assume-role: the role ARN must contain {account}, e.g. arn:aws:iam::{account}:role/kms-drift-scan',
    );
  }
  const given = values['concurrency'];
  const concurrency = Number(typeof given === 'string' ? given : 4);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(`--concurrency: expected a whole number from 1 to 64, got '${String(given)}'`);
  }
  return {
    accounts,
    regions: list(values['region']),
    ...(typeof role === 'string' ? { assumeRole: role } : {}),
    concurrency,
  };
}

/**
 * `kms-drift scan`: every customer managed key and alias of each account and Region (from the states' ARNs or
 * --account/--region; other accounts through --assume-role), read through the KMS API and diffed against the states,
 * and every declared resource the account lacks, as drift logs. Exit codes as replay's: 1 states or rules unusable,
 * 3 `--fail-on` reached, 4 inputs incomplete (an account, a Region or a key could not be read), after the logs of
 * what was read.
 */
export async function scan(
  options: CoreCommandOptions & ScanOptions,
  io: CliIo,
  term: Terminal = NO_TERMINAL,
): Promise<number> {
  const setup = await setupCore(options.setup);
  for (const p of setup.problems) io.err(formatProblem(p));
  if (!setup.ok) return EXIT.unusable;
  if (options.setup.states.length === 0) {
    io.err('kms-drift scan: warning: no --state, so every key and alias is unmanaged and reported as such');
  }
  const declared = declaredResources(setup.state.current());
  let caller: Awaited<ReturnType<typeof callerIdentity>>;
  try {
    caller = await callerIdentity();
  } catch (err: unknown) {
    io.err(`kms-drift scan: STS GetCallerIdentity: ${errorText(err)}`);
    return EXIT.incomplete;
  }
  const role = options.assumeRole;
  const planned = scanTargets(declared, {
    accounts: options.accounts,
    regions: options.regions,
    assumeRole: role !== undefined,
    caller,
    defaultRegion: caller.region,
  });
  if (planned.error !== undefined) throw new UsageError(planned.error);

  const progress = term.stderrIsTTY ? new Progress(term) : undefined;
  const output = driftLogOutput(options.format ?? 'json', io, term, progress);
  for (const account of planned.unread) {
    output.err(
      `kms-drift scan: account ${account} is declared in the states but not read: give --assume-role, or --account ${caller.account} to read only this one`,
    );
  }
  const tally = new Tally();
  let failed = false;
  let incomplete = planned.unread.length > 0;
  const results = planned.targets.map((target) => ({
    target,
    counts: { keys: 0, aliases: 0, drifted: 0, missing: 0, denied: 0 } as TargetCounts,
    error: undefined as string | undefined,
    done: false,
  }));
  const showProgress = (): void => {
    const t = total(results.map((r) => r.counts));
    const done = results.filter((r) => r.done).length;
    progress?.update(
      () =>
        `kms-drift scan: ${done}/${results.length} account-Regions, ${t.keys} keys, ${t.aliases} aliases, ${t.drifted} drifted, ${t.missing} missing`,
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
              output.writer.write(l.priority, l.log, l.msg);
              tally.addLog(l.priority, String(l.log['rule'] ?? ''));
              if (options.failOn !== undefined && atLeast(l.priority, options.failOn)) failed = true;
            }
            showProgress();
            const drifted = outcome.driftType !== 'in_sync' && outcome.driftType !== 'none';
            return { drifted, missing: drifted && outcome.driftType === 'deleted' && event.missing !== undefined };
          },
          problem(p) {
            incomplete = true;
            output.err(formatProblem(p));
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
  await pool(results, options.concurrency, scanOne);
  await output.writer.flush();
  for (const { target, counts, error } of results) output.err(`kms-drift scan: ${summary(target, counts, error)}`);
  const t = total(results.map((r) => r.counts));
  output.summary(
    'scan',
    tally,
    `kms-drift scan: ${results.length} account-Regions: ${t.keys} keys, ${t.aliases} aliases read; ${t.drifted} differ from the states, ${t.missing} missing${incomplete ? '; inputs incomplete' : ''}`,
  );
  return failed ? EXIT.failOn : incomplete ? EXIT.incomplete : EXIT.ok;
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
