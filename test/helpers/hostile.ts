import { readdirSync, readFileSync } from 'node:fs';
import { ROOT } from './cli.ts';

/**
 * A CloudTrail log file of the 10 sample records of examples/events (each with its own eventID) and, as
 * Records[5], AWS's PutKeyPolicy sample whose policy text has a condition nested `depth` levels. Built as text:
 * JSON.stringify itself overflows the stack on such a value.
 */
export function logFileWithDeepPolicy(depth: number): string {
  const dir = `${ROOT}examples/events/`;
  const samples = readdirSync(dir)
    .sort()
    .map((f) => JSON.parse(readFileSync(dir + f, 'utf8')) as Record<string, unknown>);
  const good = Array.from({ length: 10 }, (_, i) =>
    JSON.stringify({
      ...samples[i % samples.length],
      eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    }),
  );
  const put = samples.find((r) => r['eventName'] === 'PutKeyPolicy') ?? {};
  const policy = String((put['requestParameters'] as Record<string, unknown>)['policy']).replace(
    '"Resource" : "*"',
    `"Resource" : "*", "Condition" : ${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`,
  );
  const bad = JSON.stringify({
    ...put,
    eventID: 'deadbeef-0000-4000-8000-000000000000',
    requestParameters: { ...(put['requestParameters'] as object), policy: 'POLICY' },
  }).replace('"POLICY"', () => JSON.stringify(policy));
  good.splice(5, 0, bad);
  return `{"Records":[${good.join(',')}]}`;
}
