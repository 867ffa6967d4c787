import { readFileSync } from 'node:fs';
import type { Problem } from '../model/problem.ts';
import type { Config } from './types.ts';
import { parseConfigFile, type Position } from './file.ts';
import { configSchema, type ParsedConfig } from './schema.ts';
import { CONFIG_FILE_SETTING, SETTINGS, type Setting } from './settings.ts';

export { SETTINGS, CONFIG_FILE_SETTING, settingsMarkdownTable, type Setting } from './settings.ts';

export type Options = Readonly<Record<string, string | readonly string[] | boolean | undefined>>;

export interface LoadInput {
  /** Parsed command-line options, keyed by option name without `--` (`queue-url`, `state`, `config`). */
  readonly options: Options;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads the YAML config file; the only I/O of loading. Default: the file system. */
  readonly readFile?: (path: string) => string;
}

export type LoadResult =
  { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly problems: Problem[] };

/** Where a value came from: an option, a variable, a place in the file, or the default. */
type Origin =
  | { readonly kind: 'option' | 'env' | 'default'; readonly text: string }
  | { readonly kind: 'file'; readonly path: string; readonly at: Position; readonly items: readonly Position[] };

/**
 * Options beat the environment, which beats the YAML file, which beats the defaults. Every problem is reported at
 * once, each naming the setting and where its value came from (`--pollers`, `env KMS_DRIFT_POLLERS`,
 * `config.yaml:3:10`).
 */
export function loadConfig(input: LoadInput): LoadResult;
/** @deprecated The positional form the daemon was first written against; use `loadConfig({ options, env })`. */
export function loadConfig(options: Options, env: LoadInput['env'], readFile?: (path: string) => string): LoadResult;
export function loadConfig(
  first: LoadInput | Options,
  env?: LoadInput['env'],
  readFile?: (path: string) => string,
): LoadResult {
  const input: LoadInput =
    env === undefined
      ? (first as LoadInput)
      : { options: first as Options, env, ...(readFile === undefined ? {} : { readFile }) };
  return load(input);
}

function load({ options, env, readFile = (p) => readFileSync(p, 'utf8') }: LoadInput): LoadResult {
  const problems: Problem[] = [];
  const fileOption = options[CONFIG_FILE_SETTING.option];
  const filePath = typeof fileOption === 'string' ? fileOption : nonEmpty(env[CONFIG_FILE_SETTING.env]);
  let file: ReturnType<typeof parseConfigFile> | undefined;
  if (filePath !== undefined) {
    const where = typeof fileOption === 'string' ? `--${CONFIG_FILE_SETTING.option}` : `env ${CONFIG_FILE_SETTING.env}`;
    let text: string | undefined;
    try {
      text = readFile(filePath);
    } catch (err: unknown) {
      problems.push(invalid(where, `config file ${filePath} could not be read: ${errorText(err)}`));
    }
    if (text !== undefined) {
      file = parseConfigFile(filePath, text, new Set(SETTINGS.map((s) => s.name)));
      problems.push(...file.problems);
    }
  }

  const raw: Record<string, unknown> = {};
  const origins = new Map<string, Origin>();
  for (const s of SETTINGS) {
    const picked = pick(s, options, env, file?.values.get(s.name), filePath);
    if (picked === undefined) continue;
    raw[s.name] = picked.value;
    origins.set(s.name, picked.origin);
  }

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '');
      const item = typeof issue.path[1] === 'number' ? issue.path[1] : undefined;
      problems.push(located(name, item, issue.message, raw[name], origins.get(name)));
    }
  }
  // A broken file may be what holds the queue URL: then "no queue" would be noise on top of the real problem.
  if (
    parsed.success &&
    problems.length === 0 &&
    parsed.data.queueUrl === undefined &&
    parsed.data.lookupPollSeconds === 0
  ) {
    problems.push(
      invalid(
        'settings',
        'queueUrl: no queue: set --queue-url or KMS_DRIFT_QUEUE_URL (or lookupPollSeconds > 0 to poll LookupEvents, or use --local)',
      ),
    );
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, config: toConfig(parsed.data) };
}

function pick(
  s: Setting,
  options: Options,
  env: LoadInput['env'],
  fromFile: { value: unknown; at: Position; items: readonly Position[] } | undefined,
  filePath: string | undefined,
): { value: unknown; origin: Origin } | undefined {
  const option = options[s.option];
  if (option !== undefined && !(Array.isArray(option) && option.length === 0)) {
    return { value: option, origin: { kind: 'option', text: `--${s.option}` } };
  }
  const variable = nonEmpty(env[s.env]);
  if (variable !== undefined) {
    const value =
      s.kind === 'list'
        ? variable
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x !== '')
        : variable;
    return { value, origin: { kind: 'env', text: `env ${s.env}` } };
  }
  if (fromFile !== undefined && filePath !== undefined) {
    return { value: fromFile.value, origin: { kind: 'file', path: filePath, at: fromFile.at, items: fromFile.items } };
  }
  if (s.default !== undefined) return { value: s.default, origin: { kind: 'default', text: 'default' } };
  return undefined;
}

function located(
  name: string,
  item: number | undefined,
  message: string,
  value: unknown,
  origin: Origin | undefined,
): Problem {
  const shown = item === undefined ? value : Array.isArray(value) ? value[item] : value;
  const text = `${name}${item === undefined ? '' : `[${item}]`}: ${message}${describe(shown)}`;
  if (origin?.kind === 'file') {
    const at = (item === undefined ? undefined : origin.items[item]) ?? origin.at;
    return { code: 'CONFIG_INVALID', severity: 'error', source: origin.path, ...at, message: text };
  }
  return invalid(origin?.text ?? name, text);
}

function describe(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'object') return '';
  const s = JSON.stringify(value);
  return `, got ${s.length > 60 ? `${s.slice(0, 57)}...` : s}`;
}

function invalid(source: string, message: string): Problem {
  return { code: 'CONFIG_INVALID', severity: 'error', source, message };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** exactOptionalPropertyTypes: an absent optional setting must be absent, not `undefined`. */
function toConfig(d: ParsedConfig): Config {
  const {
    queueUrl,
    minPriority,
    httpListen,
    backfillSince,
    checkpointFile,
    livenessTimeoutSeconds,
    memoryBudgetMb,
    sharedTable,
    httpOutput,
    ...rest
  } = d;
  return {
    ...rest,
    ...(queueUrl === undefined ? {} : { queueUrl }),
    ...(minPriority === undefined ? {} : { minPriority }),
    ...(httpListen === undefined ? {} : { httpListen: httpListen.trim() }),
    ...(backfillSince === undefined ? {} : { backfillSince }),
    ...(checkpointFile === undefined ? {} : { checkpointFile }),
    ...(livenessTimeoutSeconds === undefined ? {} : { livenessTimeoutSeconds }),
    ...(memoryBudgetMb === undefined ? {} : { memoryBudgetMb }),
    ...(sharedTable === undefined ? {} : { sharedTable }),
    ...(httpOutput === undefined ? {} : { httpOutput }),
  };
}
