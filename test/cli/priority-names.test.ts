// `--min-priority info` and `priority: info` through the real CLI: `info` is Informational (Falco's priorities:
// EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL/INFO, DEBUG), so --min-priority info keeps
// Informational drift logs and drops Debug ones, and a rule written `priority: info` logs "Informational".
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.ts';

const EVENT = `${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disablekey.1.json`;

function rulesFile(): string {
  const rule = (name: string, priority: string) => [
    `- rule: ${name}`,
    '  desc: d',
    '  condition: ct.name = DisableKey',
    '  output: o',
    `  priority: ${priority}`,
  ];
  const path = join(mkdtempSync(join(tmpdir(), 'kms-drift-priority-')), 'rules.yaml');
  const rules = [
    rule('at_notice', 'notice'),
    rule('at_informational', 'informational'),
    rule('at_info', 'info'),
    rule('at_debug', 'debug'),
  ];
  writeFileSync(path, rules.flat().join('\n'));
  return path;
}

/** `kms-drift replay` of the event with the rules file, at `--min-priority minPriority`. */
const replayAt = (minPriority: string) =>
  runCli(['replay', '--format', 'json', '--rules', rulesFile(), '--min-priority', minPriority, EVENT]);

describe('kms-drift replay: `info` names Informational', () => {
  it('--min-priority info keeps Notice and Informational logs, drops Debug; `priority: info` logs Informational', async () => {
    const result = await replayAt('info');
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs.map((l) => [l['rule'], l['priority']]).sort()).toEqual([
      ['at_info', 'Informational'],
      ['at_informational', 'Informational'],
      ['at_notice', 'Notice'],
    ]);
  });

  it('--min-priority INFO is the same threshold (names are case-insensitive)', async () => {
    const result = await replayAt('INFO');
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs.map((l) => l['rule']).sort()).toEqual(['at_info', 'at_informational', 'at_notice']);
  });

  it('--min-priority notice drops the Informational logs, `priority: info` among them', async () => {
    const result = await replayAt('notice');
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs.map((l) => l['rule'])).toEqual(['at_notice']);
  });
});
