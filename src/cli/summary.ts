import { PRIORITIES } from '../model/priority.ts';
import { total, type Tally } from './tally.ts';

/**
 * The closing summary of `--format text`: drift logs by priority and rule, most severe first, then what was read,
 * skipped and refused. For people; `--format json` keeps the one-line summary scripts already parse.
 */
export function summaryTable(command: string, tally: Tally, headline?: string): string[] {
  const rows = [...tally.byRule.values()].sort(
    (a, b) =>
      PRIORITIES.indexOf(a.priority as (typeof PRIORITIES)[number]) -
        PRIORITIES.indexOf(b.priority as (typeof PRIORITIES)[number]) || a.rule.localeCompare(b.rule),
  );
  const lines = [
    headline ??
      `kms-drift ${command}: ${count(tally.eventCount, 'event')}, ${count(tally.logCount, 'drift log')}, ${count(total(tally.skipped), 'skipped', 'skipped')}, ${count(tally.problemCount, 'problem')}`,
  ];
  if (rows.length > 0) {
    const width = Math.max(...rows.map((r) => r.priority.length), 'priority'.length);
    lines.push(`  ${'logs'.padStart(5)}  ${'priority'.padEnd(width)}  rule`);
    for (const r of rows) lines.push(`  ${String(r.count).padStart(5)}  ${r.priority.padEnd(width)}  ${r.rule}`);
  }
  for (const [label, map] of [
    ['events', tally.events],
    ['skipped', tally.skipped],
    ['problems', tally.problems],
  ] as const) {
    if (map.size > 0) {
      const parts = [...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`);
      lines.push(`  ${label}: ${parts.join(', ')}`);
    }
  }
  if (tally.reads !== undefined) lines.push(`  reads: ${tally.reads}`);
  return lines;
}

function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
