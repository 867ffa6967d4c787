import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.ts';
import { runCli, ROOT } from '../helpers/cli.ts';

describe('help, version and usage errors', () => {
  it('kms-drift --help (and -h, help) prints the commands and the exit codes on stdout, exit 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const result = await runCli([flag]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      for (const c of COMMANDS) expect(result.stdout).toContain(`  ${c.name} `);
      expect(result.stdout).toMatch(/^ {2}4 {2}inputs incomplete/m);
    }
  });

  it('every command has its own --help on stdout, exit 0, listing its options; nothing runs', async () => {
    for (const c of COMMANDS) {
      const result = await runCli([...c.name.split(' '), '--help']);
      expect(result.code, c.name).toBe(0);
      expect(result.stderr, c.name).toBe('');
      expect(result.stdout).toMatch(new RegExp(`^Usage: kms-drift ${c.name}\\b`));
      for (const o of c.options) expect(result.stdout, `${c.name} --${o.option}`).toContain(`--${o.option}`);
    }
    // `help COMMAND` is the same; --help after arguments still wins (it is not a file to validate).
    expect((await runCli(['help', 'replay'])).stdout).toBe((await runCli(['replay', '--help'])).stdout);
    expect((await runCli(['rules', 'validate', 'rules', '--help'])).stdout).toMatch(/^Usage: kms-drift rules validate/);
    expect((await runCli(['demo', '-h'])).stdout).not.toContain('"rule"');
  });

  it('-v and --version print the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['-v', '--version']) expect((await runCli([flag])).stdout).toBe(`${version}\n`);
  });

  it.each([
    [
      ['run', '--concurency', '5'],
      "kms-drift run: unknown option '--concurency' (did you mean --concurrency?) (see 'kms-drift run --help')",
    ],
    [
      ['replay', '--stat', 'x'],
      "kms-drift replay: unknown option '--stat' (did you mean --state?) (see 'kms-drift replay --help')",
    ],
    [['replay'], "kms-drift replay: missing INPUT… (see 'kms-drift replay --help')"],
    [['replay', '--state'], "kms-drift replay: --state needs a value (PATH) (see 'kms-drift replay --help')"],
    [
      ['replay', '--state', '--rules', 'r', 'x'],
      "kms-drift replay: --state needs a value (PATH), got the option --rules (see 'kms-drift replay --help')",
    ],
    [
      ['replay', '--format', 'xml', 'x'],
      "kms-drift replay: --format: 'xml' is not one of text, json (see 'kms-drift replay --help')",
    ],
    [
      ['replay', '--min-priority', 'loud', 'x'],
      expect.stringMatching(/^kms-drift replay: --min-priority: 'loud' is not one of emergency, .*\(see/),
    ],
    [['run', '--local=yes'], "kms-drift run: --local takes no value (see 'kms-drift run --help')"],
    [
      ['scan', 'extra'],
      "kms-drift scan: unexpected argument 'extra' (scan takes only options) (see 'kms-drift scan --help')",
    ],
    [
      ['rules', 'frob'],
      "kms-drift: rules: unknown subcommand 'frob' (validate, test, explain, fields) (see 'kms-drift --help')",
    ],
    [['replai'], "kms-drift: unknown command 'replai' (did you mean replay?) (see 'kms-drift --help')"],
    [[], "kms-drift: name a command (see 'kms-drift --help')"],
  ])('%j is one line on stderr, exit 2', async (args, line) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([line, '']);
  });
});

describe('shell completion', () => {
  it('bash: completes commands, subcommands, options and option values from the command table', () => {
    const script = execFileSync(process.execPath, [join(ROOT, 'bin/kms-drift.js'), 'completion', 'bash'], {
      encoding: 'utf8',
    });
    const complete = (...words: string[]): string[] => {
      const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _kms_drift; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return execFileSync('bash', ['-c', program], { cwd: ROOT, encoding: 'utf8' })
        .split('\n')
        .filter((l) => l !== '');
    };
    expect(complete('kms-drift', 're')).toEqual(['replay']);
    expect(complete('kms-drift', 'rules', 'ex')).toEqual(['explain']);
    expect(complete('kms-drift', 'run', '--conc')).toEqual(['--concurrency']);
    expect(complete('kms-drift', 'replay', '--st')).toEqual(['--state']);
    expect(complete('kms-drift', 'rules', 'explain', '--ev')).toEqual(['--event']);
    expect(complete('kms-drift', 'replay', '--fail-on', 'cr')).toEqual(['critical']);
    expect(complete('kms-drift', 'scan', '--format', '')).toEqual(['text', 'json']);
    expect(complete('kms-drift', 'replay', '--state', 'examples/terraform.tf')).toEqual(['examples/terraform.tfstate']);
    expect(complete('kms-drift', 'completion', 'z')).toEqual(['zsh']);
  });

  it('zsh: the same function through bashcompinit', async () => {
    const zsh = await runCli(['completion', 'zsh']);
    const bash = await runCli(['completion', 'bash']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.split('\n')[0]).toBe('autoload -U +X bashcompinit && bashcompinit');
    expect(zsh.stdout.split('\n').slice(2).join('\n')).toBe(bash.stdout.split('\n').slice(1).join('\n'));
  });
});

/** A Node older than 22.18 on PATH, outside node_modules (the machine's own), if there is one. */
function oldNode(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '' || dir.includes('node_modules')) continue;
    const node = join(dir, 'node');
    const run = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    const [major = 0, minor = 0] = (run.stdout ?? '').trim().split('.').map(Number);
    if (run.status === 0 && (major < 22 || (major === 22 && minor < 18))) return node;
  }
  return undefined;
}

describe('an unsupported Node.js', () => {
  it('is told which version is needed, in one line, exit 2 (not a SyntaxError)', () => {
    const node = oldNode();
    // Without an old Node on the machine, Node 24 is made to report an old version before bin/kms-drift.js runs.
    const args =
      node === undefined
        ? ['--import', `data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.11.1"})`]
        : [];
    const run = spawnSync(node ?? process.execPath, [...args, join(ROOT, 'bin/kms-drift.js'), 'replay', 'x'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^kms-drift: needs Node\.js 22\.18 or newer .*this is Node\.js (20|1\d|21|22)\.\d+/);
  });
});
