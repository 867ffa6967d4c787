import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';

const files: Record<string, string> = {
  'good.yaml':
    'queueUrl: https://sqs.us-west-2.amazonaws.com/111122223333/from-file\npollers: 4\nstates:\n  - a.tfstate\n  - s3://b/k.tfstate\n',
  'bad.yaml': 'pollers: lots\nvisibilityTimeoutSeconds: 0\nqueueUrl: https://x/q\ncolour: blue\n',
};
const read = (p: string): string => {
  const text = files[p];
  if (text === undefined) throw new Error(`ENOENT: ${p}`);
  return text;
};

describe('configuration: options > environment > YAML file > defaults', () => {
  it('defaults, and the environment', () => {
    const result = loadConfig(
      {},
      { KMS_DRIFT_QUEUE_URL: 'https://sqs.us-west-2.amazonaws.com/1/q', KMS_DRIFT_STATE: 'a.tfstate, b.tfstate' },
    );
    expect(result).toEqual({
      config: expect.objectContaining({
        queueUrl: 'https://sqs.us-west-2.amazonaws.com/1/q',
        states: ['a.tfstate', 'b.tfstate'],
        pollers: 2,
        visibilityTimeoutSeconds: 60,
        liveKmsReads: false,
        lookupPollSeconds: 0,
      }),
    });
  });

  it('an option beats the environment, which beats the file', () => {
    const result = loadConfig(
      { pollers: '8' },
      { KMS_DRIFT_CONFIG: 'good.yaml', KMS_DRIFT_POLLERS: '6', KMS_DRIFT_LIVE_KMS_READS: 'true' },
      read,
    );
    expect(result).toEqual({
      config: expect.objectContaining({
        pollers: 8,
        liveKmsReads: true,
        queueUrl: 'https://sqs.us-west-2.amazonaws.com/111122223333/from-file',
        states: ['a.tfstate', 's3://b/k.tfstate'],
      }),
    });
  });

  it('every problem at once, each saying where the value came from', () => {
    const result = loadConfig(
      { 'http-listen': 'nope' },
      { KMS_DRIFT_MIN_PRIORITY: 'loud', KMS_DRIFT_QUEUE_URL: 'q', KMS_DRIFT_BACKFILL_SINCE: 'a while' },
    );
    expect('problems' in result && result.problems.map((p) => `${p.source} ${p.message}`)).toEqual([
      expect.stringMatching(/^env KMS_DRIFT_QUEUE_URL queueUrl: not a URL/),
      expect.stringMatching(/^env KMS_DRIFT_MIN_PRIORITY minPriority: unknown priority 'loud'/),
      expect.stringMatching(/^env KMS_DRIFT_BACKFILL_SINCE backfillSince: expected a duration/),
      expect.stringMatching(/^--http-listen httpListen: expected host:port/),
    ]);
  });

  it('file errors point at file:line:col; unknown keys are errors', () => {
    const unknown = loadConfig({}, { KMS_DRIFT_CONFIG: 'bad.yaml' }, read);
    expect('problems' in unknown && unknown.problems).toMatchObject([
      { source: 'bad.yaml', line: 4, column: 1, message: expect.stringMatching(/unknown setting 'colour'/) },
    ]);
    files['bad.yaml'] = 'pollers: lots\nvisibilityTimeoutSeconds: 0\nqueueUrl: https://x/q\n';
    const bad = loadConfig({}, { KMS_DRIFT_CONFIG: 'bad.yaml' }, read);
    expect('problems' in bad && bad.problems.map((p) => p.source)).toEqual(['bad.yaml:1:10', 'bad.yaml:2:27']);
  });

  it('without a queue: refuses, unless LookupEvents polling replaces it', () => {
    expect(loadConfig({}, {})).toMatchObject({
      problems: [{ message: expect.stringMatching(/no queue: set --queue-url or KMS_DRIFT_QUEUE_URL/) }],
    });
    expect(loadConfig({}, { KMS_DRIFT_LOOKUP_POLL_SECONDS: '60' })).toMatchObject({
      config: { lookupPollSeconds: 60 },
    });
  });
});
