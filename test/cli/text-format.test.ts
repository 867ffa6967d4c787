import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress, type Terminal } from '../../src/cli/terminal.ts';
import { pinoDriftLogWriter } from '../../src/sinks/stdout.ts';
import { runCli, ROOT } from '../helpers/cli.ts';

const STATE = 'examples/terraform.tfstate';
const ROTATION = 'examples/events/ct-disable-key-rotation.1.json';
const DOC = 'fixtures/cloudtrail/aws-kms-developer-guide';

/** Runs the CLI on a real pseudo-terminal (util-linux `script`), as a person at a shell would; stdout and stderr mix. */
function onTerminal(args: readonly string[], env: Record<string, string> = {}): { code: number | null; text: string } {
  const command = [process.execPath, join(ROOT, 'bin/kms-drift.js'), ...args].map((a) => `'${a}'`).join(' ');
  const run = spawnSync('script', ['-qfec', command, '/dev/null'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', TERM: 'xterm', ...env },
  });
  return { code: run.status, text: run.stdout.replace(/\r\n/g, '\n') };
}

describe('--format text: a drift reads as a sentence', () => {
  it('one line per drift log: priority, rule, who called what on which resource, address, expected → actual', async () => {
    const result = await runCli(['replay', '--format', 'text', '--state', STATE, ROTATION]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toContain(
      'ERROR     kms_key_rotation_disabled: Alice called DisableKeyRotation on arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (module.kms.aws_kms_key.this["data"]) at 2022-09-01T19:31:39Z: enable_key_rotation: true → false',
    );
    // The README shows this very line.
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(
      lines.find((l) => l.includes('kms_key_rotation_disabled')),
    );
  });

  it('policy, tags, unmanaged resources and deletion dates in words', async () => {
    const text = async (...args: string[]) => (await runCli(['replay', '--format', 'text', ...args])).stdout;
    expect(await text('--state', STATE, `${DOC}/ct-put-key-policy.1.json`)).toContain(
      '(module.kms.aws_kms_key.this["data"]) at 2022-09-01T20:06:16Z: policy: principals removed arn:aws:iam::111122223333:role/app',
    );
    expect(await text('--state', STATE, `${DOC}/ct-untagresource.1.json`)).toMatch(/: tags: -Dept$/m);
    expect(await text(`${DOC}/ct-disablekey.1.json`)).toMatch(
      /^ERROR {5}kms_key_disabled: Alice called DisableKey on arn:aws:kms:\S+ \(in no Terraform state\) at \S+: key_state: \(not declared\) → Disabled$/m,
    );
    expect(await text('--state', STATE, `${DOC}/ct-schedule-key-deletion.3.json`)).toMatch(
      /^CRITICAL  kms_key_deletion_scheduled: .*key_state: Enabled → PendingDeletion; deletion_date: \(not declared\) → 2021-11-02T23:25:25/m,
    );
  });

  it('a closing summary table on stderr: drift logs by priority and rule, most severe first', async () => {
    const result = await runCli(['replay', '--format', 'text', '--state', STATE, 'examples/events']);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe('kms-drift replay: 8 events, 8 drift logs, 0 skipped, 0 problems');
    expect(lines[1]).toBe('   logs  priority  rule');
    expect(lines[2]).toBe('      2  Critical  kms_key_deletion_scheduled');
    expect(lines.slice(2, 9).map((l) => l.trim().split(/\s+/)[1])).toEqual([
      'Critical',
      'Critical',
      'Error',
      'Error',
      'Error',
      'Warning',
      'Notice',
    ]);
  });

  it('on a terminal: text by default, coloured, unless NO_COLOR; --format json keeps the JSON contract', () => {
    const tty = onTerminal(['replay', '--state', STATE, ROTATION]);
    expect(tty.code).toBe(0);
    expect(tty.text).toContain(
      '\x1b[31mERROR    \x1b[0m \x1b[1mkms_key_rotation_disabled\x1b[0m: Alice called DisableKeyRotation',
    );
    expect(tty.text).toContain('kms-drift replay: 1 event, 2 drift logs');
    const plain = onTerminal(['replay', '--state', STATE, ROTATION], { NO_COLOR: '1' });
    expect(plain.text).not.toContain('\x1b[');
    expect(plain.text).toContain('ERROR     kms_key_rotation_disabled: Alice called DisableKeyRotation');
    const json = onTerminal(['replay', '--format', 'json', '--state', STATE, ROTATION]);
    const logs = json.text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.map((l) => l['rule']).sort()).toEqual([
      'kms_compliance_rotation_disabled',
      'kms_key_rotation_disabled',
    ]);
  });

  it('in a pipe: JSON by default, and FORCE_COLOR colours --format text', async () => {
    expect((await runCli(['demo'])).logs.length).toBe(8);
    const forced = await runCli(['replay', '--format', 'text', '--state', STATE, ROTATION], '', {
      FORCE_COLOR: '1',
      NO_COLOR: undefined,
    });
    expect(forced.stdout).toContain('\x1b[1mkms_key_rotation_disabled\x1b[0m');
  });
});

describe('progress and levels', () => {
  it('the progress line waits its interval, rewrites itself in place, and is cleared before a line is written', () => {
    let now = 1000;
    const written: string[] = [];
    const term: Terminal = {
      stdoutIsTTY: true,
      stderrIsTTY: true,
      colour: false,
      writeStderr: (t) => written.push(t),
      now: () => now,
    };
    const progress = new Progress(term, 200);
    progress.update(() => 'a');
    now += 199;
    progress.update(() => 'b');
    expect(written).toEqual([]);
    now += 1;
    progress.update(() => 'c');
    now += 200;
    progress.update(() => 'd');
    progress.clear();
    progress.clear();
    expect(written).toEqual(['\r\x1b[Kc', '\r\x1b[Kd', '\r\x1b[K']);
  });

  it('drift logs keep level 60 for Critical and tell pino-pretty its name: critical, not fatal', () => {
    const destination = new PassThrough();
    let labels: Record<string, string> = {};
    destination.on('message', (m: { code: string; config: { levels: { labels: Record<string, string> } } }) => {
      if (m.code === 'PINO_CONFIG') labels = m.config.levels.labels;
    });
    const lines: string[] = [];
    destination.on('data', (b: Buffer) => lines.push(b.toString()));
    const writer = pinoDriftLogWriter(destination);
    writer.write('Critical', { rule: 'r' }, 'm');
    writer.write('Warning', { rule: 'w' }, 'm');
    expect(labels['60']).toBe('critical');
    expect(labels['40']).toBe('warning');
    expect(lines.map((l) => (JSON.parse(l) as { level: number }).level)).toEqual([60, 40]);
  });
});
