// `npm run mutate [-- --only ID]… [--list] [--timeout S] [--no-baseline] [--keep]`: plants each mutant of
// mutants.ts, one at a time, in a copy of the repository (the files `git ls-files` lists, as they are in the working
// tree, and a symbolic link to node_modules), runs the mutant's test files there with vitest, and prints which
// mutants the tests killed and which survived. The working tree is never changed, so this runs while someone edits.
// Exit 0 when every mutant was killed, 1 when one survived, 2 when the list or the baseline is unusable.
// See docs/testing.md.
import { spawn, execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { Mutant } from './mutant.ts';
import { MUTANTS } from './mutants.ts';

type Outcome = 'killed' | 'survived' | 'timeout' | 'error';

interface Result {
  readonly mutant: Mutant;
  readonly outcome: Outcome;
  readonly seconds: number;
  /** The first failing test (killed), or what went wrong (error). */
  readonly detail: string;
}

interface TestRun {
  readonly code: number | null;
  readonly timedOut: boolean;
  readonly output: string;
  /** Failing tests as `file > full name`, from vitest's JSON report. */
  readonly failures: readonly string[];
  readonly passed: number;
}

const HELP = `npm run mutate -- [--only ID]… [--list] [--timeout SECONDS] [--no-baseline] [--keep]

  --list          print the mutants (id, file, tests, description) after checking each still applies; run nothing
  --only ID       run only this mutant (repeatable, or comma-separated)
  --timeout S     a mutant whose tests run longer than S seconds (default 600) counts as killed by timeout
  --no-baseline   skip the first run of every test file involved without a mutant (it must pass, or nothing counts)
  --keep          keep the temporary copies (their paths are printed)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      list: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '600' },
      'no-baseline': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const timeoutS = Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) return usage(`--timeout: expected seconds, got '${values.timeout}'`);
  const root = repoRoot();
  const problems = checkList(root, MUTANTS);
  if (problems.length > 0) {
    process.stderr.write(
      `mutate: the mutant list no longer applies to this tree:\n${problems.map((p) => `  ${p}\n`).join('')}`,
    );
    return 2;
  }
  const only = (values.only ?? [])
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter((o) => o !== '');
  const unknown = only.filter((id) => !MUTANTS.some((m) => m.id === id));
  if (unknown.length > 0) return usage(`unknown mutant ${unknown.join(', ')} (see --list)`);
  const selected = only.length === 0 ? MUTANTS : MUTANTS.filter((m) => only.includes(m.id));
  if (values.list) {
    for (const m of selected) {
      process.stdout.write(`${m.id}\n  ${m.file}: ${m.description}\n  tests: ${m.tests.join(' ')}\n`);
    }
    process.stdout.write(`${selected.length} mutants\n`);
    return 0;
  }
  return run(root, selected, { timeoutMs: timeoutS * 1000, baseline: !values['no-baseline'], keep: values.keep });
}

function usage(message: string): number {
  process.stderr.write(`mutate: ${message}\n${HELP}\n`);
  return 2;
}

function repoRoot(): string {
  const here = dirname(new URL(import.meta.url).pathname);
  return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: here, encoding: 'utf8' }).trim();
}

/** Every problem of the list: ids unique, files and test files present, `find` present exactly once. */
export function checkList(root: string, mutants: readonly Mutant[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const m of mutants) {
    if (ids.has(m.id)) problems.push(`${m.id}: the id is used twice`);
    ids.add(m.id);
    if (m.tests.length === 0) problems.push(`${m.id}: no test files`);
    for (const t of m.tests) if (!existsSync(join(root, t))) problems.push(`${m.id}: test file ${t} does not exist`);
    if (m.find === m.replace) problems.push(`${m.id}: the replacement is the text itself`);
    const path = join(root, m.file);
    if (!existsSync(path)) {
      problems.push(`${m.id}: ${m.file} does not exist`);
      continue;
    }
    const n = occurrences(readFileSync(path, 'utf8'), m.find);
    if (n !== 1)
      problems.push(`${m.id}: ${m.file} contains the text ${n} times (expected once): ${JSON.stringify(m.find)}`);
  }
  return problems;
}

function occurrences(text: string, find: string): number {
  let n = 0;
  for (let i = text.indexOf(find); i >= 0; i = text.indexOf(find, i + 1)) n++;
  return n;
}

interface RunOptions {
  readonly timeoutMs: number;
  readonly baseline: boolean;
  readonly keep: boolean;
}

async function run(root: string, mutants: readonly Mutant[], options: RunOptions): Promise<number> {
  const started = performance.now();
  const files = trackedFiles(root);
  process.stdout.write(`mutate: ${mutants.length} mutants, ${files.length} files copied per mutant from ${root}\n`);
  if (options.baseline) {
    const tests = [...new Set(mutants.flatMap((m) => m.tests))].sort();
    const t0 = performance.now();
    const copy = copyTree(root, files);
    const base = await vitest(copy, tests, options.timeoutMs * 2);
    if (!options.keep) rmSync(copy, { recursive: true, force: true });
    const seconds = (performance.now() - t0) / 1000;
    if (base.code !== 0 || base.timedOut) {
      process.stderr.write(
        `mutate: the baseline (${tests.length} test files, no mutant) fails, so no mutant can be judged:\n` +
          (base.failures.length > 0 ? base.failures.map((f) => `  ${f}\n`).join('') : `${tail(base.output)}\n`),
      );
      return 2;
    }
    process.stdout.write(
      `baseline: ${tests.length} test files, ${base.passed} tests pass without a mutant (${seconds.toFixed(1)} s)\n`,
    );
  }
  const results: Result[] = [];
  for (const [i, m] of mutants.entries()) {
    const r = await runMutant(root, files, m, options);
    results.push(r);
    process.stdout.write(
      `[${i + 1}/${mutants.length}] ${r.outcome.padEnd(8)} ${r.seconds.toFixed(1).padStart(6)} s  ${m.id}${r.detail === '' ? '' : `  (${r.detail})`}\n`,
    );
  }
  process.stdout.write(`\n${table(results)}\n`);
  const count = (o: Outcome): number => results.filter((r) => r.outcome === o).length;
  const total = (performance.now() - started) / 1000;
  process.stdout.write(
    `\n${results.length} mutants: ${count('killed') + count('timeout')} killed (${count('timeout')} by timeout), ` +
      `${count('survived')} survived, ${count('error')} errors; ${total.toFixed(0)} s in all\n`,
  );
  const survivors = results.filter((r) => r.outcome === 'survived');
  if (survivors.length > 0) {
    process.stdout.write(
      `survived (a test is missing):\n${survivors.map((r) => `  ${r.mutant.id}: ${r.mutant.description}\n`).join('')}`,
    );
  }
  return survivors.length > 0 || count('error') > 0 ? 1 : 0;
}

async function runMutant(root: string, files: readonly string[], m: Mutant, options: RunOptions): Promise<Result> {
  const t0 = performance.now();
  const seconds = (): number => (performance.now() - t0) / 1000;
  const copy = copyTree(root, files);
  try {
    const path = join(copy, m.file);
    const text = readFileSync(path, 'utf8');
    // Checked against the working tree before the run; the copy may have been taken after someone's edit.
    if (occurrences(text, m.find) !== 1) {
      return {
        mutant: m,
        outcome: 'error',
        seconds: seconds(),
        detail: `the text is no longer in ${m.file} exactly once`,
      };
    }
    writeFileSync(
      path,
      text.replace(m.find, () => m.replace),
    );
    if (m.build !== undefined) {
      const built = await command(copy, m.build, options.timeoutMs);
      if (built.code !== 0) {
        return { mutant: m, outcome: 'error', seconds: seconds(), detail: `build failed: ${tail(built.output, 3)}` };
      }
    }
    const r = await vitest(copy, m.tests, options.timeoutMs);
    if (r.timedOut)
      return {
        mutant: m,
        outcome: 'timeout',
        seconds: seconds(),
        detail: `no result in ${options.timeoutMs / 1000} s`,
      };
    if (r.code === 0) return { mutant: m, outcome: 'survived', seconds: seconds(), detail: `${r.passed} tests pass` };
    const first = r.failures[0];
    return {
      mutant: m,
      outcome: 'killed',
      seconds: seconds(),
      // No failing test in the report: the run itself failed (the mutant broke loading a module, say).
      detail: first === undefined ? `vitest exit ${r.code}: ${tail(r.output, 1)}` : first,
    };
  } finally {
    if (options.keep) process.stdout.write(`  kept ${copy}\n`);
    else rmSync(copy, { recursive: true, force: true });
  }
}

/** What `git ls-files` lists, as the working tree has it now (a file deleted but not staged is left out). */
function trackedFiles(root: string): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return out.split('\0').filter((f) => f !== '' && existsSync(join(root, f)));
}

function copyTree(root: string, files: readonly string[]): string {
  const copy = mkdtempSync(join(tmpdir(), 'kms-drift-mutate-'));
  for (const f of files) {
    const to = join(copy, f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(root, f), to);
  }
  symlinkSync(resolve(root, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

async function vitest(cwd: string, tests: readonly string[], timeoutMs: number): Promise<TestRun> {
  const report = join(cwd, '.mutate-report.json');
  const r = await command(
    cwd,
    [
      'node',
      'node_modules/vitest/vitest.mjs',
      'run',
      '--bail=1',
      '--reporter=json',
      `--outputFile=${report}`,
      ...tests,
    ],
    timeoutMs,
  );
  const { failures, passed } = existsSync(report)
    ? readReport(readFileSync(report, 'utf8'), cwd)
    : { failures: [], passed: 0 };
  return { ...r, failures, passed };
}

/** The failing and passing tests of vitest's JSON report (Jest's format). */
function readReport(text: string, cwd: string): { failures: string[]; passed: number } {
  const failures: string[] = [];
  let passed = 0;
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch {
    return { failures, passed };
  }
  for (const file of arrayField(report, 'testResults')) {
    const name = stringField(file, 'name')?.replace(`${cwd}/`, '') ?? '?';
    const assertions = arrayField(file, 'assertionResults');
    for (const a of assertions) {
      const status = stringField(a, 'status');
      if (status === 'passed') passed++;
      else if (status === 'failed') failures.push(`${name} > ${stringField(a, 'fullName') ?? '?'}`);
    }
    // A file that failed to load has no assertions, only a message.
    if (assertions.length === 0 && stringField(file, 'status') === 'failed') {
      failures.push(`${name}: ${(stringField(file, 'message') ?? 'failed').split('\n')[0] ?? ''}`);
    }
  }
  return { failures, passed };
}

function arrayField(v: unknown, key: string): unknown[] {
  if (typeof v !== 'object' || v === null) return [];
  const f: unknown = (v as Record<string, unknown>)[key];
  return Array.isArray(f) ? (f as unknown[]) : [];
}

function stringField(v: unknown, key: string): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const f: unknown = (v as Record<string, unknown>)[key];
  return typeof f === 'string' ? f : undefined;
}

/** Runs argv in cwd (`node` is this Node), its output collected, killed with its process group after timeoutMs. */
function command(
  cwd: string,
  argv: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; timedOut: boolean; output: string }> {
  const [program = 'node', ...args] = argv;
  return new Promise((done, fail) => {
    const child = spawn(program === 'node' ? process.execPath : program, args, {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, timedOut, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function table(results: readonly Result[]): string {
  const rows = results.map((r) => [
    r.mutant.id,
    r.outcome === 'timeout' ? 'killed (timeout)' : r.outcome,
    `${r.seconds.toFixed(1)} s`,
    r.mutant.file,
    r.outcome === 'killed' ? `by ${r.detail}` : r.detail,
  ]);
  const header = ['mutant', 'result', 'time', 'file', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  // The detail column is last and left unpadded: a long test name does not widen every line.
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(Math.min(w, 40)))), ...rows.map(line)].join('\n');
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mutate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
