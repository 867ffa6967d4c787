import { describe, expect, it } from 'vitest';
import { loadConfig, SETTINGS, type LoadResult, type Options } from '../../src/config/load.ts';
import { parseListen } from '../../src/config/listen.ts';
import { formatProblem } from '../../src/model/problem.ts';

const QUEUE = 'https://sqs.us-west-2.amazonaws.com/111122223333/kms-drift';

function withFiles(files: Record<string, string>): (path: string) => string {
  return (p) => {
    const text = files[p];
    if (text === undefined) throw new Error(`ENOENT: no such file, open '${p}'`);
    return text;
  };
}

function load(options: Options, env: Record<string, string>, files: Record<string, string> = {}): LoadResult {
  return loadConfig({ options, env, readFile: withFiles(files) });
}

/** Problems as the user sees them on stderr. */
function problems(result: LoadResult): string[] {
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('configuration: options > environment > YAML file > defaults', () => {
  it('the defaults, with nothing but a queue', () => {
    expect(load({}, { KMS_DRIFT_QUEUE_URL: QUEUE })).toEqual({
      ok: true,
      config: {
        queueUrl: QUEUE,
        states: [],
        rules: [],
        terraformPrincipals: [],
        allowedAccounts: [],
        emergencyPrincipals: [],
        recoveryPrincipals: [],
        recoveryWindowDays: 7,
        pollers: 1,
        concurrency: 10,
        visibilityTimeoutSeconds: 60,
        waitTimeSeconds: 20,
        shutdownTimeoutMs: 20000,
        dedupSize: 100000,
        stateReloadSeconds: 60,
        liveKmsReads: false,
        lookupPollSeconds: 0,
        logLevel: 'info',
        messageTimeoutSeconds: 120,
        awsConnectTimeoutMs: 5000,
        awsResponseTimeoutMs: 30000,
        maxLogFileMb: 512,
        s3BodyTimeoutMs: 10000,
        dedupRetentionHours: 168,
        httpOutputTimeoutMs: 5000,
        httpOutputRetries: 3,
      },
    });
  });

  it('an allowed account that is not an account id is refused with where it came from', () => {
    const result = load({}, { KMS_DRIFT_QUEUE_URL: QUEUE, KMS_DRIFT_ALLOWED_ACCOUNTS: '444455556666,vendor' });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toMatch(/KMS_DRIFT_ALLOWED_ACCOUNTS.*12-digit AWS account id/);
  });

  const file = { 'kms-drift.yaml': `queueUrl: ${QUEUE}\npollers: 4\n` };
  it.each([
    { from: 'default', options: {}, env: {}, pollers: 1 },
    { from: 'file', options: {}, env: { KMS_DRIFT_CONFIG: 'kms-drift.yaml' }, pollers: 4 },
    { from: 'env', options: {}, env: { KMS_DRIFT_CONFIG: 'kms-drift.yaml', KMS_DRIFT_POLLERS: '6' }, pollers: 6 },
    {
      from: 'option',
      options: { pollers: '8' },
      env: { KMS_DRIFT_CONFIG: 'kms-drift.yaml', KMS_DRIFT_POLLERS: '6' },
      pollers: 8,
    },
    { from: '--config names the file', options: { config: 'kms-drift.yaml' }, env: {}, pollers: 4 },
    {
      from: 'an empty variable is unset',
      options: {},
      env: { KMS_DRIFT_CONFIG: 'kms-drift.yaml', KMS_DRIFT_POLLERS: '' },
      pollers: 4,
    },
  ])('pollers from the $from', ({ options, env, pollers }) => {
    const result = load(
      options,
      {
        KMS_DRIFT_LOOKUP_POLL_SECONDS: '0',
        ...env,
        ...(env.KMS_DRIFT_CONFIG || options.config ? {} : { KMS_DRIFT_QUEUE_URL: QUEUE }),
      },
      file,
    );
    expect(result).toMatchObject({ ok: true, config: { pollers } });
  });

  it.each([
    { how: 'env, comma-separated', options: {}, env: { KMS_DRIFT_STATE: 'a.tfstate, s3://b/k.tfstate,,' }, files: {} },
    { how: 'repeated option', options: { state: ['a.tfstate', 's3://b/k.tfstate'] }, env: {}, files: {} },
    {
      how: 'YAML list',
      options: {},
      env: { KMS_DRIFT_CONFIG: 'c.yaml' },
      files: { 'c.yaml': 'states:\n  - a.tfstate\n  - s3://b/k.tfstate\n' },
    },
  ])('lists: $how', ({ options, env, files }) => {
    const result = load(options, { KMS_DRIFT_QUEUE_URL: QUEUE, ...env }, files);
    expect(result).toMatchObject({ ok: true, config: { states: ['a.tfstate', 's3://b/k.tfstate'] } });
  });

  it.each([
    { value: 'true', expected: true },
    { value: 'FALSE', expected: false },
    { value: '1', expected: true },
  ])('booleans from the environment: $value', ({ value, expected }) => {
    expect(load({}, { KMS_DRIFT_QUEUE_URL: QUEUE, KMS_DRIFT_LIVE_KMS_READS: value })).toMatchObject({
      config: { liveKmsReads: expected },
    });
  });

  it('YAML scalars keep their types; every setting can be written in the file', () => {
    const yaml = [
      `queueUrl: ${QUEUE}`,
      'states: [a.tfstate]',
      'rules: [rules/]',
      'minPriority: warning',
      'terraformPrincipals: "arn:aws:iam::111122223333:role/terraform-*"',
      // Unquoted, YAML reads an account id as a number.
      'allowedAccounts: [444455556666, "777788889999"]',
      'emergencyPrincipals: ["arn:aws:iam::111122223333:role/EmergencyKeyAdmin"]',
      'recoveryPrincipals: ["arn:aws:iam::111122223333:role/SecurityRecovery"]',
      'recoveryWindowDays: 3',
      'pollers: 2',
      'concurrency: 5',
      'visibilityTimeoutSeconds: 120',
      'waitTimeSeconds: 10',
      'shutdownTimeoutMs: 5000',
      'dedupSize: 10',
      'stateReloadSeconds: 0',
      'httpListen: 127.0.0.1:9464',
      'liveKmsReads: true',
      'backfillSince: 6h',
      'checkpointFile: /tmp/checkpoint.json',
      'lookupPollSeconds: 30',
      'logLevel: debug',
      'messageTimeoutSeconds: 300',
      'awsConnectTimeoutMs: 2000',
      'awsResponseTimeoutMs: 10000',
      'livenessTimeoutSeconds: 600',
      'memoryBudgetMb: 64',
      'maxLogFileMb: 100',
      's3BodyTimeoutMs: 5000',
      'sharedTable: kms-drift',
      'dedupRetentionHours: 48',
      'httpOutput: http://falcosidekick:2801/',
      'httpOutputTimeoutMs: 2000',
      'httpOutputRetries: 0',
    ].join('\n');
    expect(yaml.split('\n').map((l) => l.split(':')[0])).toEqual(SETTINGS.map((s) => s.name));
    expect(load({}, { KMS_DRIFT_CONFIG: 'c.yaml' }, { 'c.yaml': yaml })).toEqual({
      ok: true,
      config: {
        queueUrl: QUEUE,
        states: ['a.tfstate'],
        rules: ['rules/'],
        minPriority: 'Warning',
        terraformPrincipals: ['arn:aws:iam::111122223333:role/terraform-*'],
        allowedAccounts: ['444455556666', '777788889999'],
        emergencyPrincipals: ['arn:aws:iam::111122223333:role/EmergencyKeyAdmin'],
        recoveryPrincipals: ['arn:aws:iam::111122223333:role/SecurityRecovery'],
        recoveryWindowDays: 3,
        pollers: 2,
        concurrency: 5,
        visibilityTimeoutSeconds: 120,
        waitTimeSeconds: 10,
        shutdownTimeoutMs: 5000,
        dedupSize: 10,
        stateReloadSeconds: 0,
        httpListen: '127.0.0.1:9464',
        liveKmsReads: true,
        backfillSince: '6h',
        checkpointFile: '/tmp/checkpoint.json',
        lookupPollSeconds: 30,
        logLevel: 'debug',
        messageTimeoutSeconds: 300,
        awsConnectTimeoutMs: 2000,
        awsResponseTimeoutMs: 10000,
        livenessTimeoutSeconds: 600,
        memoryBudgetMb: 64,
        maxLogFileMb: 100,
        s3BodyTimeoutMs: 5000,
        sharedTable: 'kms-drift',
        dedupRetentionHours: 48,
        httpOutput: 'http://falcosidekick:2801/',
        httpOutputTimeoutMs: 2000,
        httpOutputRetries: 0,
      },
    });
  });
});

describe('every problem at once, each saying which setting and where its value came from', () => {
  it('options, environment and file positions in one report', () => {
    const yaml = [
      '# kms-drift settings', //                         line 1
      'pollers: lots', //                                line 2, value at column 10
      'visibilityTimeoutSeconds: 0', //                  line 3, value at column 27
      'states:', //                                      line 4
      '  - a.tfstate', //                                line 5
      '  - 42', //                                       line 6, item at column 5
      'colour: blue', //                                 line 7: unknown
      'liveKmsReads: maybe', //                          line 8, value at column 15
    ].join('\n');
    const result = load(
      { 'http-listen': ':9464', 'min-priority': 'loud' },
      {
        KMS_DRIFT_CONFIG: 'config.yaml',
        KMS_DRIFT_QUEUE_URL: 'not a url',
        KMS_DRIFT_CONCURRENCY: '2.5',
        KMS_DRIFT_BACKFILL_SINCE: 'a while',
        KMS_DRIFT_LOG_LEVEL: 'chatty',
      },
      { 'config.yaml': yaml },
    );
    expect(problems(result)).toEqual([
      expect.stringMatching(/^config\.yaml:7:1 CONFIG_INVALID unknown setting "colour" \(known: queueUrl, /),
      'env KMS_DRIFT_QUEUE_URL CONFIG_INVALID queueUrl: expected an http(s) URL of an SQS queue, got "not a url"',
      expect.stringMatching(/^config\.yaml:6:5 CONFIG_INVALID states\[1\]: expected text, got 42$/),
      '--min-priority CONFIG_INVALID minPriority: expected one of Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug, got "loud"',
      'config.yaml:2:10 CONFIG_INVALID pollers: expected a whole number from 1 to 64, got "lots"',
      'env KMS_DRIFT_CONCURRENCY CONFIG_INVALID concurrency: expected a whole number from 1 to 10, got "2.5"',
      'config.yaml:3:27 CONFIG_INVALID visibilityTimeoutSeconds: expected a whole number from 1 to 43200, got 0',
      '--http-listen CONFIG_INVALID httpListen: expected host:port, e.g. 127.0.0.1:9464 or 0.0.0.0:9464, got ":9464"',
      'config.yaml:8:15 CONFIG_INVALID liveKmsReads: expected true or false, got "maybe"',
      'env KMS_DRIFT_BACKFILL_SINCE CONFIG_INVALID backfillSince: expected a duration like 90s, 30m, 6h or 2d, got "a while"',
      'env KMS_DRIFT_LOG_LEVEL CONFIG_INVALID logLevel: expected one of fatal, error, warn, info, debug, trace, silent, got "chatty"',
    ]);
  });

  it('a file that does not parse: every YAML error with its position, and the other sources still checked', () => {
    const result = load(
      {},
      { KMS_DRIFT_CONFIG: 'broken.yaml', KMS_DRIFT_POLLERS: '0' },
      { 'broken.yaml': 'pollers: 2\npollers: 3\nstates: [a\n' },
    );
    const shown = problems(result);
    expect(shown[0]).toMatch(/^broken\.yaml:2:1 CONFIG_INVALID Map keys must be unique/);
    expect(shown.at(-1)).toBe(
      'env KMS_DRIFT_POLLERS CONFIG_INVALID pollers: expected a whole number from 1 to 64, got "0"',
    );
    // The queue may be in the broken file: no "no queue" problem on top.
    expect(shown.join('\n')).not.toMatch(/no queue/);
  });

  it.each([
    {
      what: 'unreadable file',
      env: { KMS_DRIFT_CONFIG: 'missing.yaml' },
      options: {},
      expected: /^env KMS_DRIFT_CONFIG CONFIG_INVALID config file missing\.yaml could not be read: ENOENT/,
    },
    {
      what: 'unreadable file from --config',
      env: {},
      options: { config: 'missing.yaml' },
      expected: /^--config CONFIG_INVALID config file missing\.yaml/,
    },
    {
      what: 'not a map',
      env: { KMS_DRIFT_CONFIG: 'list.yaml' },
      options: {},
      expected: /^list\.yaml:1:1 CONFIG_INVALID the config file must be a map of settings$/,
    },
    {
      what: '__proto__ is just an unknown key',
      env: { KMS_DRIFT_CONFIG: 'proto.yaml' },
      options: {},
      expected: /^proto\.yaml:2:1 CONFIG_INVALID unknown setting "__proto__"/,
    },
    {
      what: 'an empty value',
      env: { KMS_DRIFT_CONFIG: 'empty.yaml' },
      options: {},
      expected: /^empty\.yaml:1:10 CONFIG_INVALID queueUrl: expected text$/,
    },
    {
      what: 'no queue, no polling',
      env: {},
      options: {},
      expected: /^settings CONFIG_INVALID queueUrl: no queue: set --queue-url or KMS_DRIFT_QUEUE_URL/,
    },
  ])('$what', ({ env, options, expected }) => {
    const files = {
      'list.yaml': '- pollers: 2\n',
      'proto.yaml': `queueUrl: ${QUEUE}\n__proto__: { pollers: 9 }\n`,
      'empty.yaml': 'queueUrl:\n',
    };
    const result = load(options, env, files);
    expect(problems(result)[0]).toMatch(expected);
    expect(({} as Record<string, unknown>)['pollers']).toBeUndefined();
  });

  it('polling LookupEvents replaces the queue', () => {
    expect(load({}, { KMS_DRIFT_LOOKUP_POLL_SECONDS: '60' })).toMatchObject({
      ok: true,
      config: { lookupPollSeconds: 60 },
    });
  });

  it('the positional form the daemon was first written against still works', () => {
    expect(loadConfig({ 'queue-url': QUEUE }, {})).toMatchObject({ ok: true, config: { queueUrl: QUEUE } });
  });
});

describe('httpListen binds exactly where configured', () => {
  it.each([
    { text: '127.0.0.1:9464', expected: { host: '127.0.0.1', port: 9464 } },
    { text: '0.0.0.0:9464', expected: { host: '0.0.0.0', port: 9464 } },
    { text: 'localhost:0', expected: { host: 'localhost', port: 0 } },
    { text: '[::1]:9464', expected: { host: '::1', port: 9464 } },
    { text: ':9464', expected: undefined },
    { text: '9464', expected: undefined },
    { text: '127.0.0.1:70000', expected: undefined },
    { text: '::1:9464', expected: undefined },
  ])('$text', ({ text, expected }) => {
    expect(parseListen(text)).toEqual(expected);
  });
});
