import { configSchema, type ParsedConfig } from '../config/schema.ts';
import { SETTINGS } from '../config/settings.ts';
import type { Config } from '../config/types.ts';
import { parsePriority, type Priority } from '../model/priority.ts';
import { CORE_SETTINGS, OUTPUT_FORMATS, type OutputFormat } from './options.ts';
import type { OptionValues } from './parse.ts';
import { UsageError } from './parse.ts';
import type { SetupOptions } from './setup.ts';

/**
 * The settings a command shares with `run`, from its options, validated by the schema `run` uses for its options,
 * environment and config file: `--allowed-account partner` and `--emergency-principal notanarn` are refused the same
 * way everywhere. Unset settings take the table's default. Every invalid value is listed, one line each.
 */
export function commandSettings<const N extends keyof Config>(
  values: OptionValues,
  names: readonly N[],
): Pick<ParsedConfig, N> {
  const raw: Record<string, unknown> = {};
  const optionOf = new Map<string, string>();
  for (const name of names) {
    const row = SETTINGS.find((s) => s.name === name);
    if (row === undefined) throw new Error(`no setting ${name}`);
    optionOf.set(name, row.option);
    const given = values[row.option];
    const value = given === undefined || (Array.isArray(given) && given.length === 0) ? row.default : given;
    if (value !== undefined) raw[name] = value;
  }
  // Every named setting with a default is present in `raw`, so the partial schema checks exactly those.
  const parsed = configSchema.partial().safeParse(raw);
  if (parsed.success) return parsed.data as unknown as Pick<ParsedConfig, N>;
  const lines = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    const value = raw[name];
    const item = typeof issue.path[1] === 'number' && Array.isArray(value) ? value[issue.path[1]] : value;
    const shown = typeof item === 'string' || typeof item === 'number' ? ` '${String(item)}'` : '';
    return `--${optionOf.get(name) ?? name}: ${issue.message}${shown === '' ? '' : `, got${shown}`}`;
  });
  throw new UsageError(lines.join('\n'));
}

/** What replay and scan take: the core's settings, `--fail-on` and `--format`. */
export interface CoreCommandOptions {
  readonly setup: SetupOptions;
  readonly failOn?: Priority;
  readonly format?: OutputFormat;
}

export function coreCommandOptions(values: OptionValues): CoreCommandOptions {
  const s = commandSettings(values, CORE_SETTINGS);
  const failOn = priority(values['fail-on'], 'fail-on');
  const format = values['format'];
  return {
    setup: {
      states: s.states,
      rules: s.rules,
      terraformPrincipals: s.terraformPrincipals,
      allowedAccounts: s.allowedAccounts,
      emergencyPrincipals: s.emergencyPrincipals,
      recoveryPrincipals: s.recoveryPrincipals,
      recoveryWindowDays: s.recoveryWindowDays,
      ...(s.minPriority === undefined ? {} : { minPriority: s.minPriority }),
    },
    ...(failOn === undefined ? {} : { failOn }),
    ...(typeof format === 'string' ? { format: outputFormat(format) } : {}),
  };
}

function priority(value: OptionValues[string], name: string): Priority | undefined {
  if (typeof value !== 'string') return undefined;
  const p = parsePriority(value);
  if (p === undefined) throw new UsageError(`--${name}: unknown priority '${value}'`);
  return p;
}

function outputFormat(value: string): OutputFormat {
  const f = OUTPUT_FORMATS.find((x) => x === value.toLowerCase());
  if (f === undefined) throw new UsageError(`--format: '${value}' is not one of ${OUTPUT_FORMATS.join(', ')}`);
  return f;
}
