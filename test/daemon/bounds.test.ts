import { describe, expect, it } from 'vitest';
import { daemonBounds } from '../../src/config/bounds.ts';
import type { Config } from '../../src/config/types.ts';
import { DEFAULT_COMPLIANCE } from '../../src/model/compliance.ts';

const config: Config = {
  queueUrl: 'https://sqs.us-west-2.amazonaws.com/111122223333/q',
  states: [],
  rules: [],
  terraformPrincipals: [],
  ...DEFAULT_COMPLIANCE,
  pollers: 1,
  visibilityTimeoutSeconds: 60,
  waitTimeSeconds: 20,
  shutdownTimeoutMs: 20_000,
  dedupSize: 1000,
  stateReloadSeconds: 60,
  lookupPollSeconds: 0,
  liveKmsReads: false,
};

describe('the time bounds of the daemon (docs/operations.md, Bounded time)', () => {
  it('with the defaults: a receive attempt may take its wait plus the response timeout; a loop 195 s between turns', () => {
    expect(daemonBounds(config)).toEqual({
      messageTimeoutMs: 120_000,
      connectTimeoutMs: 5000,
      responseTimeoutMs: 30_000,
      receiveTimeoutMs: 50_000,
      // max(120 s, 20 s backoff + 3 × (5 + 50) s) + 10 s
      sqsLoopMs: 195_000,
      // 0 s poll + 2 × 3 × (5 + 30) s + 10 s
      lookupLoopMs: 220_000,
    });
  });

  it('a long message timeout raises the liveness bound: a loop waiting for a slot is not stuck', () => {
    expect(daemonBounds({ ...config, messageTimeoutSeconds: 600 }).sqsLoopMs).toBe(610_000);
  });

  it('livenessTimeoutSeconds, when set, is the bound of every loop', () => {
    const b = daemonBounds({ ...config, livenessTimeoutSeconds: 30, lookupPollSeconds: 300 });
    expect([b.sqsLoopMs, b.lookupLoopMs]).toEqual([30_000, 30_000]);
  });
});
