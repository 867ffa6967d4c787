import { z } from 'zod';
import { parsePriority, PRIORITIES } from '../model/priority.ts';
import { LOG_LEVELS } from './types.ts';
import { parseListen } from './listen.ts';

// Values arrive as text (options, environment) or as YAML scalars (numbers, booleans), so every field accepts both
// and reports the same message whichever way the value was written.

const text = z.string({ error: 'expected text' }).trim().min(1, 'must not be empty');

const list = z.preprocess(
  (v) => (typeof v === 'string' ? [v] : v),
  z.array(text, { error: 'expected a list of text' }),
);

/** Account ids; YAML reads an unquoted 444455556666 as a number, which is still an account id. */
const accountList = z.preprocess(
  (v) => (Array.isArray(v) ? v : [v]).map((x: unknown) => (typeof x === 'number' ? String(x) : x)),
  z.array(text.regex(/^\d{12}$/, 'expected a 12-digit AWS account id'), { error: 'expected a list of account ids' }),
);

/**
 * IAM/STS ARN patterns with `*` as a wildcard (`arn:aws:iam::111122223333:role/terraform-*`). A pattern that is no
 * ARN matches nobody, so a typo would silently switch the Terraform allowlist or break-glass off: refuse it.
 */
export const PRINCIPAL_PATTERN = /^arn:(aws[a-z-]*|\*):(iam|sts|\*)::(\d{12}|[\d*]*\*[\d*]*):\S+$/;

const principalList = z.preprocess(
  (v) => (typeof v === 'string' ? [v] : v),
  z.array(
    text.regex(
      PRINCIPAL_PATTERN,
      'expected an IAM or STS ARN pattern like arn:aws:iam::111122223333:role/name-* (`*` matches any text)',
    ),
    { error: 'expected a list of ARN patterns' },
  ),
);

function integer(min: number, max: number) {
  const range = `a whole number from ${min} to ${max}`;
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: `expected ${range}` })
      .int(`expected ${range}`)
      .min(min, `expected ${range}`)
      .max(max, `expected ${range}`),
  );
}

const boolean = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    const t = v.trim().toLowerCase();
    return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : v;
  },
  z.boolean({ error: 'expected true or false' }),
);

/** The schema of every setting, as loadConfig hands it over: defaults already filled in, lists already split. */
export const configSchema = z.object({
  queueUrl: text
    .refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), 'expected an http(s) URL of an SQS queue')
    .optional(),
  states: list,
  rules: list,
  minPriority: text
    .transform((s, ctx) => {
      const p = parsePriority(s);
      if (p === undefined) ctx.addIssue({ code: 'custom', message: `expected one of ${PRIORITIES.join(', ')}` });
      return p ?? z.NEVER;
    })
    .optional(),
  terraformPrincipals: principalList,
  allowedAccounts: accountList,
  emergencyPrincipals: principalList,
  recoveryPrincipals: principalList,
  recoveryWindowDays: integer(1, 365),
  pollers: integer(1, 64),
  concurrency: integer(1, 10),
  visibilityTimeoutSeconds: integer(1, 43_200),
  waitTimeSeconds: integer(0, 20),
  shutdownTimeoutMs: integer(0, 600_000),
  dedupSize: integer(1, 10_000_000),
  stateReloadSeconds: integer(0, 86_400),
  httpListen: text
    .refine((s) => parseListen(s) !== undefined, 'expected host:port, e.g. 127.0.0.1:9464 or 0.0.0.0:9464')
    .optional(),
  liveKmsReads: boolean,
  backfillSince: text.regex(/^\d+\s*[smhd]$/, 'expected a duration like 90s, 30m, 6h or 2d').optional(),
  checkpointFile: text.optional(),
  lookupPollSeconds: integer(0, 86_400),
  sharedTable: text
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)')
    .optional(),
  dedupRetentionHours: integer(1, 8_760),
  logLevel: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }),
  ),
  messageTimeoutSeconds: integer(1, 43_200),
  awsConnectTimeoutMs: integer(100, 600_000),
  awsResponseTimeoutMs: integer(100, 600_000),
  livenessTimeoutSeconds: integer(1, 86_400).optional(),
  memoryBudgetMb: integer(1, 65_536).optional(),
  maxLogFileMb: integer(1, 4096),
  s3BodyTimeoutMs: integer(100, 600_000),
  httpOutput: text
    .refine(
      (u) => /^https?:\/\//i.test(u) && URL.canParse(u),
      'expected an http(s) URL, e.g. http://falcosidekick:2801/',
    )
    .optional(),
  httpOutputTimeoutMs: integer(100, 600_000),
  httpOutputRetries: integer(0, 10),
});

export type ParsedConfig = z.output<typeof configSchema>;
