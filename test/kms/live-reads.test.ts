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

/** A queue and a daemon reading KMS live from `kmsEndpoint`, both stopped after the test. */
async function liveReadsDaemon(kmsEndpoint: string) {
  const q = await startQueues();
  cleanups.push(q.stop);
  const d = startDaemon(q.endpoint, q.queueUrl, {
    AWS_ENDPOINT_URL_KMS: kmsEndpoint,
    KMS_DRIFT_LIVE_KMS_READS: 'true',
    AWS_MAX_ATTEMPTS: '2',
  });
  cleanups.push(async () => {
    if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await d.exited;
  });
  return { q, d };
}

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
    const { q, d } = await liveReadsDaemon(kms.endpoint);
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

  it('the event wins: a TagResource right after another event on the key gives the tag drift it carries', async () => {
    const kms = await startKmsServer();
    cleanups.push(kms.stop);
    const declaredTags = new Map([
      ['Department', 'IT'],
      ['Dept', 'Finance'],
      ['ManagedBy', 'terraform'],
    ]);
    kms.addKey({
      keyId: DATA,
      state: 'Disabled',
      rotation: true,
      description: 'Application data key',
      tags: declaredTags,
    });
    const { q, d } = await liveReadsDaemon(kms.endpoint);
    const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const at = (id: string, eventTime: string, name: string, requestParameters: object) => ({
      ...record(id),
      detail: { ...record(id).detail, eventID: id, eventTime, eventName: name, requestParameters },
    });
    const logOf = (id: string, rule: string) => d.logs.find((l) => l['event_id'] === id && l['rule'] === rule);
    const keyArn = `arn:aws:kms:us-west-2:111122223333:key/${DATA}`;

    // 1. A DisableKey: the key is read for it (and the reading kept for 60 s).
    await q.send(
      at('00000000-0000-4000-8000-0000000000c1', second(Date.now() - 2000), 'DisableKey', { keyId: keyArn }),
    );
    await until(
      'the DisableKey log',
      () => logOf('00000000-0000-4000-8000-0000000000c1', 'kms_key_disabled') !== undefined,
    );
    const firstRead = (
      logOf('00000000-0000-4000-8000-0000000000c1', 'kms_key_disabled')?.['live'] as { readAt: string }
    ).readAt;

    // 2. A tag added after that reading: the reading does not know it, so the key is read again.
    kms.addKey({
      keyId: DATA,
      state: 'Disabled',
      rotation: true,
      description: 'Application data key',
      tags: new Map([...declaredTags, ['Owner', 'mallory']]),
    });
    const tagTime = second(Date.parse(firstRead) + 1000);
    await until('the tag event time to pass', () => Date.now() > Date.parse(tagTime) + 50, 5000);
    const tags = (key: string, value: string) => ({ keyId: keyArn, tags: [{ tagKey: key, tagValue: value }] });
    await q.send(at('00000000-0000-4000-8000-0000000000c2', tagTime, 'TagResource', tags('Owner', 'mallory')));
    await until(
      'the first tag log',
      () => logOf('00000000-0000-4000-8000-0000000000c2', 'kms_key_tags_drifted') !== undefined,
    );
    const tagged = logOf('00000000-0000-4000-8000-0000000000c2', 'kms_key_tags_drifted');
    expect(tagged).toMatchObject({ changes: { tags: { added: { Owner: 'mallory' } } }, live: { ok: true } });
    const reread = (tagged?.['live'] as { readAt: string }).readAt;
    expect(Date.parse(reread)).toBeGreaterThanOrEqual(Date.parse(tagTime));

    // 3. A tag the key no longer carries, by an event older than the reading: the event's own change still wins.
    await q.send(at('00000000-0000-4000-8000-0000000000c3', tagTime, 'TagResource', tags('CostCenter', '42')));
    await until(
      'the second tag log',
      () => logOf('00000000-0000-4000-8000-0000000000c3', 'kms_key_tags_drifted') !== undefined,
    );
    expect(logOf('00000000-0000-4000-8000-0000000000c3', 'kms_key_tags_drifted')).toMatchObject({
      changes: { tags: { added: { Owner: 'mallory', CostCenter: '42' } } },
      live: { ok: true, readAt: reread },
    });
    // Read for the DisableKey and again for the first TagResource; the cached reading served the second.
    expect(kms.calls.get('DescribeKey')).toBe(2);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});
