import { KMSClient } from '@aws-sdk/client-kms';
import { parseArgs } from 'node:util';
import { atLeast, parsePriority, type Priority } from '../model/priority.ts';
import { formatProblem } from '../model/problem.ts';
import { readAccount } from '../kms/read-account.ts';
import { scanEvent } from '../kms/scan-event.ts';
import { pinoDriftLogWriter } from '../sinks/stdout.ts';
import type { CliIo } from './replay.ts';
import { setupCore } from './setup.ts';
import { COMPLIANCE_OPTIONS, complianceSettings } from './compliance-options.ts';

/**
 * `kms-drift scan`: every customer managed key and alias of the account and region, read through the KMS API
 * (the SDK's region, endpoint and credentials), diffed against the states, as drift logs. Exit codes as replay.
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
      ...COMPLIANCE_OPTIONS,
    },
  });
  const compliance = complianceSettings(values);
  if (typeof compliance === 'string') {
    io.err(`kms-drift scan: ${compliance}`);
    return 2;
  }
  const minPriority = values['min-priority'] === undefined ? undefined : parsePriority(values['min-priority']);
  const failOn: Priority | undefined = values['fail-on'] === undefined ? undefined : parsePriority(values['fail-on']);
  for (const [name, given, parsed] of [
    ['min-priority', values['min-priority'], minPriority],
    ['fail-on', values['fail-on'], failOn],
  ] as const) {
    if (given !== undefined && parsed === undefined) {
      io.err(`kms-drift scan: --${name}: unknown priority '${given}'`);
      return 2;
    }
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
  const client = new KMSClient({});
  const writer = pinoDriftLogWriter(1);
  const readAt = new Date().toISOString();
  let keys = 0;
  let aliases = 0;
  let drifted = 0;
  let failed = false;
  try {
    for await (const reading of readAccount(client)) {
      if ('name' in reading) aliases++;
      else keys++;
      const result = setup.core.processEvent(scanEvent(reading, readAt, ''));
      if (result.driftType !== 'in_sync' && result.driftType !== 'none') drifted++;
      for (const l of result.logs) {
        writer.write(l.priority, l.log, l.msg);
        if (failOn !== undefined && atLeast(l.priority, failOn)) failed = true;
      }
      if (progress) process.stderr.write(`\rkms-drift scan: ${keys} keys, ${aliases} aliases, ${drifted} drifted`);
    }
  } catch (err: unknown) {
    io.err(`kms-drift scan: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    await writer.flush();
    return 1;
  } finally {
    client.destroy();
  }
  await writer.flush();
  if (progress) process.stderr.write('\n');
  io.err(`kms-drift scan: ${keys} keys, ${aliases} aliases read; ${drifted} differ from the states`);
  return failed ? 3 : 0;
}
