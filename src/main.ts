// Process entry: parse the command line, run one command, exit with its code.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { parsePriority, PRIORITIES, type Priority } from './model/priority.ts';
import type { CliIo } from './cli/replay.ts';
import { EXAMPLE_EVENTS, EXAMPLE_STATE } from './cli/paths.ts';
// Each command's module is imported when that command runs: `replay` then never loads the AWS SDK, prom-client or
// the daemon, which halves its start time and memory (see BENCHMARKS.md).
import { COMPLIANCE_OPTIONS, complianceSettings } from './cli/compliance-options.ts';

const USAGE = `Usage:
  kms-drift replay [--state PATH]… [--rules PATH]… [--min-priority P] [--fail-on P]
                   [--terraform-principal ARN]… [--allowed-account ID]… [--emergency-principal ARN]…
                   [--recovery-principal ARN]… [--recovery-window-days N] INPUT…
  kms-drift rules validate PATH…
  kms-drift rules test PATH…            run the "- test:" items of the rule files
  kms-drift rules explain RULE --event FILE [--state PATH]… [compliance options of replay]
                                        which part of the condition was false
  kms-drift rules fields [--markdown]   the fields a rule can use
  kms-drift run [--queue-url URL] [--state PATH]… [--rules PATH]… [--min-priority P]
                [--terraform-principal ARN]… [--pollers N] [--http-listen HOST:PORT] [--local]
                the SQS daemon; every option also as KMS_DRIFT_* (docs/operations.md)
  kms-drift scan [--state PATH]… [--rules PATH]… [--min-priority P] [--fail-on P] [--allowed-account ID]…
                 [--account ID]… [--region R]… [--assume-role ARN-TEMPLATE] [--concurrency N]
                 every key and alias of each account and Region read through the KMS API, diffed against the
                 states, and what the states declare that is missing
  kms-drift demo            replay the bundled sample events against the bundled example state
  kms-drift --version

INPUT: CloudTrail log files (.json or gzipped), EventBridge events, SNS/SQS bodies, single records,
JSON Lines of these, directories (recursive), or - for stdin.
--state: a tfstate file or a directory of *.tfstate (repeatable).
--rules: a rules file or directory (repeatable); replaces the bundled rules.
P: ${PRIORITIES.join(', ')} (case-insensitive).
Exit: 0 done; 1 rules or state unusable; 2 usage; 3 a log at --fail-on priority or above was written.`;

class UsageError extends Error {}

function priorityOption(value: string | undefined, name: string): Priority | undefined {
  if (value === undefined) return undefined;
  const p = parsePriority(value);
  if (p === undefined) throw new UsageError(`--${name}: unknown priority '${value}' (one of ${PRIORITIES.join(', ')})`);
  return p;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'replay': {
      const { values, positionals } = parseArgs({
        args: [...rest],
        allowPositionals: true,
        options: {
          state: { type: 'string', multiple: true, default: [] },
          rules: { type: 'string', multiple: true, default: [] },
          'min-priority': { type: 'string' },
          'fail-on': { type: 'string' },
          'terraform-principal': { type: 'string', multiple: true, default: [] },
          ...COMPLIANCE_OPTIONS,
        },
      });
      if (positionals.length === 0) throw new UsageError('replay: name at least one INPUT (a file, a directory or -)');
      const minPriority = priorityOption(values['min-priority'], 'min-priority');
      const failOn = priorityOption(values['fail-on'], 'fail-on');
      const compliance = complianceSettings(values);
      if (typeof compliance === 'string') throw new UsageError(compliance);
      const { replay } = await import('./cli/replay.ts');
      return replay(
        {
          inputs: positionals,
          states: values.state,
          rules: values.rules,
          terraformPrincipals: values['terraform-principal'],
          ...compliance,
          ...(minPriority === undefined ? {} : { minPriority }),
          ...(failOn === undefined ? {} : { failOn }),
        },
        io,
      );
    }
    case 'rules': {
      const [sub, ...paths] = rest;
      if (sub === 'fields') return (await import('./cli/rules-fields.ts')).listFields(io, paths.includes('--markdown'));
      if (sub === 'explain') return (await import('./cli/rules-explain.ts')).explainRule(paths, io);
      if (sub === 'test') {
        if (paths.length === 0) throw new UsageError('rules test: name at least one rules file or directory');
        return (await import('./cli/rules-test.ts')).testRules(paths, io);
      }
      if (sub !== 'validate')
        throw new UsageError(`rules: unknown subcommand '${sub ?? ''}' (validate, test, explain, fields)`);
      if (paths.length === 0) throw new UsageError('rules validate: name at least one rules file or directory');
      return (await import('./cli/rules-validate.ts')).validateRules(paths, io);
    }
    case 'scan':
      return (await import('./cli/scan.ts')).scan(rest, io, process.stderr.isTTY);
    case 'run':
      return (await import('./cli/run.ts')).run(rest, io, process.env);
    case 'demo': {
      io.err(`kms-drift demo: replaying ${EXAMPLE_EVENTS} against ${EXAMPLE_STATE}`);
      const { replay } = await import('./cli/replay.ts');
      return replay({ inputs: [EXAMPLE_EVENTS], states: [EXAMPLE_STATE], rules: [], terraformPrincipals: [] }, io);
    }
    case '--version':
    case 'version': {
      const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
      io.out(typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown');
      return 0;
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.err(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
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
};
try {
  process.exitCode = await run(process.argv.slice(2), io);
} catch (err: unknown) {
  if (
    err instanceof UsageError ||
    (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
  ) {
    io.err(`kms-drift: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    throw err;
  }
}
