import { z } from 'zod';
import { parsePriority, PRIORITIES } from '../model/priority.ts';
import type { Problem } from '../model/problem.ts';
import type { Config } from './types.ts';
import { parseConfigFile, type ConfigFile } from './file.ts';
import { readFileSync } from 'node:fs';

/** Every setting: its option, its environment variable, its default. Docs and `--help` are written from this. */
export const SETTINGS = [
  {
    key: 'queueUrl',
    option: 'queue-url',
    env: 'KMS_DRIFT_QUEUE_URL',
    default: undefined,
    help: 'SQS queue URL (required)',
  },
  {
    key: 'states',
    option: 'state',
    env: 'KMS_DRIFT_STATE',
    default: '',
    help: 'tfstate files, directories or s3://bucket/key (comma-separated in the environment)',
  },
  {
    key: 'rules',
    option: 'rules',
    env: 'KMS_DRIFT_RULES',
    default: '',
    help: 'rule files or directories (default: the bundled rules)',
  },
  {
    key: 'minPriority',
    option: 'min-priority',
    env: 'KMS_DRIFT_MIN_PRIORITY',
    default: undefined,
    help: `least severe priority logged (${PRIORITIES.join(', ')})`,
  },
  {
    key: 'terraformPrincipals',
    option: 'terraform-principal',
    env: 'KMS_DRIFT_TERRAFORM_PRINCIPALS',
    default: '',
    help: "ARN patterns whose changes are Terraform's own",
  },
  {
    key: 'pollers',
    option: 'pollers',
    env: 'KMS_DRIFT_POLLERS',
    default: '2',
    help: 'concurrent receive loops (10 messages each)',
  },
  {
    key: 'visibilityTimeoutSeconds',
    option: 'visibility-timeout',
    env: 'KMS_DRIFT_VISIBILITY_TIMEOUT',
    default: '60',
    help: 'seconds a message stays invisible while worked on',
  },
  {
    key: 'waitTimeSeconds',
    option: 'wait-time',
    env: 'KMS_DRIFT_WAIT_TIME',
    default: '20',
    help: 'long-poll wait in seconds (0-20)',
  },
  {
    key: 'shutdownTimeoutMs',
    option: 'shutdown-timeout-ms',
    env: 'KMS_DRIFT_SHUTDOWN_TIMEOUT_MS',
    default: '20000',
    help: 'time in-flight messages get on SIGTERM',
  },
  {
    key: 'dedupSize',
    option: 'dedup-size',
    env: 'KMS_DRIFT_DEDUP_SIZE',
    default: '100000',
    help: 'CloudTrail eventIDs remembered to drop duplicates',
  },
  {
    key: 'stateReloadSeconds',
    option: 'state-reload-seconds',
    env: 'KMS_DRIFT_STATE_RELOAD_SECONDS',
    default: '30',
    help: 'seconds between checks for changed states (file mtime and size, S3 ETag); 0 = never',
  },
  {
    key: 'backfillSince',
    option: 'since',
    env: 'KMS_DRIFT_BACKFILL_SINCE',
    default: undefined,
    help: 'on start, read CloudTrail LookupEvents this far back (90s, 30m, 6h, 2d) when there is no checkpoint',
  },
  {
    key: 'checkpointFile',
    option: 'checkpoint-file',
    env: 'KMS_DRIFT_CHECKPOINT_FILE',
    default: undefined,
    help: 'file that remembers up to when LookupEvents was read, across restarts',
  },
  {
    key: 'lookupPollSeconds',
    option: 'lookup-poll-seconds',
    env: 'KMS_DRIFT_LOOKUP_POLL_SECONDS',
    default: '0',
    help: 'read LookupEvents every N seconds (poll mode, with or without a queue); 0 = off',
  },
  {
    key: 'liveKmsReads',
    option: 'live-kms-reads',
    env: 'KMS_DRIFT_LIVE_KMS_READS',
    default: 'false',
    help: 'read each changed key through the KMS API (cached 60 s, at most 10 calls/s) to compare every attribute',
  },
  {
    key: 'httpListen',
    option: 'http-listen',
    env: 'KMS_DRIFT_HTTP_LISTEN',
    default: undefined,
    help: 'host:port for /metrics, /healthz, /readyz',
  },
] as const;

const LIST_KEYS = new Set(['states', 'rules', 'terraformPrincipals']);

const schema = z
  .object({
    queueUrl: z
      .string()
      .refine((u) => URL.canParse(u), 'not a URL')
      .optional(),
    states: z.array(z.string().min(1)),
    rules: z.array(z.string().min(1)),
    minPriority: z
      .string()
      .transform(
        (s, ctx) => parsePriority(s) ?? (ctx.addIssue({ code: 'custom', message: `unknown priority '${s}'` }), z.NEVER),
      )
      .optional(),
    terraformPrincipals: z.array(z.string().min(1)),
    pollers: z.coerce.number().int().min(1).max(64),
    visibilityTimeoutSeconds: z.coerce.number().int().min(1).max(43200),
    waitTimeSeconds: z.coerce.number().int().min(0).max(20),
    shutdownTimeoutMs: z.coerce.number().int().min(0).max(600_000),
    dedupSize: z.coerce.number().int().min(1).max(10_000_000),
    stateReloadSeconds: z.coerce.number().int().min(0).max(86_400),
    backfillSince: z
      .string()
      .regex(/^\d+\s*[smhd]$/, 'expected a duration like 90s, 30m, 6h or 2d')
      .optional(),
    checkpointFile: z.string().min(1).optional(),
    lookupPollSeconds: z.coerce.number().int().min(0).max(86_400),
    liveKmsReads: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]),
    httpListen: z
      .string()
      .regex(/^[^:]*:\d{1,5}$/, 'expected host:port')
      .optional(),
  })
  // Without a queue the daemon can still poll LookupEvents; with neither it would do nothing.
  .refine((c) => c.queueUrl !== undefined || c.lookupPollSeconds > 0, {
    path: ['queueUrl'],
    message: 'no queue: set --queue-url or KMS_DRIFT_QUEUE_URL (or --lookup-poll-seconds, or use --local)',
  });

export type Options = Readonly<Record<string, string | readonly string[] | boolean | undefined>>;

/** Options beat the environment, the environment beats defaults; every problem is reported at once. */
export function loadConfig(
  options: Options,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): { config: Config } | { problems: Problem[] } {
  const raw: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  // Lowest precedence after the defaults: the YAML file named by --config / KMS_DRIFT_CONFIG.
  const filePath = typeof options['config'] === 'string' ? options['config'] : env['KMS_DRIFT_CONFIG'];
  let file: ConfigFile | undefined;
  if (filePath !== undefined && filePath !== '') {
    try {
      file = parseConfigFile(filePath, readFile(filePath), new Set(SETTINGS.map((s) => s.key)));
    } catch (err: unknown) {
      return {
        problems: [
          {
            code: 'CONFIG_INVALID',
            severity: 'error',
            source: filePath,
            message: err instanceof Error ? err.message : String(err),
          },
        ],
      };
    }
    if (file.problems.length > 0) return { problems: file.problems };
  }
  for (const s of SETTINGS) {
    const fromOption = options[s.option];
    const fromEnv = env[s.env];
    const isList = LIST_KEYS.has(s.key);
    if (fromOption !== undefined && !(Array.isArray(fromOption) && fromOption.length === 0)) {
      raw[s.key] = isList ? [fromOption].flat() : fromOption;
      origin.set(s.key, `--${s.option}`);
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raw[s.key] = isList
        ? fromEnv
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x !== '')
        : fromEnv;
      origin.set(s.key, `env ${s.env}`);
    } else if (file?.values.has(s.key) === true) {
      const entry = file.values.get(s.key);
      raw[s.key] = LIST_KEYS.has(s.key) ? [entry?.value].flat() : entry?.value;
      origin.set(s.key, entry?.where ?? '');
    } else if (s.default !== undefined) {
      raw[s.key] = isList ? [] : s.default;
      origin.set(s.key, 'default');
    }
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) {
    const { minPriority, httpListen, queueUrl, backfillSince, checkpointFile, ...rest } = parsed.data;
    return {
      config: {
        ...rest,
        ...(queueUrl === undefined ? {} : { queueUrl }),
        ...(minPriority === undefined ? {} : { minPriority }),
        ...(httpListen === undefined ? {} : { httpListen }),
        ...(backfillSince === undefined ? {} : { backfillSince }),
        ...(checkpointFile === undefined ? {} : { checkpointFile }),
      },
    };
  }
  return {
    problems: parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      return {
        code: 'CONFIG_INVALID',
        severity: 'error',
        source: origin.get(key) ?? key,
        message: `${key}: ${issue.message}`,
      };
    }),
  };
}
