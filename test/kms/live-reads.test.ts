import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ROOT } from '../helpers/cli.ts';
import { startKmsServer } from '../helpers/kms-server.ts';
import { startDaemon, startQueues, until } from '../helpers/fauxqs.ts';

const DATA = '1234abcd-12ab-34cd-56ef-1234567890ab';
const record = (id: string) => ({
  'detail-type': 'AWS API Call via CloudTrail',
  detail: {
    ...(JSON.parse(
      readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disablekey.1.json`, 'utf8'),
    ) as object),
    eventID: id,
  },
});
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('live KMS reads during run', () => {
  it('fill the attributes an event does not carry; a denied read leaves the event as it was, with the reason', async () => {
    const kms = await startKmsServer();
    cleanups.push(kms.stop);
    // The key drifted earlier in ways this DisableKey record does not tell: rotation off, a tag added.
    kms.addKey({
      keyId: DATA,
      state: 'Disabled',
      rotation: false,
      description: 'Application data key',
      tags: new Map([
        ['Department', 'IT'],
        ['Dept', 'Finance'],
        ['ManagedBy', 'terraform'],
        ['Owner', 'mallory'],
      ]),
    });
    const q = await startQueues();
    cleanups.push(q.stop);
    const d = startDaemon(q.endpoint, q.queueUrl, {
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      KMS_DRIFT_LIVE_KMS_READS: 'true',
      AWS_MAX_ATTEMPTS: '2',
    });
    cleanups.push(async () => {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
      await d.exited;
    });
    await q.send(record('00000000-0000-4000-8000-00000000000a'));
    await until('the first log', () => d.logs.length >= 1);
    const first = d.logs.find((l) => l['rule'] === 'kms_key_disabled');
    expect(first).toMatchObject({
      live: { ok: true },
      changes: {
        key_state: { expected: 'Enabled', actual: 'Disabled' },
        enable_key_rotation: { expected: true, actual: false },
        tags: { added: { Owner: 'mallory' } },
      },
    });

    kms.fail('DescribeKey', 'AccessDeniedException', 100);
    // Another key, so the cached reading of the first is not used.
    await q.send({
      ...record('00000000-0000-4000-8000-00000000000b'),
      detail: {
        ...record('x').detail,
        eventID: '00000000-0000-4000-8000-00000000000b',
        requestParameters: { keyId: '0987dcba-09fe-87dc-65ba-ab0987654321' },
        resources: [{ ARN: 'arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321' }],
      },
    });
    await until('the second log', () => d.logs.some((l) => l['event_id'] === '00000000-0000-4000-8000-00000000000b'));
    const second = d.logs.find(
      (l) => l['event_id'] === '00000000-0000-4000-8000-00000000000b' && l['rule'] === 'kms_key_disabled',
    );
    expect(second).toMatchObject({
      live: { ok: false, reason: expect.stringMatching(/AccessDeniedException/) },
      changes: { key_state: { expected: 'Enabled', actual: 'Disabled' } },
    });
    expect(Object.keys(second?.['changes'] as object)).toEqual(['key_state']);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});
