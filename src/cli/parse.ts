import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { CommandSpec } from './commands.ts';
import type { CliOption } from './options.ts';

/** A mistake on the command line: one line on stderr, with a hint, and exit 2. */
export class UsageError extends Error {
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

export type OptionValues = Record<string, string | string[] | boolean | undefined>;

export interface ParsedCommand {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/**
 * The options of `spec` from its table (node:util parseArgs does the tokenizing), with our own one-line messages:
 * parseArgs' strict-mode messages are long, and name no alternative. `--help` anywhere wins over every other mistake.
 */
export function parseCommand(spec: CommandSpec, args: readonly string[]): ParsedCommand {
  const config: ParseArgsOptionsConfig = {};
  for (const o of spec.options) {
    config[o.option] = {
      type: o.kind === 'boolean' ? 'boolean' : 'string',
      ...(o.kind === 'list' ? { multiple: true } : {}),
      ...(o.short === undefined ? {} : { short: o.short }),
    };
  }
  const { values, positionals, tokens } = parseArgs({
    args: [...args],
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const help = tokens.some((t) => t.kind === 'option' && t.name === 'help');
  if (help) return { values, positionals, help };
  const byName = new Map(spec.options.map((o) => [o.option, o]));
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const option = byName.get(t.name);
    if (option === undefined)
      throw new UsageError(`unknown option '${t.rawName}'${suggest(t.name, spec.options)}`, spec.name);
    if (option.kind === 'boolean') {
      if (t.inlineValue === true) throw new UsageError(`${t.rawName} takes no value`, spec.name);
      continue;
    }
    if (t.value === undefined) throw new UsageError(`${t.rawName} needs a value (${option.arg ?? 'VALUE'})`, spec.name);
    // Non-strict parseArgs takes the next word as the value even when it is an option: `--state --rules r`.
    if (t.inlineValue === false && t.value.startsWith('--') && byName.has(t.value.slice(2).split('=')[0] ?? '')) {
      throw new UsageError(
        `${t.rawName} needs a value (${option.arg ?? 'VALUE'}), got the option ${t.value}`,
        spec.name,
      );
    }
    if (option.choices !== undefined && !option.choices.includes(t.value.toLowerCase())) {
      throw new UsageError(`${t.rawName}: '${t.value}' is not one of ${option.choices.join(', ')}`, spec.name);
    }
  }
  if (spec.args === undefined && positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0] ?? ''}' (${spec.name} takes only options)`, spec.name);
  }
  if (positionals.length < (spec.minArgs ?? 0)) {
    throw new UsageError(`missing ${spec.args ?? 'arguments'}`, spec.name);
  }
  return { values, positionals, help };
}

/** ` (did you mean --state?)` for a near miss, else nothing. */
function suggest(name: string, options: readonly CliOption[]): string {
  let best: { option: string; distance: number } | undefined;
  for (const o of options) {
    const d = o.option.startsWith(name) || name.startsWith(o.option) ? 1 : distance(name, o.option);
    if (best === undefined || d < best.distance) best = { option: o.option, distance: d };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(name.length / 3))
    ? ` (did you mean --${best.option}?)`
    : '';
}

/** Levenshtein distance: option names are short, so the quadratic table is tiny. */
export function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((row[j - 1] ?? 0) + 1, (previous[j] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
