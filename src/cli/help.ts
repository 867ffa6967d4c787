import { COMMANDS, type CommandSpec } from './commands.ts';
import { EXIT_CODES } from './exit-codes.ts';
import type { CliOption } from './options.ts';

/** `kms-drift --help`: every command in one line, where to read more, and the exit codes. */
export function overviewHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `kms-drift ${version}: drift of AWS KMS keys and aliases from Terraform, as CloudTrail reports it`,
    '',
    'Usage: kms-drift COMMAND [OPTION]… [ARG]…',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    '  kms-drift COMMAND --help    the options of one command',
    '  kms-drift -v, --version     the version',
    '',
    'Exit codes:',
    ...EXIT_CODES.map((e) => `  ${e.code}  ${plain(e.meaning)}`),
    '',
    'Documentation: README.md, docs/operations.md (the daemon and its settings), docs/rules-guide.md.',
  ].join('\n');
}

/** `kms-drift COMMAND --help`, generated from the command's option table. */
export function commandHelp(spec: CommandSpec): string {
  const rows = spec.options.map((o) => ({ left: optionSynopsis(o), right: optionDescription(o) }));
  const width = Math.min(34, Math.max(...rows.map((r) => r.left.length)));
  const lines = [
    `Usage: kms-drift ${spec.name}${spec.options.length > 1 ? ' [OPTION]…' : ''}${spec.args ? ` ${spec.args}` : ''}`,
  ];
  lines.push('', `${capitalise(spec.summary)}.`, '', 'Options:');
  for (const r of rows) {
    lines.push(
      r.left.length > width
        ? `  ${r.left}\n  ${' '.repeat(width)}  ${r.right}`
        : `  ${r.left.padEnd(width)}  ${r.right}`,
    );
  }
  for (const d of spec.details ?? []) lines.push('', plain(d));
  return lines.join('\n');
}

/** `--state PATH…`, `-h, --help`. */
export function optionSynopsis(o: CliOption): string {
  const name = `${o.short === undefined ? '' : `-${o.short}, `}--${o.option}`;
  return o.arg === undefined ? name : `${name} ${o.arg}${o.kind === 'list' ? '…' : ''}`;
}

function optionDescription(o: CliOption): string {
  const extras: string[] = [];
  if (o.kind === 'list') extras.push('repeatable');
  const d = o.default;
  if (d !== undefined && !(Array.isArray(d) && d.length === 0) && d !== false) extras.push(`default ${String(d)}`);
  if (o.env !== undefined) extras.push(`env ${o.env}`);
  return `${plain(o.description)}${extras.length > 0 ? ` (${extras.join('; ')})` : ''}`;
}

/** The tables' Markdown code spans read as plain text in a terminal. */
function plain(text: string): string {
  return text.replace(/`([^`]*)`/g, '$1');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
