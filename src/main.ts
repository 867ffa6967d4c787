// Process entry: parse the command line against the command table, run one command, exit with its code.
import { readFileSync } from 'node:fs';
import type { CliIo } from './cli/replay.ts';
import { EXAMPLE_EVENTS, EXAMPLE_STATE } from './cli/paths.ts';
import { COMMANDS, findCommand, RULES_SUBCOMMANDS, type CommandSpec } from './cli/commands.ts';
import { parseCommand, distance, UsageError, type ParsedCommand } from './cli/parse.ts';
import { commandHelp, overviewHelp } from './cli/help.ts';
import { EXIT } from './cli/exit-codes.ts';
import { colourWanted, type Terminal } from './cli/terminal.ts';
import { jobsOf, type OutputFormat } from './cli/options.ts';
// Each command's module is imported when that command runs: `replay` then never loads the AWS SDK, prom-client or
// the daemon, which halves its start time and memory (see BENCHMARKS.md).

type Handler = (parsed: ParsedCommand, args: readonly string[], io: CliIo, term: Terminal) => Promise<number>;

/** text on a terminal unless --format says otherwise; json into pipes and files, where machines read. */
function formatOf(parsed: ParsedCommand, term: Terminal): OutputFormat {
  const given = parsed.values['format'];
  return given === 'text' || given === 'json' ? given : term.stdoutIsTTY ? 'text' : 'json';
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  async replay(parsed, _args, io, term) {
    const { coreCommandOptions, commandSettings } = await import('./cli/command-settings.ts');
    const options = coreCommandOptions(parsed.values);
    const { dedupSize, httpOutput, httpOutputTimeoutMs, httpOutputRetries } = commandSettings(parsed.values, [
      'dedupSize',
      'httpOutput',
      'httpOutputTimeoutMs',
      'httpOutputRetries',
    ]);
    const { replay } = await import('./cli/replay.ts');
    const jobs = jobsOf(parsed.values['jobs']);
    return replay(
      {
        ...options.setup,
        inputs: parsed.positionals,
        ...(jobs === undefined ? {} : { jobs }),
        format: formatOf(parsed, term),
        dedupSize,
        ...(httpOutput === undefined
          ? {}
          : { httpOutput: { url: httpOutput, timeoutMs: httpOutputTimeoutMs, retries: httpOutputRetries } }),
        ...(options.failOn === undefined ? {} : { failOn: options.failOn }),
      },
      io,
      term,
    );
  },
  async scan(parsed, _args, io, term) {
    const { coreCommandOptions } = await import('./cli/command-settings.ts');
    const options = coreCommandOptions(parsed.values);
    const { scan, scanOptions } = await import('./cli/scan.ts');
    return scan({ ...options, ...scanOptions(parsed.values), format: formatOf(parsed, term) }, io, term);
  },
  async run(_parsed, args, io) {
    return (await import('./cli/run.ts')).run(args, io, process.env);
  },
  async demo(parsed, _args, io, term) {
    io.err(`kms-drift demo: replaying ${EXAMPLE_EVENTS} against ${EXAMPLE_STATE}`);
    const { replay } = await import('./cli/replay.ts');
    const demo = { inputs: [EXAMPLE_EVENTS], states: [EXAMPLE_STATE], rules: [], terraformPrincipals: [] };
    return replay({ ...demo, format: formatOf(parsed, term) }, io, term);
  },
  async 'rules validate'(parsed, _args, io) {
    return (await import('./cli/rules-validate.ts')).validateRules(parsed.positionals, io);
  },
  async 'rules test'(parsed, _args, io) {
    return (await import('./cli/rules-test.ts')).testRules(parsed.positionals, io);
  },
  async 'rules explain'(_parsed, args, io) {
    return (await import('./cli/rules-explain.ts')).explainRule(args, io);
  },
  async 'rules fields'(parsed, _args, io) {
    return (await import('./cli/rules-fields.ts')).listFields(io, parsed.values['markdown'] === true);
  },
  async completion(parsed, _args, io) {
    const { completionScript, SHELLS } = await import('./cli/completion.ts');
    const shell = SHELLS.find((s) => s === parsed.positionals[0]);
    if (shell === undefined) {
      throw new UsageError(`no completion for '${parsed.positionals[0] ?? ''}' (${SHELLS.join(', ')})`, 'completion');
    }
    io.out(completionScript(shell));
    return EXIT.ok;
  },
};

function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}

const isHelp = (word: string | undefined): boolean => word === '--help' || word === '-h' || word === 'help';

/** The command named by the first words, and the words after it. */
function resolve(argv: readonly string[]): { spec: CommandSpec; args: readonly string[] } {
  const [first, ...rest] = argv;
  if (first === 'rules') {
    const [sub, ...args] = rest;
    const spec = sub === undefined ? undefined : findCommand(`rules ${sub}`);
    if (spec !== undefined) return { spec, args };
    throw new UsageError(
      sub === undefined || sub.startsWith('-')
        ? `rules: name a subcommand (${RULES_SUBCOMMANDS.join(', ')})`
        : `rules: unknown subcommand '${sub}' (${RULES_SUBCOMMANDS.join(', ')})`,
    );
  }
  const spec = first === undefined ? undefined : findCommand(first);
  if (spec !== undefined) return { spec, args: rest };
  if (first === undefined) throw new UsageError('name a command');
  const names = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0] ?? ''))];
  const near = names.find((n) => distance(n, first) <= 2);
  throw new UsageError(`unknown command '${first}'${near === undefined ? '' : ` (did you mean ${near}?)`}`);
}

async function main(argv: readonly string[], io: CliIo, term: Terminal): Promise<number> {
  const [first, second] = argv;
  if (first === '-v' || first === '--version' || first === 'version') {
    io.out(version());
    return EXIT.ok;
  }
  if (isHelp(first)) {
    // `kms-drift help replay` is `kms-drift replay --help`.
    if (second !== undefined) return main([...argv.slice(1), '--help'], io, term);
    io.out(overviewHelp(version()));
    return EXIT.ok;
  }
  if (first === 'rules' && (second === undefined || isHelp(second))) {
    if (second === undefined) throw new UsageError(`rules: name a subcommand (${RULES_SUBCOMMANDS.join(', ')})`);
    io.out(
      COMMANDS.filter((c) => c.name.startsWith('rules '))
        .map((c) => `kms-drift ${c.name}: ${c.summary}`)
        .join('\n'),
    );
    return EXIT.ok;
  }
  const { spec, args } = resolve(argv);
  const parsed = parseCommand(spec, args);
  if (parsed.help) {
    io.out(commandHelp(spec));
    return EXIT.ok;
  }
  const handler = HANDLERS[spec.name];
  if (handler === undefined) throw new Error(`no handler for ${spec.name}`);
  try {
    return await handler(parsed, args, io, term);
  } catch (err: unknown) {
    if (err instanceof UsageError && err.command === undefined) throw new UsageError(err.message, spec.name);
    throw err;
  }
}

// `kms-drift … | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stdin: process.stdin,
  stdout: process.stdout,
};
const term: Terminal = {
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  colour: colourWanted(process.env, process.stdout.isTTY === true),
  writeStderr: (text) => process.stderr.write(text),
  now: Date.now,
};
try {
  process.exitCode = await main(process.argv.slice(2), io, term);
} catch (err: unknown) {
  if (!(err instanceof UsageError)) throw err;
  // One line a problem, the last with where to look: never the whole usage.
  const where = err.command === undefined ? 'kms-drift' : `kms-drift ${err.command}`;
  const lines = err.message.split('\n');
  lines.forEach((line, i) => io.err(`${where}: ${line}${i === lines.length - 1 ? ` (see '${where} --help')` : ''}`));
  process.exitCode = EXIT.usage;
}
