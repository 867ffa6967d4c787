import { KMSClient } from '@aws-sdk/client-kms';
import { atLeast } from '../model/priority.ts';
import { formatProblem } from '../model/problem.ts';
import { readAccount } from '../kms/read-account.ts';
import { scanEvent } from '../kms/scan-event.ts';
import type { CoreCommandOptions } from './command-settings.ts';
import { EXIT } from './exit-codes.ts';
import { driftLogOutput } from './output.ts';
import type { CliIo } from './replay.ts';
import { setupCore } from './setup.ts';
import { Tally } from './tally.ts';
import { NO_TERMINAL, Progress, type Terminal } from './terminal.ts';

/**
 * `kms-drift scan`: every customer managed key and alias of the account and region, read through the KMS API
 * (the SDK's region, endpoint and credentials), diffed against the states, as drift logs. Exit codes as replay's;
 * a KMS API failure is 4, inputs incomplete, after the logs of what was read.
 */
export async function scan(options: CoreCommandOptions, io: CliIo, term: Terminal = NO_TERMINAL): Promise<number> {
  const setup = await setupCore(options.setup);
  for (const p of setup.problems) io.err(formatProblem(p));
  if (!setup.ok) return EXIT.unusable;
  if (options.setup.states.length === 0) {
    io.err('kms-drift scan: warning: no --state, so every key and alias is unmanaged and reported as such');
  }
  const client = new KMSClient({});
  const progress = term.stderrIsTTY ? new Progress(term) : undefined;
  const output = driftLogOutput(options.format ?? 'json', io, term, progress);
  const tally = new Tally();
  const readAt = new Date().toISOString();
  let keys = 0;
  let aliases = 0;
  let drifted = 0;
  let failed = false;
  let error: string | undefined;
  try {
    for await (const reading of readAccount(client)) {
      if ('name' in reading) aliases++;
      else keys++;
      const result = setup.core.processEvent(scanEvent(reading, readAt, ''));
      if (result.driftType !== 'in_sync' && result.driftType !== 'none') drifted++;
      for (const l of result.logs) {
        output.writer.write(l.priority, l.log, l.msg);
        tally.addLog(l.priority, String(l.log['rule'] ?? ''));
        if (options.failOn !== undefined && atLeast(l.priority, options.failOn)) failed = true;
      }
      progress?.update(() => `kms-drift scan: ${keys} keys, ${aliases} aliases, ${drifted} drifted…`);
    }
  } catch (err: unknown) {
    error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  } finally {
    client.destroy();
  }
  await output.writer.flush();
  if (error !== undefined) output.err(`kms-drift scan: ${error}`);
  output.summary(
    'scan',
    tally,
    `kms-drift scan: ${keys} keys, ${aliases} aliases read; ${drifted} differ from the states${error === undefined ? '' : '; inputs incomplete: the KMS API failed'}`,
  );
  return failed ? EXIT.failOn : error !== undefined ? EXIT.incomplete : EXIT.ok;
}
